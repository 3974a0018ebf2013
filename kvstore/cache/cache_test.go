package cache_test

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

func TestSecondReadCostsNoBackendCall(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	first := view(ctx, e.c)
	_, n := e.calls()
	if n == 0 {
		t.Fatal("the first reads reached no backend")
	}
	second := view(ctx, e.c)
	if second != first {
		t.Errorf("cached reads differ from the first:\n%s\nvs\n%s", second, first)
	}
	// Reads of the wrong kind of value are errors, never cached: only those repeat.
	failing := int64(strings.Count(first, ": error "))
	if failing == 0 || failing >= n {
		t.Fatalf("%d of %d reads failed: the view should mix both", failing, n)
	}
	e.expectCalls(t, "repeated reads (the failing ones only)", failing)
	// view's two HGets of the hash are answered from its HGetAll, in both views.
	const derived = 2
	if s := e.c.Stats(); s.Hits != n-failing+2*derived || s.Misses != n+failing || s.Entries != int(n-failing) {
		t.Errorf("stats %+v, want %d hits, %d misses and %d entries", s, n-failing+2*derived, n+failing, n-failing)
	}
}

func TestEachReadKindIsCached(t *testing.T) {
	ctx := t.Context()
	inf := math.Inf(1)
	reads := map[string]func(b kvstore.Backend) (any, error){
		"Get":            func(b kvstore.Backend) (any, error) { return b.Get(ctx, kStr) },
		"Get absent":     func(b kvstore.Backend) (any, error) { return b.Get(ctx, "absent") },
		"SMembers":       func(b kvstore.Backend) (any, error) { return b.SMembers(ctx, kSet) },
		"HGetAll":        func(b kvstore.Backend) (any, error) { return b.HGetAll(ctx, kHash) },
		"HGet":           func(b kvstore.Backend) (any, error) { return b.HGet(ctx, kHash, "f") },
		"HGet absent":    func(b kvstore.Backend) (any, error) { return b.HGet(ctx, kHash, "nope") },
		"ZScore":         func(b kvstore.Backend) (any, error) { return b.ZScore(ctx, kZ, "a") },
		"ZScore absent":  func(b kvstore.Backend) (any, error) { return b.ZScore(ctx, kZ, "nope") },
		"ZRangeByScore":  func(b kvstore.Backend) (any, error) { return b.ZRangeByScore(ctx, kZ, -inf, inf, 0) },
		"ZCount":         func(b kvstore.Backend) (any, error) { return b.ZCount(ctx, kZ, 0, 1) },
		"ZLexCount":      func(b kvstore.Backend) (any, error) { return b.ZLexCount(ctx, kZ, "-", "+") },
		"ZRangeByLex":    func(b kvstore.Backend) (any, error) { return b.ZRangeByLex(ctx, kZ, "[a", "+", 1) },
		"ZHRangeByScore": func(b kvstore.Backend) (any, error) { return b.ZHRangeByScoreWithScores(ctx, kZH, 0, 5, 0) },
		"ZHRevRangeByLex": func(b kvstore.Backend) (any, error) {
			return b.ZHRevRangeByLex(ctx, kZH, "-", "+", 0)
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			e := newEnv()
			seed(t, e.mem)
			e.calls()
			v1, err := read(e.c)
			if err != nil {
				t.Fatal(err)
			}
			e.expectCalls(t, "first read", 1)
			v2, err := read(e.c)
			if err != nil {
				t.Fatal(err)
			}
			e.expectCalls(t, "second read", 0)
			if !reflect.DeepEqual(v1, v2) {
				t.Errorf("second read %v, first %v", v2, v1)
			}
			direct, _ := read(e.mem)
			if s, ok := v1.([]string); ok && name == "SMembers" { // in no particular order
				v1, direct = sortedCopy(s), sortedCopy(direct.([]string))
			}
			if !reflect.DeepEqual(v1, direct) {
				t.Errorf("through the cache %v, from the backend %v", v1, direct)
			}
		})
	}
}

func TestDifferentArgumentsAreCachedApart(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	a, _ := e.c.ZRangeByScore(ctx, kZ, 0, 1, 0)
	b, _ := e.c.ZRangeByScore(ctx, kZ, 0, 2, 0)
	c, _ := e.c.ZRangeByScore(ctx, kZ, 0, 2, 1)
	d, _ := e.c.ZRevRangeByScore(ctx, kZ, 0, 2, 1)
	e.expectCalls(t, "four different ranges", 4)
	if len(a) != 1 || len(b) != 2 || len(c) != 1 || d[0] != "b" {
		t.Errorf("ranges %v %v %v %v", a, b, c, d)
	}
	x, _ := e.c.ZLexCount(ctx, kZ, "[a", "[a")
	y, _ := e.c.ZLexCount(ctx, kZ, "[a", "[b")
	if x != 1 || y != 2 {
		t.Errorf("lex counts %d %d, want 1 and 2", x, y)
	}
}

func TestHGetUsesCachedHGetAll(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	if _, err := e.c.HGetAll(ctx, kHash); err != nil {
		t.Fatal(err)
	}
	e.calls()
	f, err := e.c.HGet(ctx, kHash, "g")
	if err != nil || f == nil || *f != "2" {
		t.Fatalf("HGet g = %v, %v", f, err)
	}
	if f, err := e.c.HGet(ctx, kHash, "nope"); err != nil || f != nil {
		t.Fatalf("HGet nope = %v, %v; want nil", f, err)
	}
	e.expectCalls(t, "HGets after HGetAll", 0)
	// Invalid fields still fail as the backend fails them.
	long := string(make([]byte, kvstore.MaxHashFieldSize+1))
	if _, err := e.c.HGet(ctx, kHash, long); err == nil {
		t.Error("HGet of an oversized field succeeded from the cache")
	}
}

func TestReturnedValuesAreCopies(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	m, _ := e.c.HGetAll(ctx, kHash)
	m["f"] = "changed"
	s, _ := e.c.SMembers(ctx, kSet)
	s[0] = "changed"
	r, _ := e.c.ZRangeByScoreWithScores(ctx, kZ, 0, 10, 0)
	r[0].Value = "changed"
	v, _ := e.c.Get(ctx, kStr)
	*v = "changed"
	e.calls()
	e.checkCoherent(t, "after changing returned values")
}

func TestBatchReadsUseTheCache(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	run := func() (kvstore.GetResult, kvstore.SMembersResult, kvstore.HGetAllResult, kvstore.ZScoreResult) {
		t.Helper()
		b := e.c.Batch()
		g, s, h, z := b.Get(kStr), b.SMembers(kSet), b.HGetAll(kHash), b.ZScore(kZ, "b")
		if err := b.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return g, s, h, z
	}
	run()
	by, _ := e.calls()
	if by["Batch.Exec"] != 1 {
		t.Errorf("first batch: calls %v, want one Batch.Exec", by)
	}
	g, s, h, z := run()
	e.expectCalls(t, "second batch of the same reads", 0)
	if v, err := g.Result(); err != nil || *v != "1" {
		t.Errorf("Get = %v, %v", v, err)
	}
	if v, err := s.Result(); err != nil || len(v) != 2 {
		t.Errorf("SMembers = %v, %v", v, err)
	}
	if v, err := h.Result(); err != nil || v["g"] != "2" {
		t.Errorf("HGetAll = %v, %v", v, err)
	}
	if v, err := z.Result(); err != nil || *v != 2 {
		t.Errorf("ZScore = %v, %v", v, err)
	}

	// Single reads use what a batch cached, and the other way round.
	e.c.Get(ctx, kStr)
	e.expectCalls(t, "Get after a batched Get", 0)
	e.c.Get(ctx, "other")
	e.calls()
	b := e.c.Batch()
	r := b.Get("other")
	if err := b.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Result(); err != nil || v != nil {
		t.Errorf("batched Get of an absent key = %v, %v", v, err)
	}
	e.expectCalls(t, "batched Get after a Get", 0)
}

func TestInvalidBatchRunsNothing(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	e.c.Get(ctx, kStr) // cached
	b := e.c.Batch()
	g := b.Get(kStr)
	b.Set(kStr, "2")
	b.Set("", "x")
	if err := b.Exec(ctx); err == nil {
		t.Fatal("a batch with an empty key ran")
	}
	if _, err := g.Result(); err == nil {
		t.Error("a read of an invalid batch has no error")
	}
	e.checkCoherent(t, "after an invalid batch")
}

func TestEventuallyConsistentView(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	ev := e.c.WithEventuallyConsistentReads()
	if ev.Unwrap() == nil {
		t.Fatal("the view wraps nothing")
	}
	// An eventually consistent read may use a strongly consistent one's result.
	e.c.Get(ctx, kStr)
	e.calls()
	ev.Get(ctx, kStr)
	e.expectCalls(t, "eventual Get after a strong Get", 0)
	// Not the other way round.
	ev.SMembers(ctx, kSet)
	e.expectCalls(t, "first eventual SMembers", 1)
	ev.SMembers(ctx, kSet)
	e.expectCalls(t, "second eventual SMembers", 0)
	e.c.SMembers(ctx, kSet)
	e.expectCalls(t, "strong SMembers after an eventual one", 1)

	// Writes through either invalidate both.
	if err := e.c.SAdd(ctx, kSet, "c"); err != nil {
		t.Fatal(err)
	}
	if m, _ := ev.SMembers(ctx, kSet); len(m) != 3 {
		t.Errorf("eventual SMembers after SAdd through the cache = %v", m)
	}
	if err := ev.Set(ctx, kStr, "2"); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.c.Get(ctx, kStr); *v != "2" {
		t.Errorf("Get after Set through the eventual view = %q", *v)
	}
	// Reset through the view resets the shared cache.
	ev.(*cache.Backend).Reset()
	if s := e.c.Stats(); s.Entries != 0 {
		t.Errorf("%d entries after Reset of a view", s.Entries)
	}
}

func TestWithProfilerSharesTheCache(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	q := profile.New()
	v := e.c.WithProfiler(q)
	if profile.Of(v) != q {
		t.Error("the view's backend does not report to the new profiler")
	}
	e.c.Get(ctx, kStr)
	v.Get(ctx, kStr)
	v.Get(ctx, "absent")
	s := q.Snapshot()
	if c := s.Cache["Get"]; c.Hits != 1 || c.Misses != 1 {
		t.Errorf("cache reads reported %+v, want 1 hit and 1 miss", c)
	}
	if s.Operations["Get"].Count != 1 {
		t.Errorf("backend Gets reported to the view's profiler: %d, want 1", s.Operations["Get"].Count)
	}
	// A profiler wrapped around the cache sees every call, hits included.
	p := profile.New()
	outer := profile.Wrap(e.c, p)
	outer.Get(ctx, kStr)
	outer.Get(ctx, kStr)
	if n := p.Snapshot().Operations["Get"].Count; n != 2 {
		t.Errorf("profiler around the cache counted %d Gets, want 2", n)
	}
	if n := p.Snapshot().Cache["Get"].Hits; n != 2 {
		t.Errorf("the cache under a profiling wrapper reported %d hits, want 2", n)
	}
}

func TestLRUBound(t *testing.T) {
	e := newEnv(cache.WithMaxEntries(3))
	ctx := t.Context()
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		if err := e.mem.Set(ctx, k, k); err != nil {
			t.Fatal(err)
		}
		e.c.Get(ctx, k)
	}
	if n := e.c.Stats().Entries; n != 3 {
		t.Fatalf("%d entries, want the bound 3", n)
	}
	e.calls()
	e.c.Get(ctx, "c") // most recently used now: c, e, d
	e.expectCalls(t, "Get of a recent key", 0)
	e.c.Get(ctx, "a") // evicted: a, c, e
	e.expectCalls(t, "Get of an evicted key", 1)
	e.c.Get(ctx, "d") // d was least recently used: evicted by a
	e.expectCalls(t, "Get of the least recently used key", 1)
	e.c.Get(ctx, "c")
	e.c.Get(ctx, "a")
	e.expectCalls(t, "Get of kept keys", 0)
	if n := e.c.Stats().Entries; n != 3 {
		t.Errorf("%d entries, want 3", n)
	}

	u := newEnv(cache.WithMaxEntries(0))
	for i := range 100 {
		u.c.Get(ctx, string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	if n := u.c.Stats().Entries; n != 100 {
		t.Errorf("unbounded cache holds %d entries, want 100", n)
	}
}

func TestReset(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	view(ctx, e.c)
	// A write elsewhere is invisible until Reset.
	if err := e.mem.Set(ctx, kStr, "elsewhere"); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.c.Get(ctx, kStr); *v != "1" {
		t.Fatalf("Get = %q, want the cached 1", *v)
	}
	e.c.Reset()
	if n := e.c.Stats().Entries; n != 0 {
		t.Errorf("%d entries after Reset", n)
	}
	e.checkCoherent(t, "after Reset")

	h := cache.WrapHandler(e.c, func(ctx context.Context, key string) (string, error) {
		v, err := e.c.Get(ctx, key)
		if v == nil {
			return "", err
		}
		return *v, err
	})
	e.mem.Set(ctx, kStr, "invocation 2")
	if v, _ := h(ctx, kStr); v != "invocation 2" {
		t.Errorf("the wrapped handler read %q, want a fresh value", v)
	}
}
