package redis_test

import (
	"slices"
	"testing"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestBatchSetsAsMSET checks that runs of consecutive Sets in a batch go out as one
// MSET each, in the same round trip as the other operations, and keep queue order:
// the last of several Sets to one key wins, and a Set after a Delete of its key
// stands.
func TestBatchSetsAsMSET(t *testing.T) {
	srv := testservers.StartRedis(t)
	raw := newClient(t, srv.Addr())
	b := redis.NewBackend(raw)
	if err := b.SAdd(ctx, "k", "a set the Sets replace"); err != nil {
		t.Fatal(err)
	}
	p := &namesProfiler{}
	bt := b.WithProfiler(p).Batch()
	results := []kvstore.ErrorResult{bt.Set("k", "a"), bt.Set("k", "b"), bt.Set("j", 1), bt.Delete("k2"), bt.Set("k2", "c"), bt.Set("k2", "d")}
	get := bt.Get("j")
	results = append(results, bt.Set("last", "alone"))
	if err := bt.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if err := r.Result(); err != nil {
			t.Errorf("result %d: %v", i, err)
		}
	}
	if v, err := get.Result(); err != nil || v == nil || *v != "1" {
		t.Errorf("Get in the batch = %v, %v", str(v), err)
	}
	// One round trip: MSET k j, SCRIPT LOAD and the Delete's script, MSET k2, GET,
	// and the last Set alone.
	if len(p.trips) != 1 {
		t.Fatalf("%d round trips, want 1", len(p.trips))
	}
	if got := p.trips[0]; slices.Index(got, "mset") != 1 || len(got) != 6 || got[len(got)-1] != "set" {
		t.Errorf("batch commands %q, want script load, mset, evalsha, mset, get, set", got)
	}
	for k, want := range map[string]string{"k": "b", "j": "1", "k2": "d", "last": "alone"} {
		if v, err := b.Get(ctx, k); err != nil || v == nil || *v != want {
			t.Errorf("Get(%q) = %v, %v; want %q", k, str(v), err, want)
		}
	}
}
