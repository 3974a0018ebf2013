package profile_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

// clock is a time source that sleep moves forward instead of waiting.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *clock) sleep(d time.Duration) { c.offset.Add(int64(d)) }

func TestConformance(t *testing.T) {
	p := profile.New()
	c := new(clock)
	kvstoretest.RunWith(t, func(t *testing.T) kvstore.Backend {
		return profile.Wrap(memory.NewBackend(memory.WithClock(c.now)), p)
	}, kvstoretest.Options{Sleep: c.sleep, Now: c.now})
	s := p.Snapshot()
	if s.Operations["Get"].Count == 0 || s.Operations["Batch.Exec"].Count == 0 || s.Operations["AtomicWrite.Exec"].Count == 0 ||
		s.Operations["SetEX"].Count == 0 || s.Operations["TTL"].Count == 0 {
		t.Errorf("the suite's calls were not all profiled: %v", keys(s.Operations))
	}
}

func TestConformanceEventuallyConsistentView(t *testing.T) {
	c := new(clock)
	kvstoretest.RunWith(t, func(t *testing.T) kvstore.Backend {
		return profile.Wrap(memory.NewBackend(memory.WithClock(c.now)), profile.New()).WithEventuallyConsistentReads()
	}, kvstoretest.Options{Sleep: c.sleep, Now: c.now})
}
