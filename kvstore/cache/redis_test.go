package cache_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/profile"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// newRedis returns a Redis backend on a redis-server of the test's own, and its client.
func newRedis(t *testing.T) (*redis.Backend, *goredis.Client) {
	t.Helper()
	srv := testservers.StartRedis(t)
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return redis.NewBackend(c, redis.WithKeyPrefix("cache:")), c
}

// TestCachesOverRedis checks that every read kind is cached over Redis, single and
// batched, and that a cached read answers what Redis holds.
func TestCachesOverRedis(t *testing.T) {
	ctx := t.Context()
	be, _ := newRedis(t)
	p := profile.New()
	c := cache.New(profile.Wrap(be, p))
	seed(t, be)
	e := &env{p: p, c: c}
	e.calls()
	first := view(ctx, c)
	_, n := e.calls()
	if n == 0 {
		t.Fatal("the first reads reached no backend")
	}
	if second := view(ctx, c); second != first {
		t.Errorf("cached reads differ from the first:\n%s\nvs\n%s", second, first)
	}
	if direct := view(ctx, be); direct != first {
		t.Errorf("cached reads differ from Redis:\n%s\nvs\n%s", first, direct)
	}
	// Only the reads of the wrong kind of value (errors, never cached) go to Redis again.
	by, again := e.calls()
	if again == 0 || again >= n {
		t.Errorf("second view: %d backend calls %v, want some (the failing reads) and fewer than %d", again, by, n)
	}
	if st := c.Stats(); st.Hits < n-again || st.Entries == 0 {
		t.Errorf("Stats = %+v, want at least %d hits", st, n-again)
	}

	// A second Get is a hit.
	before := c.Stats()
	for range 2 {
		if got, err := c.Get(ctx, "fresh"); err != nil || got != nil {
			t.Fatalf("Get = %v, %v; want nil", got, err)
		}
	}
	if st := c.Stats(); st.Hits != before.Hits+1 || st.Misses != before.Misses+1 {
		t.Errorf("two Gets: stats %+v then %+v, want one more miss and one more hit", before, st)
	}

	// Batched reads are cached too.
	e.calls()
	for i := range 2 {
		b := c.Batch()
		g, s, h, z := b.Get(kStr), b.SMembers(kSet), b.HGetAll(kHash), b.ZScore(kZ, "a")
		if err := b.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := g.Result(); err != nil || v == nil || *v != "1" {
			t.Errorf("batch %d: Get = %v, %v; want 1", i, v, err)
		}
		if v, err := s.Result(); err != nil || len(v) != 2 {
			t.Errorf("batch %d: SMembers = %v, %v; want 2 members", i, v, err)
		}
		if v, err := h.Result(); err != nil || !reflect.DeepEqual(v, map[string]string{"f": "1", "g": "2"}) {
			t.Errorf("batch %d: HGetAll = %v, %v", i, v, err)
		}
		if v, err := z.Result(); err != nil || v == nil || *v != 1 {
			t.Errorf("batch %d: ZScore = %v, %v; want 1", i, v, err)
		}
	}
	// The batch's reads were cached by the views above already.
	e.expectCalls(t, "two batches of cached reads", 0)
	c.Reset()
	for range 2 {
		b := c.Batch()
		b.Get(kStr)
		b.ZScore(kZ, "b")
		if err := b.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.expectCalls(t, "two batches after Reset", 1)
}

// TestNoExpiredValueOverRedis checks that the cache serves a value read from Redis
// only until it expires, for single, range and batched reads.
func TestNoExpiredValueOverRedis(t *testing.T) {
	ctx := t.Context()
	be, _ := newRedis(t)
	c := cache.New(be)
	const ttl = 300 * time.Millisecond
	if err := c.SetEX(ctx, "v", "x", ttl); err != nil {
		t.Fatal(err)
	}
	if err := c.ZAdd(ctx, "z", "m", 1); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Expire(ctx, "z", ttl); err != nil || !ok {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	if err := c.Set(ctx, "forever", "y"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	inf := math.Inf(1)
	read := func() (*string, []string, *string, error) {
		v, err := c.Get(ctx, "v")
		if err != nil {
			return nil, nil, nil, err
		}
		r, err := c.ZRangeByScore(ctx, "z", -inf, inf, 0)
		if err != nil {
			return nil, nil, nil, err
		}
		b := c.Batch()
		g := b.Get("v")
		if err := b.Exec(ctx); err != nil {
			return nil, nil, nil, err
		}
		bv, err := g.Result()
		return v, r, bv, err
	}
	// The reads before the expiry are checked only when they ended before it (a
	// loaded machine may be slower); what follows the expiry is checked always.
	slow := false
	for range 2 {
		v, r, bv, err := read()
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(start) >= ttl {
			t.Logf("the reads before the expiry ended after it: not checked")
			slow = true
			break
		}
		if v == nil || *v != "x" || len(r) != 1 || bv == nil || *bv != "x" {
			t.Fatalf("before expiry: Get %v, ZRangeByScore %v, batched Get %v; want x, [m], x", v, r, bv)
		}
	}
	if st := c.Stats(); !slow && st.Hits < 3 {
		t.Errorf("stats %+v: the reads before expiry were not cached", st)
	}
	for range 2 {
		if got, err := c.Get(ctx, "forever"); err != nil || got == nil || *got != "y" {
			t.Fatalf("Get = %v, %v; want y", got, err)
		}
	}

	time.Sleep(max(ttl-time.Since(start), 0) + 50*time.Millisecond)
	v, r, bv, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if v != nil || len(r) != 0 || bv != nil {
		t.Errorf("after expiry: Get %v, ZRangeByScore %v, batched Get %v; want nil, [], nil", v, r, bv)
	}
	before := c.Stats()
	if got, err := c.Get(ctx, "forever"); err != nil || got == nil || *got != "y" {
		t.Fatalf("Get = %v, %v; want y", got, err)
	}
	if st := c.Stats(); st.Hits != before.Hits+1 {
		t.Errorf("a value without expiry is no longer cached: stats %+v then %+v", before, st)
	}
}

// TestConformanceOverRedis runs the conformance suite through the cache over Redis.
func TestConformanceOverRedis(t *testing.T) {
	be, _ := newRedis(t)
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return cache.New(be) })
}
