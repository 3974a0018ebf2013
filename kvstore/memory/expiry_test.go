package memory

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// testClock is a clock that advance moves.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// sizes returns the number of values, sorted sets and heap entries the backend holds.
func (b *Backend) sizes() (values, sorted, heap int) {
	for i := range b.shards {
		s := &b.shards[i]
		s.mu.RLock()
		values, sorted, heap = values+len(s.values), sorted+len(s.sorted), heap+len(s.expiries)
		s.mu.RUnlock()
	}
	return values, sorted, heap
}

// TestReclaimOnWrite checks that writes reclaim expired keys of their shard, so that
// a backend whose keys keep expiring does not grow.
func TestReclaimOnWrite(t *testing.T) {
	ctx := context.Background()
	c := new(testClock)
	b := NewBackend(WithClock(c.now))
	b.sweepEvery = time.Hour // only writes reclaim
	for i := range 1000 {
		k := "k" + strconv.Itoa(i)
		if err := b.SetEX(ctx, k, "v", time.Second); err != nil {
			t.Fatal(err)
		}
		if err := b.ZAdd(ctx, "z"+k, "m", 1); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Expire(ctx, "z"+k, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	c.advance(2 * time.Second)
	// 2000 expired keys in 32 shards, 16 reclaimed per write:
	// about 40 writes per shard are plenty.
	const writes = 40 * numShards
	for i := range writes {
		if err := b.Set(ctx, "w"+strconv.Itoa(i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	if v, z, h := b.sizes(); v != writes || z != 0 || h != 0 {
		t.Errorf("after the keys expired and writes: %d values, %d sorted sets, %d heap entries; want %d, 0, 0", v, z, h, writes)
	}
}

// TestSweeper checks that the sweeper reclaims expired keys without writes, and
// exits once no key has an expiry.
func TestSweeper(t *testing.T) {
	ctx := context.Background()
	c := new(testClock)
	b := NewBackend(WithClock(c.now))
	b.sweepEvery = time.Millisecond
	for i := range 100 {
		if err := b.SetEX(ctx, "k"+strconv.Itoa(i), "v", time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if !b.sweeping.Load() {
		t.Fatal("no sweeper runs while keys expire")
	}
	c.advance(2 * time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for b.sweeping.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if b.sweeping.Load() {
		t.Error("the sweeper still runs 10s after every key expired")
	}
	if v, z, h := b.sizes(); v != 0 || z != 0 || h != 0 {
		t.Errorf("after the sweep: %d values, %d sorted sets, %d heap entries; want none", v, z, h)
	}
}

// TestReexpireBounded checks that expiring one key again and again does not grow the
// heap.
func TestReexpireBounded(t *testing.T) {
	ctx := context.Background()
	b := NewBackend()
	if err := b.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	for i := range 10000 {
		if _, err := b.Expire(ctx, "k", time.Hour+time.Duration(i)*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, h := b.sizes(); h > 128 {
		t.Errorf("%d heap entries for one expiring key", h)
	}
	if _, err := b.Persist(ctx, "k"); err != nil {
		t.Fatal(err)
	}
}
