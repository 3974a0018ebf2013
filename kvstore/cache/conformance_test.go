package cache_test

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

func TestConformance(t *testing.T) {
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
		return cache.New(memory.NewBackend())
	})
}

func TestConformanceEventuallyConsistentView(t *testing.T) {
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
		return cache.New(memory.NewBackend()).WithEventuallyConsistentReads()
	})
}

// A bound of a few entries makes evictions constant.
func TestConformanceTinyCache(t *testing.T) {
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
		return cache.New(memory.NewBackend(), cache.WithMaxEntries(3))
	})
}

func TestConformanceWithProfiler(t *testing.T) {
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
		p := profile.New()
		return profile.Wrap(cache.New(profile.Wrap(memory.NewBackend(), p)).WithProfiler(p), p)
	})
}
