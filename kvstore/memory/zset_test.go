package memory

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// TestSortedRangesMatchModel checks ranges and counts on random sorted sets against a
// brute-force model: every range is the model's sorted slice, filtered and cut.
func TestSortedRangesMatchModel(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	scores := []float64{math.Inf(-1), -2, -1, 0, 0.5, 1, 1, 2, 3, math.Inf(1)}
	letters := []string{"", "a", "ab", "b", "ba", "c", "d", "\x00", "\xff", "é"}
	for round := 0; round < 200; round++ {
		b := NewBackend()
		model := map[string]float64{}
		for i := 0; i < 1+rng.IntN(30); i++ {
			m := letters[rng.IntN(len(letters))] + letters[rng.IntN(len(letters))]
			s := scores[rng.IntN(len(scores))]
			if rng.IntN(5) == 0 {
				delete(model, m)
				if err := b.ZRem(ctx, "z", m); err != nil {
					t.Fatal(err)
				}
				continue
			}
			model[m] = s
			if err := b.ZAdd(ctx, "z", m, s); err != nil {
				t.Fatal(err)
			}
		}
		type entry struct {
			m string
			s float64
		}
		var all []entry
		for m, s := range model {
			all = append(all, entry{m, s})
		}
		sort.Slice(all, func(i, j int) bool {
			if all[i].s != all[j].s {
				return all[i].s < all[j].s
			}
			return all[i].m < all[j].m
		})
		min := scores[rng.IntN(len(scores))]
		max := scores[rng.IntN(len(scores))]
		limit := rng.IntN(4)
		var want []string
		for _, e := range all {
			if e.s >= min && e.s <= max {
				want = append(want, e.m)
			}
		}
		cut := func(s []string) []string {
			if limit > 0 && len(s) > limit {
				return s[:limit]
			}
			return s
		}
		got, err := b.ZRangeByScore(ctx, "z", min, max, limit)
		if err != nil || !slices.Equal(got, cut(want)) && !(len(got) == 0 && len(cut(want)) == 0) {
			t.Fatalf("ZRangeByScore(%v, %v, %d) = %q, %v; want %q", min, max, limit, got, err, cut(want))
		}
		rev := slices.Clone(want)
		slices.Reverse(rev)
		got, err = b.ZRevRangeByScore(ctx, "z", min, max, limit)
		if err != nil || !slices.Equal(got, cut(rev)) && !(len(got) == 0 && len(cut(rev)) == 0) {
			t.Fatalf("ZRevRangeByScore(%v, %v, %d) = %q, %v; want %q", min, max, limit, got, err, cut(rev))
		}
		n, err := b.ZCount(ctx, "z", min, max)
		if err != nil || n != len(want) {
			t.Fatalf("ZCount(%v, %v) = %d, %v; want %d", min, max, n, err, len(want))
		}

		bounds := []string{"-", "+", "[a", "(a", "[b", "(b", "[", "(", "[c", "(\xff"}
		lo, hi := bounds[rng.IntN(len(bounds))], bounds[rng.IntN(len(bounds))]
		lb, hb, _ := kvstore.ParseLexRange(lo, hi)
		var fields []string
		for m := range model {
			if lb.AboveMin(m) && hb.BelowMax(m) {
				fields = append(fields, m)
			}
		}
		sort.Strings(fields)
		got, err = b.ZRangeByLex(ctx, "z", lo, hi, limit)
		if err != nil || !slices.Equal(got, cut(fields)) && !(len(got) == 0 && len(cut(fields)) == 0) {
			t.Fatalf("ZRangeByLex(%q, %q, %d) = %q, %v; want %q", lo, hi, limit, got, err, cut(fields))
		}
		revFields := slices.Clone(fields)
		slices.Reverse(revFields)
		got, err = b.ZRevRangeByLex(ctx, "z", lo, hi, limit)
		if err != nil || !slices.Equal(got, cut(revFields)) && !(len(got) == 0 && len(cut(revFields)) == 0) {
			t.Fatalf("ZRevRangeByLex(%q, %q, %d) = %q, %v; want %q", lo, hi, limit, got, err, cut(revFields))
		}
		n, err = b.ZLexCount(ctx, "z", lo, hi)
		if err != nil || n != len(fields) {
			t.Fatalf("ZLexCount(%q, %q) = %d, %v; want %d", lo, hi, n, err, len(fields))
		}
	}
}
