package redis_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// roundTripCounter is a go-redis hook counting round trips: each command sent on
// its own and each pipeline (a MULTI/EXEC transaction included) is one.
type roundTripCounter struct{ n atomic.Int64 }

func (r *roundTripCounter) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *roundTripCounter) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTripCounter) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// countRoundTrips starts counting c's round trips and returns what reports them per
// operation as "roundtrips/op": call it just before the benchmark loop and defer the
// result.
func countRoundTrips(b *testing.B, c *goredis.Client) func() {
	rt := &roundTripCounter{}
	c.AddHook(rt)
	return func() { b.ReportMetric(float64(rt.n.Load())/float64(b.N), "roundtrips/op") }
}

// withDeadline returns a context with a deadline, as a Lambda invocation's is.
func withDeadline(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	b.Cleanup(cancel)
	return ctx
}

// deadlineBackend returns a backend over a client that bounds its socket I/O by
// context deadlines (ContextTimeoutEnabled, as kvstoreurl's clients have), so that
// the backend runs round trips with a deadline on the caller's goroutine; with
// watch, over a client without it, so that the backend watches the context from a
// goroutine of its own per round trip.
func deadlineBackend(b *testing.B, watch bool) (*redis.Backend, *goredis.Client) {
	c := goredis.NewClient(&goredis.Options{Addr: sharedRedis(b).Addr(), ContextTimeoutEnabled: !watch})
	b.Cleanup(func() { _ = c.Close() })
	return redis.NewBackend(c, redis.WithKeyPrefix(fmt.Sprintf("t%d:", prefixes.Add(1)))), c
}

// BenchmarkGetWithDeadline is BenchmarkGet with a context that has a deadline, on a
// client with ContextTimeoutEnabled (the backend calls go-redis on the caller's
// goroutine); BenchmarkGetWithDeadlineWatched on one without it (the backend watches
// the context from a goroutine per round trip).
func BenchmarkGetWithDeadline(b *testing.B)        { benchGetWithDeadline(b, false) }
func BenchmarkGetWithDeadlineWatched(b *testing.B) { benchGetWithDeadline(b, true) }

func benchGetWithDeadline(b *testing.B, watch bool) {
	be, c := deadlineBackend(b, watch)
	benchGet(b, withDeadline(b), be, c)
}

// BenchmarkSetWithDeadline is BenchmarkSet with a context that has a deadline, as
// BenchmarkGetWithDeadline; BenchmarkSetWithDeadlineWatched likewise.
func BenchmarkSetWithDeadline(b *testing.B)        { benchSetWithDeadline(b, false) }
func BenchmarkSetWithDeadlineWatched(b *testing.B) { benchSetWithDeadline(b, true) }

func benchSetWithDeadline(b *testing.B, watch bool) {
	be, c := deadlineBackend(b, watch)
	benchSet(b, withDeadline(b), be, c)
}
