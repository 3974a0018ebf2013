// Package cache is a read cache over any kvstore backend.
//
// Reads through the cache (single or batched) are served from memory until a write
// through the same cache touches their key: every write, batch and atomic write
// invalidates what it may change, whether it succeeded, failed a condition or
// returned an error. A key's value (string, counter, set, hash) and its sorted set
// are invalidated separately, since only expiry writes (Expire, ExpireAt, ExpireAtIf,
// Persist) change both.
//
// The cache never serves an expired value. Each read it sends to the backend on a
// miss asks, through its context and in the same round trip, when what it reads
// expires; the cache serves the result only until then, on the backend's clock (see
// Clock). The memory and Redis backends tell expiries (through a profiling wrapper
// too); a read over a backend that does not tell one is not cached: it goes to the
// backend every time. An expiry set elsewhere (another process, the backend directly)
// after the cache read a value is not seen: the value is served until Reset, as any
// write made elsewhere.
//
// The cache is linearizable for the operations that go through it: a read never
// returns a value older than a write that completed before the read began, and a read
// that raced a write never caches what it read. It knows nothing of writes made
// elsewhere (another process, another cache, the backend directly): use one cache per
// Lambda invocation by calling Reset at its start (WrapHandler does), so cached values
// live no longer than the invocation that read them.
//
//	c := cache.New(backend, cache.WithMaxEntries(10000)) // once, at init
//
//	func handle(ctx context.Context, req Request) (Response, error) {
//		c.Reset() // or: lambda.Start(cache.WrapHandler(c, handle))
//		...
//	}
//
// Strongly and eventually consistent reads are cached apart: WithEventuallyConsistentReads
// returns a view over the backend's eventually consistent view that shares the
// cache's entries and invalidation, and whose reads may also use what a strongly
// consistent read cached. WithProfiler likewise returns a view over
// inner.WithProfiler(p) sharing the cache; when p has a ProfileCacheRead(operation
// string, hit bool) method (profile.Profiler does), hits and misses go to it.
package cache
