package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

// TestExpiredNotServed checks that a cached read is served until what it read
// expires, and not after.
func TestExpiredNotServed(t *testing.T) {
	ctx := context.Background()
	clk := new(clock)
	mem := memory.NewBackend(memory.WithClock(clk.now))
	p := profile.New()
	c := cache.New(profile.Wrap(mem, p))
	e := &env{mem: mem, p: p, c: c}

	if err := c.ZAdd(ctx, "s", "m", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Expire(ctx, "s", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.SetEX(ctx, "s", "v", time.Second); err != nil { // the value's own expiry
		t.Fatal(err)
	}
	if err := c.Set(ctx, "n", "forever"); err != nil {
		t.Fatal(err)
	}
	e.calls()
	for range 2 {
		got, err := c.Get(ctx, "s")
		if err != nil || got == nil || *got != "v" {
			t.Fatalf("Get = %v, %v; want v", got, err)
		}
		if n, err := c.ZCount(ctx, "s", 0, 2); err != nil || n != 1 {
			t.Fatalf("ZCount = %d, %v; want 1", n, err)
		}
		if _, err := c.Get(ctx, "n"); err != nil {
			t.Fatal(err)
		}
	}
	e.expectCalls(t, "three reads twice, before expiry", 3)

	clk.sleep(1500 * time.Millisecond) // the value has expired, not the sorted data
	if got, err := c.Get(ctx, "s"); err != nil || got != nil {
		t.Errorf("Get of an expired value = %v, %v; want nil", got, err)
	}
	if n, err := c.ZCount(ctx, "s", 0, 2); err != nil || n != 1 {
		t.Errorf("ZCount of unexpired sorted data = %d, %v; want 1", n, err)
	}
	if got, err := c.Get(ctx, "n"); err != nil || got == nil || *got != "forever" {
		t.Errorf("Get = %v, %v; want forever", got, err)
	}
	e.expectCalls(t, "reads after the value expired", 1)

	clk.sleep(time.Second)
	if n, err := c.ZCount(ctx, "s", 0, 2); err != nil || n != 0 {
		t.Errorf("ZCount of expired sorted data = %d, %v; want 0", n, err)
	}
	e.expectCalls(t, "ZCount after the sorted data expired", 1)
}

// TestExpiryWritesInvalidate checks that Expire and Persist through the cache
// invalidate what it holds of the key.
func TestExpiryWritesInvalidate(t *testing.T) {
	ctx := context.Background()
	clk := new(clock)
	c := cache.New(memory.NewBackend(memory.WithClock(clk.now)))
	if err := c.Set(ctx, "s", "v"); err != nil {
		t.Fatal(err)
	}
	if err := c.ZAdd(ctx, "s", "m", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "s"); err != nil { // cached, without expiry
		t.Fatal(err)
	}
	if _, err := c.ZScore(ctx, "s", "m"); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Expire(ctx, "s", time.Second); err != nil || !ok {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	clk.sleep(2 * time.Second)
	if got, err := c.Get(ctx, "s"); err != nil || got != nil {
		t.Errorf("Get after Expire and expiry = %v, %v; want nil", got, err)
	}
	if got, err := c.ZScore(ctx, "s", "m"); err != nil || got != nil {
		t.Errorf("ZScore after Expire and expiry = %v, %v; want nil", got, err)
	}
}

// noReport passes Get on without the cache's expiry report, as a backend that does
// not tell expiries would.
type noReport struct{ kvstore.Backend }

func (n noReport) Get(ctx context.Context, key string) (*string, error) {
	return n.Backend.Get(expiryreport.NewContext(ctx, nil), key)
}

// TestNoReportNoCaching checks that a read for which the backend reports no expiry is
// not cached.
func TestNoReportNoCaching(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewBackend()
	c := cache.New(noReport{mem})
	if err := c.Set(ctx, "s", "v"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := c.Get(ctx, "s"); err != nil || got == nil || *got != "v" {
			t.Fatalf("Get = %v, %v; want v", got, err)
		}
	}
	if st := c.Stats(); st.Entries != 0 || st.Hits != 0 {
		t.Errorf("Stats = %+v, want no entries and no hits", st)
	}
	// Reads the backend reports on are cached.
	for range 2 {
		if _, err := c.SMembers(ctx, "set"); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Stats(); st.Entries != 1 || st.Hits != 1 {
		t.Errorf("Stats = %+v, want 1 entry and 1 hit", st)
	}
}
