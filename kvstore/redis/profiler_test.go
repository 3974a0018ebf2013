package redis_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/profile"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// The profiler of package profile is one the backend reports to.
var _ redis.RoundTripProfiler = (*profile.Profiler)(nil)

// roundTrips records what the backend reports.
type roundTrips struct {
	mu    sync.Mutex
	trips [][]string
	errs  []error
}

func (r *roundTrips) ProfileRedisRoundTrip(commands []string, _ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trips = append(r.trips, slices.Clone(commands))
	r.errs = append(r.errs, err)
}

// take returns and forgets the round trips recorded so far.
func (r *roundTrips) take() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.trips
	r.trips, r.errs = nil, nil
	return out
}

func TestRoundTrips(t *testing.T) {
	b, raw := newBackend(t)
	p := &roundTrips{}
	pb := b.WithProfiler(p)

	if err := pb.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if got := p.take(); !slices.EqualFunc(got, [][]string{{"set"}}, slices.Equal) {
		t.Errorf("Set: round trips %q, want [[set]]", got)
	}

	// After SCRIPT FLUSH, the first script call needs EVALSHA then EVAL; later ones
	// one EVALSHA.
	if err := raw.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	atomic := func() {
		t.Helper()
		w := pb.AtomicWrite()
		for i := range 25 {
			w.Set("a"+strconv.Itoa(i), i)
		}
		w.ZAdd("z", "m", 1)
		w.NIncrBy("n", 1)
		if ok, err := w.Exec(ctx); !ok || err != nil {
			t.Fatalf("Exec = %v, %v", ok, err)
		}
	}
	atomic()
	if got := p.take(); !slices.EqualFunc(got, [][]string{{"evalsha"}, {"eval"}}, slices.Equal) {
		t.Errorf("atomic write after SCRIPT FLUSH: round trips %q, want [[evalsha] [eval]]", got)
	}
	atomic()
	if got := p.take(); !slices.EqualFunc(got, [][]string{{"evalsha"}}, slices.Equal) {
		t.Errorf("atomic write: round trips %q, want [[evalsha]]", got)
	}
	t.Logf("atomic write of 27 operations: 1 round trip (2 right after SCRIPT FLUSH)")

	// A batch of 500 operations of every kind is one pipeline, scripts loaded in it.
	if err := raw.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	batch := pb.Batch()
	var results []kvstore.ErrorResult
	for i := range 50 {
		k := "b" + strconv.Itoa(i)
		results = append(results, batch.Set(k, i), batch.SAdd(k+"s", "x", "y"), batch.SRem(k+"s", "x"),
			batch.ZAdd(k, "m", float64(i)), batch.ZRem(k, "gone"), batch.Delete(k+"d"))
		batch.Get(k)
		batch.SMembers(k + "s")
		batch.ZScore(k, "m")
		batch.HGetAll(k + "h")
	}
	if err := batch.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if err := r.Result(); err != nil {
			t.Fatal(err)
		}
	}
	got := p.take()
	if len(got) != 1 || len(got[0]) != 501 || got[0][0] != "script" {
		t.Errorf("batch of 500: %d round trips, commands of the first: %d (first %q); want 1 round trip of SCRIPT LOAD and 500 commands", len(got), len(got[0]), got[0][:1])
	} else {
		t.Logf("batch of 500 operations: 1 round trip of %d commands", len(got[0]))
	}

	// Ranges are one script call once Redis has the script; the view does not
	// change the backend it came from.
	for range 2 {
		p.take()
		if _, err := pb.ZRangeByScore(ctx, "b1", 0, 10, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if got := p.take(); !slices.EqualFunc(got, [][]string{{"evalsha"}}, slices.Equal) {
		t.Errorf("range then unprofiled Get: round trips %q, want [[evalsha]]", got)
	}
}

func TestWithProfilerIgnoresUnknownTypes(t *testing.T) {
	b, _ := newBackend(t)
	for _, p := range []any{nil, "profiler", 42, struct{}{}} {
		if got := b.WithProfiler(p); got != kvstore.Backend(b) {
			t.Errorf("WithProfiler(%T) returned a new backend, want the same one", p)
		}
	}
	if b.WithEventuallyConsistentReads() != kvstore.Backend(b) || b.Unwrap() != nil {
		t.Error("WithEventuallyConsistentReads must return b and Unwrap nil")
	}
}

func TestProfilerSeesErrors(t *testing.T) {
	b, _ := newBackend(t)
	p := &roundTrips{}
	pb := b.WithProfiler(p)
	if err := pb.SAdd(ctx, "s", "m"); err != nil {
		t.Fatal(err)
	}
	p.take()
	if _, err := pb.Get(ctx, "s"); err == nil {
		t.Fatal("Get of a set succeeded")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errs) != 1 || p.errs[0] == nil {
		t.Errorf("profiler errors = %v, want the WRONGTYPE reply", p.errs)
	}
}
