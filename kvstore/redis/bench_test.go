package redis_test

import (
	"context"
	"strconv"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// The benchmarks run one call at a time against the package's redis-server on
// loopback, so ns/op is mostly one round trip. Each kvstore benchmark has a raw
// go-redis reference doing the same work with the plainest commands, to show the
// backend's own cost. Each reports its round trips per operation (roundtrips/op).

func BenchmarkGet(b *testing.B) {
	be, c := newBackend(b)
	benchGet(b, ctx, be, c)
}

// benchGet times Gets of one key through be (c is its client) with ctx.
func benchGet(b *testing.B, ctx context.Context, be *redis.Backend, c *goredis.Client) {
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

func BenchmarkRawGet(b *testing.B) {
	c := newClient(b, sharedRedis(b).Addr())
	if err := c.Set(ctx, "rawbench:k", "value", 0).Err(); err != nil {
		b.Fatal(err)
	}
	defer countRoundTrips(b, c)()
	for b.Loop() {
		if err := c.Get(ctx, "rawbench:k").Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	be, c := newBackend(b)
	benchSet(b, ctx, be, c)
}

// benchSet times Sets of one key through be (c is its client) with ctx.
func benchSet(b *testing.B, ctx context.Context, be *redis.Backend, c *goredis.Client) {
	defer countRoundTrips(b, c)()
	for b.Loop() {
		if err := be.Set(ctx, "k", "value"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawSet(b *testing.B) {
	c := newClient(b, sharedRedis(b).Addr())
	defer countRoundTrips(b, c)()
	for b.Loop() {
		if err := c.Set(ctx, "rawbench:k", "value", 0).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkZAdd(b *testing.B) {
	be, c := newBackend(b)
	i := 0
	defer countRoundTrips(b, c)()
	for b.Loop() {
		if err := be.ZAdd(ctx, "z", strconv.Itoa(i%1000), float64(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkRawZAdd(b *testing.B) {
	c := newClient(b, sharedRedis(b).Addr())
	i := 0
	defer countRoundTrips(b, c)()
	for b.Loop() {
		if err := c.ZAdd(ctx, "rawbench:z", goredis.Z{Score: float64(i), Member: strconv.Itoa(i % 1000)}).Err(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkBatchSet1000(b *testing.B) {
	be, c := newBackend(b)
	keys := benchKeys("k", 1000)
	defer countRoundTrips(b, c)()
	for b.Loop() {
		batch := be.Batch()
		for _, k := range keys {
			batch.Set(k, "value")
		}
		if err := batch.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawPipelineSet1000(b *testing.B) {
	c := newClient(b, sharedRedis(b).Addr())
	keys := benchKeys("rawbench:k", 1000)
	defer countRoundTrips(b, c)()
	for b.Loop() {
		pipe := c.Pipeline()
		for _, k := range keys {
			pipe.Set(ctx, k, "value", 0)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAtomicWrite25(b *testing.B) {
	be, c := newBackend(b)
	keys := benchKeys("a", 25)
	defer countRoundTrips(b, c)()
	for b.Loop() {
		w := be.AtomicWrite()
		for _, k := range keys {
			w.Set(k, "value")
		}
		if ok, err := w.Exec(ctx); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkRawMultiExec25 is the raw reference for an atomic write: MULTI, 25 SETs,
// EXEC in one round trip (no conditions or type checks).
func BenchmarkRawMultiExec25(b *testing.B) {
	c := newClient(b, sharedRedis(b).Addr())
	keys := benchKeys("rawbench:a", 25)
	defer countRoundTrips(b, c)()
	for b.Loop() {
		pipe := c.TxPipeline()
		for _, k := range keys {
			pipe.Set(ctx, k, "value", 0)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func benchKeys(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}
