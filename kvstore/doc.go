// Package kvstore is a Redis-like key-value API over several stores: DynamoDB
// (production, optionally through DAX), Redis (development) and memory (tests). Code
// written against Backend runs unchanged on each, and every backend passes the one
// conformance suite in package kvstoretest, so behaviour is identical everywhere.
//
// # Kinds of data
//
// A key holds up to two things at once:
//
//   - a value: a string (counters are strings holding a decimal int64), a set or a
//     hash. These kinds exclude each other: Set replaces whatever value the key holds
//     and Delete removes it, while an operation of one kind on a key holding another
//     (Get or NIncrBy on a set, SAdd on a hash, HGet on a string, ...) returns an
//     error that matches ErrWrongType and changes nothing.
//   - a sorted set or sorted hash: members (or fields) with float64 scores. ZAdd(k,
//     m, s) is ZHAdd(k, m, m, s), so a sorted set is a sorted hash whose fields are
//     its members. Sorted data lives beside the key's value, not in its place: Set and
//     Delete do not touch it and ZAdd does not conflict with a string at the same key.
//     (Redis keeps one type per key; kvstore cannot on DynamoDB without a query on
//     every write, so it keeps two. Remove sorted members with ZRem or ZHRem.)
//
// # Semantics every backend shares
//
//   - Absent is empty, never an error: Get, HGet and ZScore return nil; SMembers and
//     HGetAll return empty results; removing what is not there is a no-op; NIncrBy
//     and ZIncrBy start from 0. An empty string is a stored value. A set or hash
//     disappears with its last member or field.
//   - Integers are stored as decimal strings: Set(k, 42) reads back "42". NIncrBy
//     accepts only a canonical decimal int64 (no sign "+", no leading zeros, no
//     spaces); anything else, and overflow, is an ErrNotInteger with nothing written.
//   - Sorted sets order by score, then by field bytes. Scores must not be NaN; -0 is
//     stored as 0; every other float64, ±Inf included, is stored exactly. ZIncrBy
//     whose result would be NaN is an ErrInvalidArgument.
//   - Score ranges are inclusive; min > max is empty. Lex bounds are "[x"
//     (inclusive), "(x" (exclusive), "-" and "+"; lex ranges compare fields and assume
//     equal scores. Rev variants take the same (min, max) and return descending order;
//     with a limit they return the highest N, highest first. limit 0 is no limit; a
//     negative limit is an ErrInvalidArgument.
//   - SMembers' order is unspecified.
//   - SetEQ on a key holding a set or hash, or nothing, does not set (false, nil).
//
// # Expiry
//
// Keys expire as in Redis, at millisecond precision, with methods named after
// go-redis: SetEX (SET key value PX ttl), SetNXEX (the lock idiom: set if absent, with
// an expiry), SetArgs (every SET option: NX, XX, EX/PX, EXAT/PXAT, KEEPTTL, GET), GetEx,
// GetDel, Expire, ExpireAt (a time that has passed deletes the key), ExpireAtIf (NX,
// XX, GT, LT), Persist and TTL (the time left, NoExpiry, or KeyAbsent). An atomic write
// can SetEX, SetNXEX and Expire (the last on condition that the key is present).
//
//	ok, err := store.SetNXEX(ctx, "lock:report", workerID, 30*time.Second) // one winner
//	_ = store.SetEX(ctx, "session:1", token, time.Hour)
//	left, _ := store.TTL(ctx, "session:1") // about an hour; NoExpiry; KeyAbsent
//
// Expiry belongs to a whole key: Expire, ExpireAt, ExpireAtIf and Persist act on the
// key's value and on its sorted data alike; TTL reports the value's expiry when the key
// has a value, else its sorted data's. From the moment a key expires it is absent to
// every read, range, count, batch, condition and atomic write, whether or not its
// storage has been reclaimed yet. A plain Set clears the value's expiry (as Redis' SET
// does); SAdd, SRem, HSet, HDel and NIncrBy keep it; ZAdd, ZHAdd, ZRem and ZIncrBy keep
// the sorted data's, which ends with its last member; Delete removes the value and its
// expiry. An expired key behaves as an absent one: SetNX on it succeeds, NIncrBy starts
// from 0, and SAdd, HSet or ZAdd start a new set, hash or sorted set without expiry.
//
// # Limits
//
// Every backend enforces DynamoDB's limits, so a test on memory fails where production
// would: keys are 1 to MaxKeySize bytes; sorted-set members and sorted-hash fields at
// most MaxSortedMemberSize bytes; set members are not empty; hash fields at most
// MaxHashFieldSize bytes; an item (a string with its key, a whole set, a whole hash,
// one sorted member) at most MaxItemSize bytes counted as StringItemSize,
// SetItemSize, HashItemSize and SortedItemSize say. Beyond them an operation returns an
// error matching ErrInvalidArgument and writes nothing. Values may be string, []byte,
// int, int64 or an encoding.BinaryMarshaler; any other type is an ErrInvalidArgument,
// never a panic.
//
// # Batches and atomic writes
//
// Batch queues operations for few round trips (not atomicity); Exec runs them and
// each result holds its own error. A batch holding an invalid operation runs nothing.
// AtomicWrite queues up to MaxAtomicWriteOperations writes that Exec applies all or
// nothing; when a condition fails nothing is written, Exec returns (false, nil) and
// exactly the failed operations report ConditionalFailed. An atomic-write operation
// that meets the wrong kind of value makes Exec return an ErrWrongType error, with
// nothing written. Contention (DynamoDB's TransactionConflict) is an error for which
// IsAtomicWriteConflict is true: retry it.
//
// # Failures
//
// A write that returns an error wrote nothing, unless the error matches
// ErrOutcomeUnknown: then it may or may not have been applied (its request may have
// reached the store before the connection broke, the server failed or the context
// ended). Backends do not resend a write whose second application would count twice
// or change its answer (NIncrBy, ZIncrBy, SetNX, SetEQ, Delete, atomic writes without
// an idempotency token): they return ErrOutcomeUnknown instead, so read the data to
// learn the outcome before retrying such a write. A failed write of a Batch (which
// holds only writes that may be applied twice: Set, Delete, SAdd, SRem, ZAdd, ZRem)
// may have been applied; send it again.
//
// # Writing a backend
//
// BatchOps and AtomicWriteOps record and validate operations for a backend's Exec;
// NewFallbackBatch gives any backend a working batch; the conformance suite in
// kvstoretest checks the result.
package kvstore
