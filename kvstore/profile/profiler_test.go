package profile_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

func TestWrapCountsOperations(t *testing.T) {
	ctx := t.Context()
	p := profile.New()
	b := profile.Wrap(memory.NewBackend(), p)

	for i := range 3 {
		if err := b.Set(ctx, "k", i); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := b.Get(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Get(ctx, ""); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Fatalf("Get of an empty key: %v, want ErrInvalidArgument", err)
	}
	if err := b.SAdd(ctx, "k", "m"); !errors.Is(err, kvstore.ErrWrongType) {
		t.Fatalf("SAdd on a string: %v, want ErrWrongType", err)
	}
	batch := b.Batch()
	r := batch.Get("k")
	batch.Set("k2", "v")
	if err := batch.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Result(); err != nil || v == nil || *v != "2" {
		t.Fatalf("batched Get = %v, %v; want 2", v, err)
	}
	aw := b.AtomicWrite()
	cond := aw.SetNX("k", "x") // fails: k exists
	if ok, err := aw.Exec(ctx); ok || err != nil || !cond.ConditionalFailed() {
		t.Fatalf("atomic write = %v, %v (failed %v); want a failed condition", ok, err, cond.ConditionalFailed())
	}

	s := p.Snapshot()
	want := map[string][2]int64{ // count, errors
		"Set": {3, 0}, "Get": {3, 1}, "SAdd": {1, 1}, "Batch.Exec": {1, 0}, "AtomicWrite.Exec": {1, 0},
	}
	if len(s.Operations) != len(want) {
		t.Errorf("operations %v, want %v", keys(s.Operations), want)
	}
	for op, w := range want {
		st, ok := s.Operations[op]
		if !ok {
			t.Errorf("no stats for %s", op)
			continue
		}
		if st.Count != w[0] || st.Errors != w[1] {
			t.Errorf("%s: count %d errors %d, want %d and %d", op, st.Count, st.Errors, w[0], w[1])
		}
		if st.Total <= 0 || st.Max <= 0 || st.Max > st.Total {
			t.Errorf("%s: total %v max %v: want 0 < max <= total", op, st.Total, st.Max)
		}
		if st.Histogram.Total() != st.Count {
			t.Errorf("%s: histogram counts %d calls, want %d", op, st.Histogram.Total(), st.Count)
		}
		if m := st.Mean(); m <= 0 || m > st.Max {
			t.Errorf("%s: mean %v, want in (0, %v]", op, m, st.Max)
		}
	}

	p.Reset()
	if s := p.Snapshot(); !s.Empty() {
		t.Errorf("after Reset: %+v, want empty", s)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBackendSpecificProfiles(t *testing.T) {
	p := profile.New()
	boom := errors.New("boom")
	p.ProfileDynamoDBRequest("GetItem", 3*time.Millisecond, 0.5, 0, nil)
	p.ProfileDynamoDBRequest("GetItem", 5*time.Millisecond, 1, 0, boom)
	p.ProfileDynamoDBRequest("TransactWriteItems", 10*time.Millisecond, 0, 4, nil)
	p.ProfileRedisRoundTrip([]string{"get"}, time.Millisecond, nil)
	p.ProfileRedisRoundTrip([]string{"MULTI", "set k v", "hset", "EXEC"}, 2*time.Millisecond, boom)
	p.ProfileCacheRead("Get", true)
	p.ProfileCacheRead("Get", false)
	p.ProfileCacheRead("Get", true)

	s := p.Snapshot()
	g := s.DynamoDB["GetItem"]
	if g.Requests != 2 || g.Errors != 1 || g.ReadCapacityUnits != 1.5 || g.WriteCapacityUnits != 0 ||
		g.Total != 8*time.Millisecond || g.Max != 5*time.Millisecond {
		t.Errorf("GetItem stats %+v", g)
	}
	if tw := s.DynamoDB["TransactWriteItems"]; tw.Requests != 1 || tw.WriteCapacityUnits != 4 {
		t.Errorf("TransactWriteItems stats %+v", tw)
	}
	r := s.Redis
	if r.RoundTrips != 2 || r.Errors != 1 || r.Total != 3*time.Millisecond || r.Max != 2*time.Millisecond {
		t.Errorf("Redis stats %+v", r)
	}
	wantCmds := map[string]int64{"GET": 1, "MULTI": 1, "SET": 1, "HSET": 1, "EXEC": 1}
	if fmt.Sprint(r.Commands) != fmt.Sprint(wantCmds) {
		t.Errorf("Redis commands %v, want %v", r.Commands, wantCmds)
	}
	if c := s.Cache["Get"]; c.Hits != 2 || c.Misses != 1 {
		t.Errorf("cache stats %+v, want 2 hits and 1 miss", c)
	}

	// A snapshot is a copy.
	s.Redis.Commands["GET"] = 100
	if p.Snapshot().Redis.Commands["GET"] != 1 {
		t.Error("changing a snapshot changed the profiler")
	}
}

func TestProfilerConcurrentUse(t *testing.T) {
	p := profile.New()
	var wg sync.WaitGroup
	const goroutines, calls = 8, 500
	for range goroutines {
		wg.Go(func() {
			for range calls {
				p.ProfileOperation("Get", time.Microsecond, nil)
				p.ProfileDynamoDBRequest("Query", time.Microsecond, 1, 0, nil)
				p.ProfileRedisRoundTrip([]string{"GET"}, time.Microsecond, nil)
				p.ProfileCacheRead("Get", true)
				_ = p.Snapshot()
			}
		})
	}
	wg.Wait()
	s := p.Snapshot()
	const n = goroutines * calls
	if s.Operations["Get"].Count != n || s.DynamoDB["Query"].ReadCapacityUnits != n ||
		s.Redis.Commands["GET"] != n || s.Cache["Get"].Hits != n {
		t.Errorf("after %d concurrent calls of each: %+v", n, s)
	}
}

func TestHistogram(t *testing.T) {
	var h profile.Histogram
	if h.Quantile(0.5) != 0 {
		t.Error("quantile of an empty histogram should be 0")
	}
	for range 90 {
		h.Observe(50 * time.Microsecond) // first bucket
	}
	for range 9 {
		h.Observe(3 * time.Millisecond) // the 5ms bucket
	}
	h.Observe(time.Minute) // overflow
	if h.Total() != 100 {
		t.Fatalf("total %d, want 100", h.Total())
	}
	if h.Counts[0] != 90 || h.Counts[profile.NumBuckets-1] != 1 {
		t.Errorf("counts %v", h.Counts)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 100 * time.Microsecond}, {0.9, 100 * time.Microsecond}, {0.95, 5 * time.Millisecond}, {0.99, 5 * time.Millisecond}} {
		if got := h.Quantile(c.q); got != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := h.Quantile(1); got < time.Hour {
		t.Errorf("Quantile(1) = %v, want beyond every bound", got)
	}
	// Bounds are inclusive.
	var e profile.Histogram
	e.Observe(time.Millisecond)
	if e.Quantile(1) != time.Millisecond {
		t.Errorf("1ms falls in bucket up to %v, want 1ms", e.Quantile(1))
	}
}

// recorder is a memory backend that remembers the profilers WithProfiler received,
// to check what a wrapper hands down.
type recorder struct {
	*memory.Backend
	mu  sync.Mutex
	got []any
}

func (r *recorder) WithProfiler(p any) kvstore.Backend {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, p)
	return r
}

func (r *recorder) WithEventuallyConsistentReads() kvstore.Backend { return r }

func TestWrapComposes(t *testing.T) {
	ctx := t.Context()
	rec := &recorder{Backend: memory.NewBackend()}
	p, q := profile.New(), profile.New()
	b := profile.Wrap(rec, p)
	if len(rec.got) != 1 || rec.got[0] != p {
		t.Fatalf("Wrap handed %v to the backend, want the profiler", rec.got)
	}
	if profile.Of(b) != p {
		t.Error("Of(Wrap(b, p)) is not p")
	}
	if profile.Of(memory.NewBackend()) != nil {
		t.Error("Of(memory backend) is not nil")
	}
	if b.Unwrap() != kvstore.Backend(rec) {
		t.Error("Unwrap does not return the profiled backend")
	}

	// WithProfiler(*Profiler) moves both kinds of numbers to the new profiler.
	bq := b.WithProfiler(q)
	if rec.got[len(rec.got)-1] != q || profile.Of(bq) != q {
		t.Error("WithProfiler(q) did not switch to q")
	}
	if _, err := bq.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if q.Snapshot().Operations["Get"].Count != 1 || p.Snapshot().Operations["Get"].Count != 0 {
		t.Error("Get through WithProfiler(q) was not reported to q alone")
	}

	// Another kind of profiler goes to the backend; operations stay with p.
	other := struct{ name string }{"other"}
	bo := b.WithProfiler(other)
	if rec.got[len(rec.got)-1] != any(other) {
		t.Error("WithProfiler(other) did not hand other to the backend")
	}
	if _, err := bo.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if p.Snapshot().Operations["Get"].Count != 1 {
		t.Error("operations of WithProfiler(other) were not reported to p")
	}

	// The eventually consistent view is profiled into the same profiler.
	ev := b.WithEventuallyConsistentReads()
	if _, err := ev.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if p.Snapshot().Operations["Get"].Count != 2 || profile.Of(ev) != p {
		t.Error("eventually consistent view does not report to p")
	}
}

func TestWrapHandlerFlushesPerInvocation(t *testing.T) {
	var out lineBuffer
	p := profile.New(profile.WithWriter(&out))
	b := profile.Wrap(memory.NewBackend(), p)
	h := profile.WrapHandler(p, func(ctx context.Context, key string) (string, error) {
		return "", b.Set(ctx, key, "v")
	})
	for i := range 3 {
		if _, err := h(t.Context(), fmt.Sprint("k", i)); err != nil {
			t.Fatal(err)
		}
		if n := len(out.lines()); n != i+1 {
			t.Fatalf("after %d invocations, %d lines", i+1, n)
		}
	}
	for _, line := range out.lines() {
		doc := parseEMF(t, line)
		if doc["Set.Count"] != 1.0 {
			t.Errorf("each invocation's line should count its one Set: %s", line)
		}
	}
}

func TestLambdaHandlerFlushesPerInvocation(t *testing.T) {
	var out lineBuffer
	p := profile.New(profile.WithWriter(&out))
	inner := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		p.ProfileOperation("Get", time.Millisecond, nil)
		return payload, errors.New("handler failed")
	})
	h := profile.LambdaHandler(p, inner)
	if _, err := h.Invoke(t.Context(), []byte(`{}`)); err == nil {
		t.Fatal("the handler's error was lost")
	}
	lines := out.lines()
	if len(lines) != 1 {
		t.Fatalf("%d lines after one invocation, want 1", len(lines))
	}
	if parseEMF(t, lines[0])["Get.Count"] != 1.0 {
		t.Errorf("line %s lacks Get.Count = 1", lines[0])
	}
}

type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

func TestNilProfilerCollectsNothing(t *testing.T) {
	var p *profile.Profiler
	b := profile.Wrap(memory.NewBackend(), p)
	if err := b.Set(t.Context(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	p.ProfileDynamoDBRequest("GetItem", time.Millisecond, 1, 0, nil)
	p.ProfileRedisRoundTrip([]string{"GET"}, time.Millisecond, nil)
	p.ProfileCacheRead("Get", true)
	p.Reset()
	if !p.Snapshot().Empty() {
		t.Error("a nil profiler has a non-empty snapshot")
	}
	if err := p.Flush(); err != nil {
		t.Errorf("Flush of a nil profiler: %v", err)
	}
}
