// Package redis is the kvstore backend over Redis (go-redis v9): for development,
// SAM local and anywhere a Redis server is at hand. It passes the kvstore
// conformance suite, so code behaves as on memory and DynamoDB: same kinds, limits,
// errors and ordering.
//
//	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
//	b := redis.NewBackend(client)                         // or
//	b = redis.NewBackend(client, redis.WithKeyPrefix("app:"))
//
// # Data layout
//
// Everything is plain Redis data, readable with redis-cli. A kvstore key K (after
// the optional prefix P) maps to up to four Redis keys, all carrying one hash tag:
//
//	P{K}      the value: a string (counters are decimal strings), a set or a hash
//	P{K}:n    for a set or hash, its size in bytes as kvstore counts it (see below)
//	P{K}:z    the sorted set or sorted hash: a sorted set of fields, scored
//	P{K}:zh   a hash of field to member, for sorted-hash fields whose member is not
//	          the field (a ZAdd member is its own field and takes no entry)
//
// That is for a key without "}". A key holding "}" cannot sit inside braces, so its
// Redis keys are P{T}=K, P{T}:n=K, P{T}:z=K and P{T}:zh=K, where T is the key's own
// hash tag (the text between its first "{" and the next "}", when not empty) or else
// the key without its "}" characters. Either way the naming is injective (no two
// kvstore keys share a Redis key), and the value and the sorted data of a key are
// different Redis keys, as kvstore wants: Set and Delete touch P{K} and P{K}:n only,
// and a string may sit beside a sorted set.
//
// Sorted data orders as kvstore wants because Redis orders a sorted set by score,
// then member bytes, and the members of P{K}:z are the fields. Scores go to Redis as
// the shortest decimal that parses back to the same float64 (or ±inf) and come back
// with 17 significant digits, so every float64 but NaN round-trips exactly; -0 is
// stored as 0.
//
// # Expiry
//
// Expiry is Redis' own: a key's Redis keys carry the same PEXPIREAT time, and Redis
// removes them when it passes (an expired key is absent to every command and script,
// reclaimed lazily or by Redis' active expiry). TTLs count from the server's clock.
// The scripts use PEXPIRETIME and SET with NX and GET together: Redis 7.0 or later.
//
//   - Expire, ExpireAt, ExpireAtIf and Persist are one EVALSHA of the expiry script,
//     which applies PEXPIREAT (or PERSIST) to all four Redis keys of the key.
//     ExpireAtIf's NX, XX, GT and LT are checked in the script against the key's
//     expiry (PEXPIRETIME of P{K}, else of P{K}:z), so that all four keys stay
//     together. A time passed, or a TTL under a millisecond, deletes them.
//   - TTL is PTTL of P{K} and of P{K}:z, pipelined in one round trip: the value's
//     answers when it exists, else the sorted set's.
//   - SetArgs, SetEX and SetNXEX are one EVALSHA of the expiry script: SET with NX or
//     XX, PX, PXAT or KEEPTTL, and GET (an ErrWrongType for a set or hash, with nothing
//     written), then, when it set, DEL of P{K}:n, which a set or hash it replaced
//     left. GetEx with an option is GETEX in the expiry script (it changes P{K} only,
//     as GetEx changes the value's expiry only), GetDel GETDEL; both drop a P{K}:n
//     left beside the string. GetEx without options is GET.
//   - Writes keep the expiry as kvstore says: Set, SetEQ and SetEX write with SET,
//     which replaces it; NIncrBy uses INCRBY (in an atomic write, SET KEEPTTL); SAdd,
//     SRem, HSet, HDel, ZAdd, ZHAdd, ZRem and ZIncrBy change the set, hash or sorted
//     set in place. A write script that creates P{K}:n beside an expiring P{K}, or
//     P{K}:zh beside an expiring P{K}:z, gives it the same PEXPIRETIME.
//   - In an atomic write, SetEX and SetNXEX are SET PXAT and Expire is PEXPIREAT of
//     the four keys, at the server's TIME (read once, when Exec's script starts)
//     plus the TTL; Expire's condition (the key has a value or sorted data) is
//     checked with the others before anything is written.
//
// Times beyond 2^52 ms (about the year 144,000) are sent as 2^52 ms.
//
// # Redis Cluster and hash tags
//
// The Redis keys of one kvstore key always share a hash slot. With no prefix (or a
// prefix without "{"), that slot is the one Redis Cluster gives the kvstore key
// itself when the key holds no "}" or has a hash tag: "user:1" and "{user:1}:cart"
// are where Redis Cluster would put them. An atomic write is one Lua script, which
// Redis Cluster runs only when all its keys share a slot: give the keys of one atomic
// write a common hash tag ("{user:1}:profile", "{user:1}:cart"). On a
// *goredis.ClusterClient the backend checks this before sending and returns an
// ErrCrossSlot (also a kvstore.ErrInvalidArgument); on a *goredis.Ring it requires
// the same hash tag. Batches need no common slot: go-redis splits a pipeline by node.
// A prefix holding a whole hash tag ("{app}:") puts every key in one slot.
//
// # Size limits
//
// kvstore limits a whole set or hash to kvstore.MaxItemSize bytes, counted as
// DynamoDB counts it. Redis cannot tell a set's byte size, and summing it on every
// SAdd would cost O(members), so the write script keeps the count in P{K}:n (members'
// bytes; for a hash, the sum of kvstore.HashFieldSize): an SAdd or HSet costs one
// SISMEMBER, or HEXISTS and HSTRLEN, per operand. The counter is trusted only while
// P{K} holds a set or hash; one that a new set or hash finds is reset, and a set or
// hash without a counter (written by another tool) is counted once, in full.
//
// # Commands and round trips
//
// Every call is one round trip:
//   - Get, Set, SetNX, SetXX, NIncrBy, SMembers, HGet, HGetAll, ZScore, ZIncrBy,
//     ZCount and ZLexCount are the Redis command of the same name (SET NX, SET XX,
//     INCRBY; NIncrBy by 0 is a GET so that it creates nothing).
//   - SetEQ, Delete, SAdd, SRem, HSet, HDel, ZHAdd, ZRem and ZHRem are one
//     EVALSHA of the write script (the expiry calls: see Expiry above), which checks types and sizes and writes atomically;
//     ZAdd one EVALSHA of a script of its own that does the same in four Redis calls.
//   - Ranges are one EVALSHA of the range script (ZRANGE, then HMGET of the members
//     that differ from their fields).
//   - A Batch is one pipeline of any length: plain commands and EVALSHAs, led by a
//     SCRIPT LOAD of the write script when it holds writes that need it, so it never
//     meets NOSCRIPT (on Redis Cluster and Ring the scripts are loaded on every shard
//     once instead, and the pipeline is one round trip per node).
//   - An AtomicWrite is one EVALSHA of the write script for all its operations: the
//     script checks every condition, type and size, and only then writes, so it is
//     all or nothing and reports exactly the failed conditions.
//     One of unconditional Sets and Deletes only, which needs no check, is one
//     MULTI/EXEC (MSET, DEL) instead.
//
// The reads a read cache (kvstore/cache) sends on a miss also learn when what they
// read expires, in the same round trip: a PTTL of P{K} (P{K}:z for sorted reads) just
// before the read, or one run by the range script; a Batch's pipeline carries one
// PTTL per key read. Other reads send nothing more.
//
// When Redis does not have a script cached (first use after a start or SCRIPT
// FLUSH), EVALSHA answers NOSCRIPT and the call is sent again as EVAL: two round
// trips, once.
//
// # Profiling
//
// WithProfiler(p) returns a view of the backend that reports each round trip to p
// when p implements RoundTripProfiler (as *profile.Profiler does): the lowercase
// names of the commands it carried ("get"; "evalsha"; "script", "set", "evalsha", ...
// for a batch), its duration and its error. The view wraps the calls; it adds no hook
// to the client, which other code may share.
//
// # Contexts and errors
//
// Every call honours its context: it returns the context's error as soon as the
// context ends, even while go-redis is still waiting for Redis (go-redis itself
// bounds a read by its ReadTimeout unless ContextTimeoutEnabled is set). Give the
// client ContextTimeoutEnabled (kvstoreurl does): go-redis then stops a round trip at
// the context's deadline itself, and the backend calls it on the caller's goroutine
// for contexts with a deadline instead of watching the context from a goroutine per
// round trip, which costs about a quarter of a Get's time on loopback. A context
// canceled before its deadline is then noticed when the round trip ends. WRONGTYPE
// replies are kvstore.ErrWrongType, Redis' integer errors kvstore.ErrNotInteger, a
// NaN score kvstore.ErrInvalidArgument; connection errors are returned wrapped.
//
// go-redis sends a command again when the connection breaks after sending it
// (Options.MaxRetries, 3 by default). The backend lets it resend reads and batches
// (whose writes may be applied twice), but never a single write once it may have
// reached Redis: a write whose reply was lost (NIncrBy, ZIncrBy, SetNX, an atomic
// write, ...) returns an error matching kvstore.ErrOutcomeUnknown instead, and was
// applied at most once.
package redis
