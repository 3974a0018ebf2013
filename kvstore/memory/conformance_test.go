package memory_test

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// TestMemory runs the suite on a fresh memory backend per area.
func TestMemory(t *testing.T) {
	kvstoretest.Run(t, func(*testing.T) kvstore.Backend { return memory.NewBackend() })
}

// TestMemoryShared runs the suite on one memory backend that every area shares, as
// a shared server would be: the cases' random key prefixes keep them apart.
func TestMemoryShared(t *testing.T) {
	shared := memory.NewBackend()
	kvstoretest.Run(t, func(*testing.T) kvstore.Backend { return shared })
}
