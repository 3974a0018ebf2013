package cache

import (
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// DefaultMaxEntries is the bound on cached reads unless WithMaxEntries says otherwise.
const DefaultMaxEntries = 10000

// Backend is a read cache over a kvstore.Backend. It is safe for concurrent use.
// Create it with New.
type Backend struct {
	s     *store
	inner kvstore.Backend
	mode  mode
	prof  cacheProfiler
}

var _ kvstore.Backend = (*Backend)(nil)

// cacheProfiler is what the cache reports hits and misses to (profile.CacheProfiler).
type cacheProfiler interface {
	ProfileCacheRead(operation string, hit bool)
}

// Option configures a cache.
type Option func(*config)

type config struct {
	maxEntries int
}

// WithMaxEntries bounds the number of cached reads (each key, field, range or count
// read is one); beyond it, the least recently used are evicted. n <= 0 means no bound.
// The default is DefaultMaxEntries.
func WithMaxEntries(n int) Option {
	return func(c *config) { c.maxEntries = max(n, 0) }
}

// New returns a read cache over b.
func New(b kvstore.Backend, opts ...Option) *Backend {
	cfg := config{maxEntries: DefaultMaxEntries}
	for _, o := range opts {
		o(&cfg)
	}
	now := time.Now
	if clk, ok := b.(Clock); ok {
		now = clk.Now
	}
	return &Backend{s: newStore(cfg.maxEntries, now), inner: b}
}

// Reset empties the cache, for it and all its views. Call it at the start of each
// Lambda invocation so that no value read in an earlier invocation is served (other
// writers may have changed it since). Reads in flight when Reset is called do not
// cache their results.
func (c *Backend) Reset() { c.s.reset() }

// Stats describes a cache's use.
type Stats struct {
	// Hits and Misses count the reads served from the cache and from the backend since
	// New, for the cache and all its views.
	Hits, Misses int64
	// Entries is the number of reads cached now.
	Entries int
}

// Stats returns the cache's counters.
func (c *Backend) Stats() Stats {
	return Stats{Hits: c.s.hits.Load(), Misses: c.s.misses.Load(), Entries: c.s.len()}
}

// WithEventuallyConsistentReads returns a view of the cache over the backend's
// eventually consistent view. It shares the cache's entries and invalidation; its
// reads are cached apart from strongly consistent ones, and may be served by either.
func (c *Backend) WithEventuallyConsistentReads() kvstore.Backend {
	return c.view(c.inner.WithEventuallyConsistentReads(), eventual, c.prof)
}

// WithProfiler returns a view of the cache over inner.WithProfiler(profiler), sharing
// the cache's entries. When profiler has a ProfileCacheRead(operation string, hit
// bool) method, the view reports its hits and misses to it.
func (c *Backend) WithProfiler(profiler any) kvstore.Backend {
	prof := c.prof
	if p, ok := profiler.(cacheProfiler); ok {
		prof = p
	}
	return c.view(c.inner.WithProfiler(profiler), c.mode, prof)
}

// view returns a view of the cache over inner, a view of the cache's backend (on the
// same clock).
func (c *Backend) view(inner kvstore.Backend, m mode, prof cacheProfiler) *Backend {
	return &Backend{s: c.s, inner: inner, mode: m, prof: prof}
}

// Unwrap returns the backend under the cache.
func (c *Backend) Unwrap() kvstore.Backend { return c.inner }
