package cache_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

// clock is a time source that sleep moves forward instead of waiting.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *clock) sleep(d time.Duration) { c.offset.Add(int64(d)) }

func TestConformance(t *testing.T) {
	c := new(clock)
	kvstoretest.RunWith(t, func(t *testing.T) kvstore.Backend {
		return cache.New(memory.NewBackend(memory.WithClock(c.now)))
	}, kvstoretest.Options{Sleep: c.sleep, Now: c.now})
}

func TestConformanceEventuallyConsistentView(t *testing.T) {
	c := new(clock)
	kvstoretest.RunWith(t, func(t *testing.T) kvstore.Backend {
		return cache.New(memory.NewBackend(memory.WithClock(c.now))).WithEventuallyConsistentReads()
	}, kvstoretest.Options{Sleep: c.sleep, Now: c.now})
}

// A bound of a few entries makes evictions constant.
func TestConformanceTinyCache(t *testing.T) {
	c := new(clock)
	kvstoretest.RunWith(t, func(t *testing.T) kvstore.Backend {
		return cache.New(memory.NewBackend(memory.WithClock(c.now)), cache.WithMaxEntries(3))
	}, kvstoretest.Options{Sleep: c.sleep, Now: c.now})
}

func TestConformanceWithProfiler(t *testing.T) {
	c := new(clock)
	kvstoretest.RunWith(t, func(t *testing.T) kvstore.Backend {
		p := profile.New()
		return profile.Wrap(cache.New(profile.Wrap(memory.NewBackend(memory.WithClock(c.now)), p)).WithProfiler(p), p)
	}, kvstoretest.Options{Sleep: c.sleep, Now: c.now})
}
