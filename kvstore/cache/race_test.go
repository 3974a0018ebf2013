package cache_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// gated is a memory backend whose Get reads, then waits for the test to open its gate
// before returning what it read: a slow read that races what happens meanwhile. Its
// Set likewise writes, then waits.
type gated struct {
	*memory.Backend
	getEntered, getRelease chan struct{}
	setEntered, setRelease chan struct{}
}

func newGated() *gated {
	return &gated{Backend: memory.NewBackend()}
}

func (g *gated) Get(ctx context.Context, key string) (*string, error) {
	v, err := g.Backend.Get(ctx, key)
	if g.getEntered != nil {
		g.getEntered <- struct{}{}
		<-g.getRelease
	}
	return v, err
}

func (g *gated) Set(ctx context.Context, key string, value any) error {
	err := g.Backend.Set(ctx, key, value)
	if g.setEntered != nil {
		g.setEntered <- struct{}{}
		<-g.setRelease
	}
	return err
}

func (g *gated) gateGets() {
	g.getEntered, g.getRelease = make(chan struct{}), make(chan struct{})
}

func mustGet(t *testing.T, b kvstore.Backend, key string) string {
	t.Helper()
	v, err := b.Get(t.Context(), key)
	if err != nil || v == nil {
		t.Fatalf("Get %s = %v, %v", key, v, err)
	}
	return *v
}

// A read that saw the value before a write, and returns after the write completed,
// must not cache what it saw.
func TestSlowReadDoesNotCacheAStaleValue(t *testing.T) {
	ctx := t.Context()
	g := newGated()
	g.Backend.Set(ctx, "k", "old")
	c := cache.New(g)
	g.gateGets()

	got := make(chan string)
	go func() {
		v, _ := c.Get(ctx, "k")
		got <- *v
	}()
	<-g.getEntered // the read has seen "old"
	if err := c.Set(ctx, "k", "new"); err != nil {
		t.Fatal(err)
	}
	close(g.getRelease)
	if v := <-got; v != "old" {
		t.Fatalf("the racing read returned %q, want what it saw: old", v)
	}
	g.getEntered = nil
	if v := mustGet(t, c, "k"); v != "new" {
		t.Errorf("Get after the write completed = %q, want new", v)
	}
}

// A read that starts and ends while a write is in flight must not cache its result:
// it may predate the write.
func TestReadDuringWriteIsNotCached(t *testing.T) {
	ctx := t.Context()
	g := newGated()
	g.Backend.Set(ctx, "k", "old")
	c := cache.New(g)
	if v := mustGet(t, c, "k"); v != "old" {
		t.Fatal(v)
	}
	g.setEntered, g.setRelease = make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() { done <- c.Set(ctx, "k", "new") }()
	<-g.setEntered // the write is applied but has not returned
	misses := c.Stats().Misses
	if v := mustGet(t, c, "k"); v != "new" {
		t.Errorf("Get during the write = %q: the cache served a value the write replaced", v)
	}
	mustGet(t, c, "k")
	if n := c.Stats().Misses - misses; n != 2 {
		t.Errorf("%d of 2 reads during the write reached the backend: one was cached", n)
	}
	close(g.setRelease)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "k")
	mustGet(t, c, "k")
	if n := c.Stats().Misses - misses; n != 3 {
		t.Errorf("after the write, %d reads reached the backend, want 3", n)
	}
}

// A read in flight when Reset is called must not cache what it read.
func TestReadDuringResetIsNotCached(t *testing.T) {
	ctx := t.Context()
	g := newGated()
	g.Backend.Set(ctx, "k", "old")
	c := cache.New(g)
	g.gateGets()
	done := make(chan struct{})
	go func() {
		c.Get(ctx, "k")
		close(done)
	}()
	<-g.getEntered
	c.Reset()
	close(g.getRelease)
	<-done
	if n := c.Stats().Entries; n != 0 {
		t.Errorf("%d entries: a read that started before Reset cached its result", n)
	}
}

// jittery is a memory backend whose reads take a random few microseconds after
// reading, so that reads race writes through a cache.
type jittery struct{ *memory.Backend }

func pause() {
	if rand.IntN(2) == 0 {
		time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
	}
}

func (j jittery) Get(ctx context.Context, key string) (*string, error) {
	v, err := j.Backend.Get(ctx, key)
	pause()
	return v, err
}

func (j jittery) Batch() kvstore.BatchOperation { return kvstore.NewFallbackBatch(j) }

func (j jittery) WithEventuallyConsistentReads() kvstore.Backend { return j }

// TestConcurrentReadsNeverGoBackInTime races readers against a writer through one
// cache: a reader must never see a value older than a write that completed before the
// read began, nor older than what it read before.
func TestConcurrentReadsNeverGoBackInTime(t *testing.T) {
	ctx := t.Context()
	c := cache.New(jittery{memory.NewBackend()}, cache.WithMaxEntries(4))
	keys := []string{"a", "b", "c"}
	for _, k := range keys {
		if err := c.Set(ctx, k, 0); err != nil {
			t.Fatal(err)
		}
	}
	// The writer starts once every reader runs, and goes on until it has written at
	// least writes times and the readers have read at least minReads times, so that
	// reads race writes however the scheduler runs the goroutines.
	const writes, minReads, maxWrites = 1500, 4000, 1_000_000
	var written [3]atomic.Int64 // per key, the last write that completed
	var stop atomic.Bool
	var reads atomic.Int64
	var started, wg sync.WaitGroup
	started.Add(4)

	wg.Go(func() {
		defer stop.Store(true)
		started.Wait()
		for i := int64(1); (i <= writes || reads.Load() < minReads) && i <= maxWrites; i++ {
			k := int(i) % len(keys)
			var err error
			switch i % 3 {
			case 0:
				err = c.Set(ctx, keys[k], i)
			case 1:
				b := c.Batch()
				b.Set(keys[k], i)
				err = b.Exec(ctx)
			case 2:
				a := c.AtomicWrite()
				a.Set(keys[k], i)
				_, err = a.Exec(ctx)
			}
			if err != nil {
				t.Error(err)
				return
			}
			written[k].Store(i)
		}
	})
	for r := range 4 {
		var reader kvstore.Backend = c
		if r%2 == 1 {
			reader = c.WithEventuallyConsistentReads()
		}
		wg.Go(func() {
			started.Done()
			var seen [3]int64
			for n := 0; !stop.Load(); n++ {
				reads.Add(1)
				k := rand.IntN(len(keys))
				floor := max(written[k].Load(), seen[k])
				var v *string
				var err error
				if n%4 == 0 {
					b := reader.Batch()
					res := b.Get(keys[k])
					if err = b.Exec(ctx); err == nil {
						v, err = res.Result()
					}
				} else {
					v, err = reader.Get(ctx, keys[k])
				}
				if err != nil || v == nil {
					t.Errorf("Get %s = %v, %v", keys[k], v, err)
					return
				}
				got, _ := strconv.ParseInt(*v, 10, 64)
				if got < floor {
					t.Errorf("read %s = %d, older than %d written or read before", keys[k], got, floor)
					return
				}
				seen[k] = got
			}
		})
	}
	wg.Wait()
	if s := c.Stats(); s.Hits == 0 {
		t.Errorf("no read was served from the cache: the race tested nothing (%+v)", s)
	}
}
