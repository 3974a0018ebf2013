package kvstoretest_test

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
)

// TestRandomKey checks that RandomKey does not repeat itself.
func TestRandomKey(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		k := kvstoretest.RandomKey(t)
		if seen[k] || k == "" {
			t.Fatalf("RandomKey returned %q twice", k)
		}
		seen[k] = true
	}
}
