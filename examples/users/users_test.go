package users_test

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// TestStore runs the user store's scenarios on the memory backend.
func TestStore(t *testing.T) {
	RunStoreTests(t, func(*testing.T) kvstore.Backend { return memory.NewBackend() })
}
