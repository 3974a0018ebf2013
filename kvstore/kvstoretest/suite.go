package kvstoretest

import (
	"testing"
	"time"

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

// Options configure RunWith.
type Options struct {
	// Sleep waits for d to pass on the backend's clock, for the Expiry area; nil means
	// time.Sleep. A backend with a settable clock (memory.WithClock) moves it instead
	// of sleeping.
	Sleep func(d time.Duration)
	// Now returns the backend's time, from which the Expiry area computes the
	// absolute expiries it sets (ExpireAt, ...); nil means time.Now. A backend with a
	// settable clock passes it.
	Now func() time.Time
}

// Run runs the conformance suite against backends from newBackend, which it calls
// once per area with that area's *testing.T (so newBackend may register cleanups and
// call t.Fatal). It returns when every case has finished. See the package
// documentation for an example. The Expiry area sleeps for real: see RunWith.
func Run(t *testing.T, newBackend func(t *testing.T) kvstore.Backend) {
	t.Helper()
	RunWith(t, newBackend, Options{})
}

// RunWith is Run with options.
func RunWith(t *testing.T, newBackend func(t *testing.T) kvstore.Backend, o Options) {
	t.Helper()
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	all := append(areas[:len(areas):len(areas)], area{"Expiry", func(t *testing.T, b kvstore.Backend) {
		testExpiry(t, b, o.Now, o.Sleep)
	}})
	// The areas run in parallel inside one subtest, which t.Run waits for, so that
	// they finish before Run returns.
	t.Run("kvstore", func(t *testing.T) {
		for _, a := range all {
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
