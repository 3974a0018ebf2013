package kvstore

import "context"

// Backend is the contract every store and wrapper implements. Every method takes a
// context first: it carries the Lambda deadline and cancellation down to every
// network call.
//
// Values passed as any may be string, []byte, int, int64 or an
// encoding.BinaryMarshaler; anything else is an ErrInvalidArgument and nothing is
// written. Reads return strings (*string, nil when absent).
type Backend interface {
	// Expirer's methods (SetArgs, SetEX, SetNXEX, GetEx, GetDel, Expire, ExpireAt,
	// ExpireAtIf, Persist, TTL): see expiry.go.
	Expirer

	// Batch starts a batch: many operations in few round trips, not atomic.
	Batch() BatchOperation
	// AtomicWrite starts an all-or-nothing write of up to MaxAtomicWriteOperations items.
	AtomicWrite() AtomicWriteOperation

	// Get returns the string at key, or nil when the key is absent.
	Get(ctx context.Context, key string) (*string, error)
	// Set stores value at key, replacing any string, counter, set or hash there.
	Set(ctx context.Context, key string, value any) error
	// SetNX sets key only if it is absent and reports whether it did.
	SetNX(ctx context.Context, key string, value any) (bool, error)
	// SetXX sets key only if it is present and reports whether it did.
	SetXX(ctx context.Context, key string, value any) (bool, error)
	// SetEQ sets key only if its current string equals oldValue and reports whether it did.
	SetEQ(ctx context.Context, key string, value, oldValue any) (bool, error)
	// Delete removes the string, counter, set or hash at key and reports whether one existed.
	Delete(ctx context.Context, key string) (bool, error)
	// NIncrBy adds n to the integer at key (absent counts as 0) and returns the new value;
	// n = 0 reads the counter.
	NIncrBy(ctx context.Context, key string, n int64) (int64, error)

	// SAdd adds members to the set at key.
	SAdd(ctx context.Context, key string, member any, members ...any) error
	// SRem removes members from the set at key; the key disappears with its last member.
	SRem(ctx context.Context, key string, member any, members ...any) error
	// SMembers returns the members of the set at key in no particular order (empty when absent).
	SMembers(ctx context.Context, key string) ([]string, error)

	// HSet sets one or more fields of the hash at key.
	HSet(ctx context.Context, key, field string, value any, fields ...KeyValue) error
	// HDel removes fields of the hash at key; the key disappears with its last field.
	HDel(ctx context.Context, key, field string, fields ...string) error
	// HGet returns one field of the hash at key, or nil when absent.
	HGet(ctx context.Context, key, field string) (*string, error)
	// HGetAll returns every field of the hash at key (empty when absent).
	HGetAll(ctx context.Context, key string) (map[string]string, error)

	// ZAdd adds member to the sorted set at key with score, or rescores it. It is
	// ZHAdd(ctx, key, member, member, score).
	ZAdd(ctx context.Context, key string, member any, score float64) error
	// ZScore returns member's score, or nil when it is absent.
	ZScore(ctx context.Context, key string, member any) (*float64, error)
	// ZRem removes member from the sorted set at key.
	ZRem(ctx context.Context, key string, member any) error
	// ZIncrBy adds n to member's score (absent counts as 0) and returns the new score.
	ZIncrBy(ctx context.Context, key string, member string, n float64) (float64, error)
	// ZRangeByScore returns members with min <= score <= max, ascending; limit 0 is no limit.
	ZRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error)
	// ZRangeByScoreWithScores is ZRangeByScore returning scores too.
	ZRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (ScoredMembers, error)
	// ZRevRangeByScore returns members with min <= score <= max, descending.
	ZRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error)
	// ZRevRangeByScoreWithScores is ZRevRangeByScore returning scores too.
	ZRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (ScoredMembers, error)
	// ZCount counts members with min <= score <= max.
	ZCount(ctx context.Context, key string, min, max float64) (int, error)
	// ZLexCount counts members between the lex bounds min and max ("[x", "(x", "-", "+").
	ZLexCount(ctx context.Context, key string, min, max string) (int, error)
	// ZRangeByLex returns members between the lex bounds, ascending.
	ZRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error)
	// ZRevRangeByLex returns members between the lex bounds, descending.
	ZRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error)

	// ZHAdd sets field of the sorted hash at key to member with score. A sorted hash
	// orders by score then field, and its ranges return members.
	ZHAdd(ctx context.Context, key, field string, member any, score float64) error
	// ZHRem removes field from the sorted hash at key.
	ZHRem(ctx context.Context, key, field string) error
	// ZHRangeByScore returns the members of fields with min <= score <= max, ascending.
	ZHRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error)
	// ZHRangeByScoreWithScores is ZHRangeByScore returning scores too.
	ZHRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (ScoredMembers, error)
	// ZHRevRangeByScore is ZHRangeByScore in descending order.
	ZHRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error)
	// ZHRevRangeByScoreWithScores is ZHRevRangeByScore returning scores too.
	ZHRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (ScoredMembers, error)
	// ZHRangeByLex returns the members of fields between the lex bounds (comparing fields), ascending.
	ZHRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error)
	// ZHRevRangeByLex is ZHRangeByLex in descending order.
	ZHRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error)

	// WithEventuallyConsistentReads returns a view of the backend whose reads may be
	// eventually consistent where the store offers it (DynamoDB); elsewhere, the same backend.
	WithEventuallyConsistentReads() Backend
	// WithProfiler returns a view of the backend that reports to profiler; profiler
	// types the backend does not know are ignored.
	WithProfiler(profiler any) Backend
	// Unwrap returns the backend a wrapper wraps, or nil for a store.
	Unwrap() Backend
}

// KeyValue is one field and value of a hash write.
type KeyValue struct {
	Key   string
	Value any
}

// ScoredMember is a sorted-set member with its score.
type ScoredMember struct {
	Score float64
	Value string
}

// ScoredMembers is a range of a sorted set or sorted hash, in range order.
type ScoredMembers []*ScoredMember

// Values returns the members of s in order.
func (s ScoredMembers) Values() []string {
	out := make([]string, len(s))
	for i, m := range s {
		out[i] = m.Value
	}
	return out
}
