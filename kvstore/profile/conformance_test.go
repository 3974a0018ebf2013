package profile_test

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

func TestConformance(t *testing.T) {
	p := profile.New()
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
		return profile.Wrap(memory.NewBackend(), p)
	})
	s := p.Snapshot()
	if s.Operations["Get"].Count == 0 || s.Operations["Batch.Exec"].Count == 0 || s.Operations["AtomicWrite.Exec"].Count == 0 {
		t.Errorf("the suite's calls were not all profiled: %v", keys(s.Operations))
	}
}

func TestConformanceEventuallyConsistentView(t *testing.T) {
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
		return profile.Wrap(memory.NewBackend(), profile.New()).WithEventuallyConsistentReads()
	})
}
