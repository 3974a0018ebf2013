package redis

import (
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// Backend is a kvstore.Backend over Redis. It is safe for concurrent use; its
// views (WithProfiler) share its client.
type Backend struct {
	client   goredis.UniversalClient
	prefix   string
	profiler RoundTripProfiler
	shared   *shared
}

// shared is the state every view of one backend shares.
type shared struct {
	// topology tells how multi-key scripts must be checked: single server, Redis
	// Cluster (keys must share a slot) or Ring (keys must share a hash tag).
	topology topology
	// ctxDeadlines is set when the client bounds its socket reads and writes by the
	// context's deadline itself (Options.ContextTimeoutEnabled).
	ctxDeadlines bool
	// clusterScriptsLoaded is set once the scripts were loaded on every shard of a
	// cluster, where a pipeline cannot carry SCRIPT LOAD (it would reach one node).
	clusterScriptsLoaded atomic.Bool
}

// RoundTripProfiler is what a backend made by WithProfiler reports to: one call per
// round trip to Redis, naming the commands it carried (one for a single command,
// several for a pipeline; EVALSHA for a script), its duration and its error (the
// first command's error, or the connection's).
type RoundTripProfiler interface {
	ProfileRedisRoundTrip(commands []string, duration time.Duration, err error)
}

// Option configures a Backend.
type Option func(*Backend)

// WithKeyPrefix puts every Redis key the backend writes under prefix, so that
// several applications or tests can share one Redis database. See the package
// documentation for how keys are named; a prefix holding a complete hash tag, such
// as "{app}:", puts all keys in one Redis Cluster slot.
func WithKeyPrefix(prefix string) Option {
	return func(b *Backend) { b.prefix = prefix }
}

var _ kvstore.Backend = (*Backend)(nil)

// NewBackend returns a backend storing its data through client: a *goredis.Client,
// a *goredis.ClusterClient (see the package documentation for the hash-slot rule), a
// failover client or a *goredis.Ring. The backend does not change the client (it adds
// no hook) and never closes it.
func NewBackend(client goredis.UniversalClient, opts ...Option) *Backend {
	b := &Backend{client: client, shared: &shared{topology: topologyOf(client), ctxDeadlines: contextTimeoutsEnabled(client)}}
	for _, o := range opts {
		o(b)
	}
	return b
}

// WithEventuallyConsistentReads returns b: Redis reads are always consistent.
func (b *Backend) WithEventuallyConsistentReads() kvstore.Backend { return b }

// WithProfiler returns a view of b that reports every round trip to profiler when it
// implements RoundTripProfiler (as *profile.Profiler does); any other profiler is
// ignored and b is returned. The view shares b's client and key prefix; the client
// is not changed.
func (b *Backend) WithProfiler(profiler any) kvstore.Backend {
	p, ok := profiler.(RoundTripProfiler)
	if !ok || p == nil {
		return b
	}
	view := *b
	view.profiler = p
	return &view
}

// Unwrap returns nil: the Redis backend wraps no other backend.
func (b *Backend) Unwrap() kvstore.Backend { return nil }
