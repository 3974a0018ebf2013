package redis_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// TestAtomicCounterArithmetic checks the write script's decimal int64 addition
// (Lua numbers are doubles) against Go's, edges and overflow included.
func TestAtomicCounterArithmetic(t *testing.T) {
	b, _ := newBackend(t)
	edges := []int64{0, 1, -1, 9, 10, -10, 99, 100, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64,
		math.MaxInt64 - 1, math.MinInt64 + 1, 999999999999999999, -999999999999999999, 1000000000000000000}
	rng := rand.New(rand.NewPCG(3, 4))
	type pair struct{ a, n int64 }
	var pairs []pair
	for _, a := range edges {
		for _, n := range edges {
			pairs = append(pairs, pair{a, n})
		}
	}
	for range 200 {
		pairs = append(pairs, pair{int64(rng.Uint64()), int64(rng.Uint64()) >> rng.IntN(64)})
	}
	for i, p := range pairs {
		key := "c" + strconv.Itoa(i)
		if err := b.Set(ctx, key, p.a); err != nil {
			t.Fatal(err)
		}
		w := b.AtomicWrite()
		w.NIncrBy(key, p.n)
		ok, err := w.Exec(ctx)
		sum := p.a + p.n
		overflow := (p.n > 0 && sum < p.a) || (p.n < 0 && sum > p.a)
		if overflow {
			if ok || !errors.Is(err, kvstore.ErrNotInteger) {
				t.Errorf("%d + %d: Exec = %v, %v; want ErrNotInteger (overflow)", p.a, p.n, ok, err)
			}
			sum = p.a
		} else if !ok || err != nil {
			t.Errorf("%d + %d: Exec = %v, %v", p.a, p.n, ok, err)
		}
		if got, err := b.Get(ctx, key); err != nil || got == nil || *got != strconv.FormatInt(sum, 10) {
			t.Errorf("%d + %d: Get = %v, %v; want %d", p.a, p.n, got, err, sum)
		}
	}
}

func TestAtomicCounterRefusesNonCanonical(t *testing.T) {
	b, _ := newBackend(t)
	for _, v := range []string{"042", "+1", " 1", "1 ", "-0", "0x1", "1e3", "", "9223372036854775808", "-9223372036854775809", "1.0", "--1", "-"} {
		if err := b.Set(ctx, "c", v); err != nil {
			t.Fatal(err)
		}
		w := b.AtomicWrite()
		w.NIncrBy("c", 1)
		w.Set("other", "x")
		if ok, err := w.Exec(ctx); ok || !errors.Is(err, kvstore.ErrNotInteger) {
			t.Errorf("atomic NIncrBy of %q = %v, %v; want ErrNotInteger", v, ok, err)
		}
		if _, err := b.NIncrBy(ctx, "c", 1); !errors.Is(err, kvstore.ErrNotInteger) {
			t.Errorf("NIncrBy of %q: %v, want ErrNotInteger", v, err)
		}
		if _, err := b.NIncrBy(ctx, "c", 0); !errors.Is(err, kvstore.ErrNotInteger) {
			t.Errorf("NIncrBy(0) of %q: %v, want ErrNotInteger", v, err)
		}
		if got, _ := b.Get(ctx, "other"); got != nil {
			t.Fatalf("the atomic write's Set was applied despite the error")
		}
	}
}

// TestAtomicWriteChecksBeforeWriting checks that every check precedes every write:
// an error or failed condition in the last operation leaves the first ones unapplied.
func TestAtomicWriteChecksBeforeWriting(t *testing.T) {
	b, _ := newBackend(t)
	if err := b.SAdd(ctx, "set", "m"); err != nil {
		t.Fatal(err)
	}
	if err := b.SAdd(ctx, "big", strings.Repeat("x", 400_000)); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(ctx, "present", "p"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		last   func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult
		target error // nil: a failed condition
	}{
		{"wrong type", func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.HSet("set", "f", "v") }, kvstore.ErrWrongType},
		{"set grown too large", func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
			return w.SAdd("big", strings.Repeat("y", 10_000))
		}, kvstore.ErrInvalidArgument},
		{"failed condition", func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.SetNX("present", "q") }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := b.AtomicWrite()
			first := w.Set("first", "1")
			w.ZAdd("z", "m", 1)
			w.HSet("h", "f", "v")
			w.SAdd("s", "a")
			w.Delete("present2")
			last := c.last(w)
			ok, err := w.Exec(ctx)
			if c.target != nil {
				if ok || !errors.Is(err, c.target) {
					t.Errorf("Exec = %v, %v; want %v", ok, err, c.target)
				}
			} else if ok || err != nil || !last.ConditionalFailed() || first.ConditionalFailed() {
				t.Errorf("Exec = %v, %v, failed %v/%v; want (false, nil), only the last failed", ok, err, first.ConditionalFailed(), last.ConditionalFailed())
			}
			if got, _ := b.Get(ctx, "first"); got != nil {
				t.Error("first Set applied")
			}
			if got, _ := b.ZScore(ctx, "z", "m"); got != nil {
				t.Error("ZAdd applied")
			}
			if got, _ := b.HGetAll(ctx, "h"); len(got) != 0 {
				t.Error("HSet applied")
			}
			if got, _ := b.SMembers(ctx, "s"); len(got) != 0 {
				t.Error("SAdd applied")
			}
		})
	}
}
