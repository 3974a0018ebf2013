package redis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// sortedField converts and validates a key and a sorted-set member used as a field.
func sortedField(key string, member any) (string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return "", err
	}
	return kvstore.SortedField(member)
}

// ZAdd implements kvstore.Backend: it is ZHAdd(ctx, key, member, member, score), in
// a script of its own (see zaddLua).
func (b *Backend) ZAdd(ctx context.Context, key string, member any, score float64) error {
	m, err := kvstore.ToString(member)
	if err != nil {
		return err
	}
	return b.zadd(ctx, key, m, score)
}

// ZHAdd implements kvstore.Backend with the write script: ZADD of the field, and the
// member in the zmembers hash when it differs from the field.
func (b *Backend) ZHAdd(ctx context.Context, key, field string, member any, score float64) error {
	if err := kvstore.ValidateKey(key); err != nil {
		return err
	}
	m, score, err := kvstore.SortedEntry(key, field, member, score)
	if err != nil {
		return err
	}
	c := b.newWriteCall()
	c.zhadd(key, "", field, m, score)
	_, err = c.run(ctx)
	return err
}

// ZScore implements kvstore.Backend with ZSCORE.
func (b *Backend) ZScore(ctx context.Context, key string, member any) (*float64, error) {
	field, err := sortedField(key, member)
	if err != nil {
		return nil, err
	}
	cmd := goredis.NewFloatCmd(ctx, "zscore", b.redisKey(key, zsetKey), field)
	if err := b.readRoundTrip(ctx, key, zsetKey, cmd); err != nil {
		return nil, err
	}
	return optionalScore(key, cmd)
}

func optionalScore(key string, cmd *goredis.FloatCmd) (*float64, error) {
	f, err := cmd.Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, mapError(key, err)
	}
	f = normalize(f)
	return &f, nil
}

// ZRem implements kvstore.Backend: it is ZHRem(ctx, key, member).
func (b *Backend) ZRem(ctx context.Context, key string, member any) error {
	field, err := sortedField(key, member)
	if err != nil {
		return err
	}
	return b.ZHRem(ctx, key, field)
}

// ZHRem implements kvstore.Backend with the write script.
func (b *Backend) ZHRem(ctx context.Context, key, field string) error {
	if err := kvstore.ValidateKey(key); err != nil {
		return err
	}
	if err := kvstore.ValidateSortedMember(field); err != nil {
		return err
	}
	c := b.newWriteCall()
	c.zhrem(key, field)
	_, err := c.run(ctx)
	return err
}

// ZIncrBy implements kvstore.Backend with ZINCRBY, which keeps a sorted-hash field's
// member. An increment of -0 is sent as 0 (Redis would store -0 for a new member).
func (b *Backend) ZIncrBy(ctx context.Context, key string, member string, n float64) (float64, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return 0, err
	}
	if err := kvstore.ValidateSortedMember(member); err != nil {
		return 0, err
	}
	if err := kvstore.CheckItemSize(key, kvstore.SortedItemSize(key, member, len(member))); err != nil {
		return 0, err
	}
	if math.IsNaN(n) {
		return 0, kvstore.InvalidArgumentf("increment is NaN")
	}
	cmd := goredis.NewFloatCmd(ctx, "zincrby", b.redisKey(key, zsetKey), formatScore(normalize(n)), member)
	if err := b.roundTrip(ctx, cmd); err != nil {
		return 0, err
	}
	f, err := cmd.Result()
	if err != nil {
		return 0, mapError(key, err)
	}
	return normalize(f), nil
}

// zrange reads a range through the range script.
func (b *Backend) zrange(ctx context.Context, key, by, min, max string, limit int, rev, withScores bool) (kvstore.ScoredMembers, []string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, nil, err
	}
	if err := kvstore.ValidateLimit(limit); err != nil {
		return nil, nil, err
	}
	args := []any{by, flag(rev), min, max, strconv.Itoa(limit), flag(withScores)}
	rep := expiryreport.FromContext(ctx)
	var sent int64
	if rep != nil {
		args = append(args, "1") // the script appends the sorted set's PTTL
		sent = time.Now().UnixMilli()
	}
	cmd, err := b.runScript(ctx, rangeScript, []string{b.redisKey(key, zsetKey), b.redisKey(key, zmembersKey)}, args)
	if err != nil {
		return nil, nil, err
	}
	vals, err := cmd.StringSlice()
	if err != nil {
		return nil, nil, mapError(key, err)
	}
	if rep != nil {
		vals = recordScriptPTTL(rep, key, sent, vals)
	}
	if !withScores {
		return nil, vals, nil
	}
	if len(vals)%2 != 0 {
		return nil, nil, fmt.Errorf("kvstore/redis: odd range reply of %d elements", len(vals))
	}
	all := make([]kvstore.ScoredMember, len(vals)/2)
	out := make(kvstore.ScoredMembers, len(all))
	for i := range all {
		score, err := parseScore(vals[2*i+1])
		if err != nil {
			return nil, nil, err
		}
		all[i] = kvstore.ScoredMember{Value: vals[2*i], Score: score}
		out[i] = &all[i]
	}
	return out, nil, nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (b *Backend) scoreRange(ctx context.Context, key string, min, max float64, limit int, rev bool) ([]string, error) {
	lo, hi, err := scoreBounds(min, max)
	if err != nil {
		return nil, err
	}
	_, out, err := b.zrange(ctx, key, "BYSCORE", lo, hi, limit, rev, false)
	return out, err
}

func (b *Backend) scoreRangeWithScores(ctx context.Context, key string, min, max float64, limit int, rev bool) (kvstore.ScoredMembers, error) {
	lo, hi, err := scoreBounds(min, max)
	if err != nil {
		return nil, err
	}
	out, _, err := b.zrange(ctx, key, "BYSCORE", lo, hi, limit, rev, true)
	return out, err
}

func (b *Backend) lexRange(ctx context.Context, key, min, max string, limit int, rev bool) ([]string, error) {
	if _, _, err := kvstore.ParseLexRange(min, max); err != nil {
		return nil, err
	}
	_, out, err := b.zrange(ctx, key, "BYLEX", min, max, limit, rev, false)
	return out, err
}

// ZRangeByScore implements kvstore.Backend.
func (b *Backend) ZRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return b.scoreRange(ctx, key, min, max, limit, false)
}

// ZRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return b.scoreRangeWithScores(ctx, key, min, max, limit, false)
}

// ZRevRangeByScore implements kvstore.Backend.
func (b *Backend) ZRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return b.scoreRange(ctx, key, min, max, limit, true)
}

// ZRevRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return b.scoreRangeWithScores(ctx, key, min, max, limit, true)
}

// ZCount implements kvstore.Backend with ZCOUNT.
func (b *Backend) ZCount(ctx context.Context, key string, min, max float64) (int, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return 0, err
	}
	lo, hi, err := scoreBounds(min, max)
	if err != nil {
		return 0, err
	}
	return b.count(ctx, key, "zcount", lo, hi)
}

// ZLexCount implements kvstore.Backend with ZLEXCOUNT.
func (b *Backend) ZLexCount(ctx context.Context, key string, min, max string) (int, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return 0, err
	}
	if _, _, err := kvstore.ParseLexRange(min, max); err != nil {
		return 0, err
	}
	return b.count(ctx, key, "zlexcount", min, max)
}

func (b *Backend) count(ctx context.Context, key, command, min, max string) (int, error) {
	cmd := goredis.NewIntCmd(ctx, command, b.redisKey(key, zsetKey), min, max)
	if err := b.readRoundTrip(ctx, key, zsetKey, cmd); err != nil {
		return 0, err
	}
	n, err := cmd.Result()
	if err != nil {
		return 0, mapError(key, err)
	}
	return int(n), nil
}

// ZRangeByLex implements kvstore.Backend.
func (b *Backend) ZRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return b.lexRange(ctx, key, min, max, limit, false)
}

// ZRevRangeByLex implements kvstore.Backend.
func (b *Backend) ZRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return b.lexRange(ctx, key, min, max, limit, true)
}

// ZHRangeByScore implements kvstore.Backend: sorted sets and sorted hashes share
// their storage, so it is ZRangeByScore.
func (b *Backend) ZHRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return b.scoreRange(ctx, key, min, max, limit, false)
}

// ZHRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZHRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return b.scoreRangeWithScores(ctx, key, min, max, limit, false)
}

// ZHRevRangeByScore implements kvstore.Backend.
func (b *Backend) ZHRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return b.scoreRange(ctx, key, min, max, limit, true)
}

// ZHRevRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZHRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return b.scoreRangeWithScores(ctx, key, min, max, limit, true)
}

// ZHRangeByLex implements kvstore.Backend: lex bounds compare fields.
func (b *Backend) ZHRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return b.lexRange(ctx, key, min, max, limit, false)
}

// ZHRevRangeByLex implements kvstore.Backend.
func (b *Backend) ZHRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return b.lexRange(ctx, key, min, max, limit, true)
}
