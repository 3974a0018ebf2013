package memory_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// clock is a time source that Sleep moves forward instead of waiting.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *clock) sleep(d time.Duration) { c.offset.Add(int64(d)) }

// TestMemory runs the suite on a fresh memory backend per area, with a clock that
// the Expiry area moves.
func TestMemory(t *testing.T) {
	c := new(clock)
	kvstoretest.RunWith(t, func(*testing.T) kvstore.Backend { return memory.NewBackend(memory.WithClock(c.now)) },
		kvstoretest.Options{Sleep: c.sleep, Now: c.now})
}

// TestMemoryShared runs the suite on one memory backend that every area shares, as
// a shared server would be: the cases' random key prefixes keep them apart.
func TestMemoryShared(t *testing.T) {
	c := new(clock)
	shared := memory.NewBackend(memory.WithClock(c.now))
	kvstoretest.RunWith(t, func(*testing.T) kvstore.Backend { return shared }, kvstoretest.Options{Sleep: c.sleep, Now: c.now})
}

// TestMemoryRealTime runs the suite on a backend with the real clock, sleeping.
func TestMemoryRealTime(t *testing.T) {
	kvstoretest.Run(t, func(*testing.T) kvstore.Backend { return memory.NewBackend() })
}
