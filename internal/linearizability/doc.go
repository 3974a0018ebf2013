// Package linearizability checks that a kvstore backend (or the data API in front of
// one) is linearizable under concurrency: many clients issue Get, Set, SetNX, SetEQ,
// Delete, NIncrBy and small atomic writes on a handful of keys, every call's start,
// end and result is recorded, and porcupine (github.com/anishathalye/porcupine)
// searches for a sequential order of the calls that respects real time and the
// sequential model of a map (Model).
//
// The keyspace is split into groups of KeysPerGroup keys; atomic writes stay within
// one group, so the history is checked one group at a time (porcupine's partitions)
// while multi-key writes are still checked against the whole state they touch.
//
// A call that failed is recorded by what its error says:
//   - a refusal (kvstore.ErrAtomicWriteConflict, ErrInvalidArgument, ErrWrongType,
//     ErrNotInteger, a Redis-style error reply) must have changed nothing;
//   - any other error (kvstore.ErrOutcomeUnknown, a cut connection, a deadline) may or
//     may not have taken effect: it is recorded as never returning, so the checker may
//     place it anywhere after its start, or nowhere that anyone observed;
//   - a read that failed is dropped: it observed nothing.
//
// Only strongly consistent reads are checked: a backend view from
// WithEventuallyConsistentReads is not linearizable by design (DynamoDB's eventually
// consistent reads may return stale data) and is never run here.
package linearizability
