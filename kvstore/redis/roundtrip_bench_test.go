package redis_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
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

// withDeadline returns a context with a deadline, as a Lambda invocation's is: the
// backend then runs each round trip on a goroutine so as to return when the context
// ends (see roundTrip). BenchmarkGet and BenchmarkSet use context.Background, which
// never ends, and skip that goroutine.
func withDeadline(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	b.Cleanup(cancel)
	return ctx
}

// BenchmarkGetWithDeadline is BenchmarkGet with a context that has a deadline.
func BenchmarkGetWithDeadline(b *testing.B) {
	be, c := newBackend(b)
	ctx := withDeadline(b)
	if err := be.Set(ctx, "k", "value"); err != nil {
		b.Fatal(err)
	}
	defer countRoundTrips(b, c)()
	for b.Loop() {
		if _, err := be.Get(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetWithDeadline is BenchmarkSet with a context that has a deadline.
func BenchmarkSetWithDeadline(b *testing.B) {
	be, c := newBackend(b)
	ctx := withDeadline(b)
	defer countRoundTrips(b, c)()
	for b.Loop() {
		if err := be.Set(ctx, "k", "value"); err != nil {
			b.Fatal(err)
		}
	}
}
