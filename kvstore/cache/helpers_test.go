package cache_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

// env is a cache over a memory backend, with a profiling wrapper between them that
// counts the calls reaching the backend.
type env struct {
	mem *memory.Backend
	p   *profile.Profiler
	c   *cache.Backend
}

func newEnv(opts ...cache.Option) *env {
	mem := memory.NewBackend()
	p := profile.New()
	return &env{mem: mem, p: p, c: cache.New(profile.Wrap(mem, p), opts...)}
}

// calls returns the number of backend calls since the last call to calls, by
// operation ("Get", "Batch.Exec", ...), and in total.
func (e *env) calls() (map[string]int64, int64) {
	s := e.p.Snapshot()
	e.p.Reset()
	by := make(map[string]int64)
	var total int64
	for op, st := range s.Operations {
		by[op] = st.Count
		total += st.Count
	}
	return by, total
}

// expectCalls fails unless exactly n backend calls happened since the last check.
func (e *env) expectCalls(t *testing.T, what string, n int64) {
	t.Helper()
	by, total := e.calls()
	if total != n {
		t.Errorf("%s: %d backend calls %v, want %d", what, total, by, n)
	}
}

// The keys view reads: a string, a set, a hash and a sorted set (beside the string).
const (
	kStr  = "str"
	kSet  = "set"
	kHash = "hash"
	kZ    = "str" // sorted data lives beside the string's value
	kZH   = "zh"
)

// view reads everything the cache may cache about the test keys through b, as text:
// two backends hold the same data when their views are equal. Errors are part of the
// view (reading a key of the wrong kind is one).
func view(ctx context.Context, b kvstore.Backend) string {
	out := ""
	add := func(name string, v any, err error) {
		if err != nil {
			out += fmt.Sprintf("%s: error %v\n", name, err)
			return
		}
		switch v := v.(type) {
		case *string:
			if v == nil {
				out += name + ": nil\n"
				return
			}
			out += fmt.Sprintf("%s: %q\n", name, *v)
		case *float64:
			if v == nil {
				out += name + ": nil\n"
				return
			}
			out += fmt.Sprintf("%s: %v\n", name, *v)
		case []string:
			out += fmt.Sprintf("%s: %q\n", name, sortedCopy(v))
		case kvstore.ScoredMembers:
			s := ""
			for _, m := range v {
				s += fmt.Sprintf("%v=%q ", m.Score, m.Value)
			}
			out += fmt.Sprintf("%s: [%s]\n", name, s)
		default:
			out += fmt.Sprintf("%s: %v\n", name, v)
		}
	}
	inf := math.Inf(1)
	for _, k := range []string{kStr, kSet, kHash} {
		v, err := b.Get(ctx, k)
		add("Get "+k, v, err)
		m, err := b.SMembers(ctx, k)
		add("SMembers "+k, m, err)
		h, err := b.HGetAll(ctx, k)
		add("HGetAll "+k, h, err)
		f, err := b.HGet(ctx, k, "f")
		add("HGet "+k+" f", f, err)
		f, err = b.HGet(ctx, k, "g")
		add("HGet "+k+" g", f, err)
	}
	for _, k := range []string{kZ, kZH} {
		s, err := b.ZScore(ctx, k, "a")
		add("ZScore "+k+" a", s, err)
		s, err = b.ZScore(ctx, k, "b")
		add("ZScore "+k+" b", s, err)
		r, err := b.ZRangeByScore(ctx, k, -inf, inf, 0)
		add("ZRangeByScore "+k, r, err)
		rs, err := b.ZRangeByScoreWithScores(ctx, k, -inf, inf, 0)
		add("ZRangeByScoreWithScores "+k, rs, err)
		r, err = b.ZRevRangeByScore(ctx, k, -inf, inf, 1)
		add("ZRevRangeByScore "+k, r, err)
		rs, err = b.ZRevRangeByScoreWithScores(ctx, k, 0, 10, 0)
		add("ZRevRangeByScoreWithScores "+k, rs, err)
		n, err := b.ZCount(ctx, k, -inf, inf)
		add("ZCount "+k, n, err)
		n, err = b.ZLexCount(ctx, k, "-", "+")
		add("ZLexCount "+k, n, err)
		r, err = b.ZRangeByLex(ctx, k, "-", "+", 0)
		add("ZRangeByLex "+k, r, err)
		r, err = b.ZRevRangeByLex(ctx, k, "[a", "+", 0)
		add("ZRevRangeByLex "+k, r, err)
		r, err = b.ZHRangeByScore(ctx, k, -inf, inf, 0)
		add("ZHRangeByScore "+k, r, err)
		rs, err = b.ZHRangeByScoreWithScores(ctx, k, -inf, inf, 0)
		add("ZHRangeByScoreWithScores "+k, rs, err)
		r, err = b.ZHRevRangeByScore(ctx, k, -inf, inf, 0)
		add("ZHRevRangeByScore "+k, r, err)
		rs, err = b.ZHRevRangeByScoreWithScores(ctx, k, -inf, inf, 2)
		add("ZHRevRangeByScoreWithScores "+k, rs, err)
		r, err = b.ZHRangeByLex(ctx, k, "-", "+", 0)
		add("ZHRangeByLex "+k, r, err)
		r, err = b.ZHRevRangeByLex(ctx, k, "-", "(z", 0)
		add("ZHRevRangeByLex "+k, r, err)
	}
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// seed writes the test keys' starting data straight to b.
func seed(t *testing.T, b kvstore.Backend) {
	t.Helper()
	ctx := t.Context()
	for _, err := range []error{
		b.Set(ctx, kStr, "1"),
		b.SAdd(ctx, kSet, "a", "b"),
		b.HSet(ctx, kHash, "f", "1", kvstore.KeyValue{Key: "g", Value: "2"}),
		b.ZAdd(ctx, kZ, "a", 1),
		b.ZAdd(ctx, kZ, "b", 2),
		b.ZHAdd(ctx, kZH, "a", "member-a", 1),
		b.ZHAdd(ctx, kZH, "b", "member-b", 2),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkCoherent fails unless reading through the cache shows what the backend holds.
func (e *env) checkCoherent(t *testing.T, what string) {
	t.Helper()
	ctx := t.Context()
	if got, want := view(ctx, e.c), view(ctx, e.mem); got != want {
		t.Errorf("%s: the cache serves stale data:\n--- cache\n%s--- backend\n%s", what, got, want)
	}
}
