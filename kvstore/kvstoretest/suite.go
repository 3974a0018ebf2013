package kvstoretest

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// area is one group of cases that share a backend.
type area struct {
	name string
	run  func(t *testing.T, b kvstore.Backend)
}

// areas lists the suite's areas in the order they start.
var areas = []area{
	{"Strings", testStrings},
	{"Counters", testCounters},
	{"Values", testValues},
	{"Kinds", testKinds},
	{"Sets", testSets},
	{"Hashes", testHashes},
	{"Sorted", testSorted},
	{"SortedLex", testSortedLex},
	{"SortedHash", testSortedHash},
	{"Limits", testLimits},
	{"Batch", testBatch},
	{"AtomicWrite", testAtomicWrite},
	{"Contexts", testContexts},
	{"Concurrency", testConcurrency},
	{"Wrappers", testWrappers},
}

// Run runs the conformance suite against backends from newBackend, which it calls
// once per area with that area's *testing.T (so newBackend may register cleanups and
// call t.Fatal). It returns when every case has finished. See the package
// documentation for an example.
func Run(t *testing.T, newBackend func(t *testing.T) kvstore.Backend) {
	t.Helper()
	// The areas run in parallel inside one subtest, which t.Run waits for, so that
	// they finish before Run returns.
	t.Run("kvstore", func(t *testing.T) {
		for _, a := range areas {
			t.Run(a.name, func(t *testing.T) {
				t.Parallel()
				b := newBackend(t)
				if b == nil {
					t.Fatal("newBackend returned nil")
				}
				a.run(t, b)
			})
		}
	})
}
