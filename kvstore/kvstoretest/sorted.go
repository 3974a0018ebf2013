package kvstoretest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

var (
	inf    = math.Inf(1)
	negInf = math.Inf(-1)
)

// scoredSet is a sorted set's members in ascending order, with ties and extremes.
var scoredSet = []kvstore.ScoredMember{
	sm("ninf", negInf),
	sm("nmax", -math.MaxFloat64),
	sm("nbig", -1e300),
	sm("neg", -2.5),
	sm("ntiny", -math.SmallestNonzeroFloat64),
	sm("zero", 0),
	sm("tiny", math.SmallestNonzeroFloat64),
	sm("sum", 0.30000000000000004), // 0.1 + 0.2 in float64
	sm("a", 1),
	sm("b", 1),
	sm("c", 1),
	sm("pi", math.Pi),
	sm("big", 1e300),
	sm("max", math.MaxFloat64),
	sm("inf", inf),
}

func values(ms []kvstore.ScoredMember) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Value
	}
	return out
}

func reversed[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// within returns the members with min <= score <= max.
func within(ms []kvstore.ScoredMember, min, max float64) []kvstore.ScoredMember {
	var out []kvstore.ScoredMember
	for _, m := range ms {
		if m.Score >= min && m.Score <= max {
			out = append(out, m)
		}
	}
	return out
}

// rangeMethods are the score-range methods, for checks that apply to all of them.
func rangeMethods(b kvstore.Backend) []struct {
	name string
	run  func(ctx context.Context, key string, min, max float64, limit int) (int, error)
} {
	lenOf := func(f func(context.Context, string, float64, float64, int) ([]string, error)) func(context.Context, string, float64, float64, int) (int, error) {
		return func(ctx context.Context, k string, min, max float64, limit int) (int, error) {
			r, err := f(ctx, k, min, max, limit)
			return len(r), err
		}
	}
	lenOfScored := func(f func(context.Context, string, float64, float64, int) (kvstore.ScoredMembers, error)) func(context.Context, string, float64, float64, int) (int, error) {
		return func(ctx context.Context, k string, min, max float64, limit int) (int, error) {
			r, err := f(ctx, k, min, max, limit)
			return len(r), err
		}
	}
	return []struct {
		name string
		run  func(ctx context.Context, key string, min, max float64, limit int) (int, error)
	}{
		{"ZRangeByScore", lenOf(b.ZRangeByScore)},
		{"ZRangeByScoreWithScores", lenOfScored(b.ZRangeByScoreWithScores)},
		{"ZRevRangeByScore", lenOf(b.ZRevRangeByScore)},
		{"ZRevRangeByScoreWithScores", lenOfScored(b.ZRevRangeByScoreWithScores)},
		{"ZHRangeByScore", lenOf(b.ZHRangeByScore)},
		{"ZHRangeByScoreWithScores", lenOfScored(b.ZHRangeByScoreWithScores)},
		{"ZHRevRangeByScore", lenOf(b.ZHRevRangeByScore)},
		{"ZHRevRangeByScoreWithScores", lenOfScored(b.ZHRevRangeByScoreWithScores)},
	}
}

// testSorted covers sorted sets: scores, order, score ranges, ZIncrBy and ZRem.
func testSorted(t *testing.T, b kvstore.Backend) {
	t.Run("Absent", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		eqScore(t, "ZScore of an absent key", nil)(b.ZScore(ctx, k, "m"))
		eq(t, "ZCount of an absent key", 0)(b.ZCount(ctx, k, negInf, inf))
		eq(t, "ZLexCount of an absent key", 0)(b.ZLexCount(ctx, k, "-", "+"))
		for _, m := range rangeMethods(b) {
			eq(t, m.name+" of an absent key", 0)(m.run(ctx, k, negInf, inf, 0))
		}
		eqList(t, "ZRangeByLex of an absent key")(b.ZRangeByLex(ctx, k, "-", "+", 0))
		eqList(t, "ZRevRangeByLex of an absent key")(b.ZRevRangeByLex(ctx, k, "-", "+", 0))
		eqList(t, "ZHRangeByLex of an absent key")(b.ZHRangeByLex(ctx, k, "-", "+", 0))
		eqList(t, "ZHRevRangeByLex of an absent key")(b.ZHRevRangeByLex(ctx, k, "-", "+", 0))
		must(t, "ZRem from an absent key", b.ZRem(ctx, k, "m"))
		must(t, "ZHRem from an absent key", b.ZHRem(ctx, k, "f"))
		checkSorted(t, ctx, b, k)
		checkAbsent(t, ctx, b, k)
		must(t, "ZAdd", b.ZAdd(ctx, k, "m", 1))
		eqScore(t, "ZScore of an absent member", nil)(b.ZScore(ctx, k, "n"))
		must(t, "ZRem of an absent member", b.ZRem(ctx, k, "n"))
		checkSorted(t, ctx, b, k, sm("m", 1))
	})

	t.Run("Order", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		// Add in an order unlike the result.
		for _, i := range []int{7, 14, 0, 9, 3, 12, 5, 1, 8, 11, 2, 13, 6, 10, 4} {
			m := scoredSet[i]
			must(t, "ZAdd", b.ZAdd(ctx, k, m.Value, m.Score))
		}
		all := values(scoredSet)
		eqList(t, "ZRangeByScore(-inf, +inf)", all...)(b.ZRangeByScore(ctx, k, negInf, inf, 0))
		eqList(t, "ZRevRangeByScore(-inf, +inf)", reversed(all)...)(b.ZRevRangeByScore(ctx, k, negInf, inf, 0))
		eqScored(t, "ZRangeByScoreWithScores(-inf, +inf)", scoredSet...)(b.ZRangeByScoreWithScores(ctx, k, negInf, inf, 0))
		eqScored(t, "ZRevRangeByScoreWithScores(-inf, +inf)", reversed(scoredSet)...)(b.ZRevRangeByScoreWithScores(ctx, k, negInf, inf, 0))
		for _, m := range scoredSet {
			eqScore(t, "ZScore of "+m.Value, num(m.Score))(b.ZScore(ctx, k, m.Value))
		}
		if got, err := b.ZRangeByScoreWithScores(ctx, k, negInf, inf, 0); err == nil {
			if !slices.Equal(got.Values(), all) {
				t.Errorf("ScoredMembers.Values() = %q, want %q", got.Values(), all)
			}
		}

		for _, r := range []struct{ min, max float64 }{
			{negInf, negInf}, {inf, inf}, {-2.5, 1}, {1, 1}, {0, 0}, {-1, 1}, {1, math.Pi},
			{math.SmallestNonzeroFloat64, 1e300}, {-math.MaxFloat64, math.MaxFloat64}, {1.5, 2.5},
			{negInf, -1e300}, {1e300, inf}, {math.Copysign(0, -1), math.Copysign(0, -1)}, {0.30000000000000004, 0.30000000000000004},
		} {
			want := within(scoredSet, r.min, r.max)
			what := fmt.Sprintf("(%v, %v)", r.min, r.max)
			eqList(t, "ZRangeByScore"+what, values(want)...)(b.ZRangeByScore(ctx, k, r.min, r.max, 0))
			eqList(t, "ZRevRangeByScore"+what, reversed(values(want))...)(b.ZRevRangeByScore(ctx, k, r.min, r.max, 0))
			eqScored(t, "ZRangeByScoreWithScores"+what, want...)(b.ZRangeByScoreWithScores(ctx, k, r.min, r.max, 0))
			eqScored(t, "ZRevRangeByScoreWithScores"+what, reversed(want)...)(b.ZRevRangeByScoreWithScores(ctx, k, r.min, r.max, 0))
			eq(t, "ZCount"+what, len(want))(b.ZCount(ctx, k, r.min, r.max))
		}
		eq(t, "ZCount(-inf, +inf)", len(scoredSet))(b.ZCount(ctx, k, negInf, inf))

		for _, r := range []struct{ min, max float64 }{{2, 1}, {inf, negInf}, {1, 0.99999}, {inf, 1e300}} {
			what := fmt.Sprintf("(%v, %v) with min > max", r.min, r.max)
			eqList(t, "ZRangeByScore"+what)(b.ZRangeByScore(ctx, k, r.min, r.max, 0))
			eqList(t, "ZRevRangeByScore"+what)(b.ZRevRangeByScore(ctx, k, r.min, r.max, 0))
			eqScored(t, "ZRangeByScoreWithScores"+what)(b.ZRangeByScoreWithScores(ctx, k, r.min, r.max, 0))
			eqScored(t, "ZRevRangeByScoreWithScores"+what)(b.ZRevRangeByScoreWithScores(ctx, k, r.min, r.max, 0))
			eq(t, "ZCount"+what, 0)(b.ZCount(ctx, k, r.min, r.max))
		}
	})

	t.Run("Limit", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		for _, m := range scoredSet {
			must(t, "ZAdd", b.ZAdd(ctx, k, m.Value, m.Score))
		}
		all := values(scoredSet)
		eqList(t, "ZRangeByScore limit 3", all[:3]...)(b.ZRangeByScore(ctx, k, negInf, inf, 3))
		eqList(t, "ZRevRangeByScore limit 3", reversed(all)[:3]...)(b.ZRevRangeByScore(ctx, k, negInf, inf, 3))
		eqList(t, "ZRangeByScore limit 1", "ninf")(b.ZRangeByScore(ctx, k, negInf, inf, 1))
		eqList(t, "ZRevRangeByScore limit 1", "inf")(b.ZRevRangeByScore(ctx, k, negInf, inf, 1))
		eqList(t, "ZRangeByScore limit above the count", all...)(b.ZRangeByScore(ctx, k, negInf, inf, 100))
		eqList(t, "ZRevRangeByScore limit equal to the count", reversed(all)...)(b.ZRevRangeByScore(ctx, k, negInf, inf, len(all)))
		eqList(t, "ZRangeByScore(0, 1) limit 2", "zero", "tiny")(b.ZRangeByScore(ctx, k, 0, 1, 2))
		eqList(t, "ZRevRangeByScore(0, 1) limit 2", "c", "b")(b.ZRevRangeByScore(ctx, k, 0, 1, 2))
		eqList(t, "ZRangeByScore(1, 1) limit 2", "a", "b")(b.ZRangeByScore(ctx, k, 1, 1, 2))
		eqScored(t, "ZRangeByScoreWithScores(0.2, 4) limit 4", sm("sum", 0.30000000000000004), sm("a", 1), sm("b", 1), sm("c", 1))(
			b.ZRangeByScoreWithScores(ctx, k, 0.2, 4, 4))
		eqScored(t, "ZRevRangeByScoreWithScores(-3, 1) limit 2", sm("c", 1), sm("b", 1))(
			b.ZRevRangeByScoreWithScores(ctx, k, -3, 1, 2))
		eqScored(t, "ZRevRangeByScoreWithScores(-inf, -1) limit 2", sm("neg", -2.5), sm("nbig", -1e300))(
			b.ZRevRangeByScoreWithScores(ctx, k, negInf, -1, 2))
		for _, m := range rangeMethods(b) {
			failsWith[int](t, m.name+" with a negative limit", kvstore.ErrInvalidArgument)(m.run(ctx, k, negInf, inf, -1))
			eq(t, m.name+" limit 0", len(all))(m.run(ctx, k, negInf, inf, 0))
			eq(t, m.name+" limit 5", 5)(m.run(ctx, k, negInf, inf, 5))
		}
		for name, f := range map[string]func(context.Context, string, string, string, int) ([]string, error){
			"ZRangeByLex": b.ZRangeByLex, "ZRevRangeByLex": b.ZRevRangeByLex,
			"ZHRangeByLex": b.ZHRangeByLex, "ZHRevRangeByLex": b.ZHRevRangeByLex,
		} {
			failsWith[[]string](t, name+" with a negative limit", kvstore.ErrInvalidArgument)(f(ctx, k, "-", "+", -1))
		}

		// Enough members for a store to page through.
		k2 := key("many")
		for i := range 60 {
			must(t, "ZAdd", b.ZAdd(ctx, k2, fmt.Sprintf("m%02d", i), float64(i)))
		}
		eqList(t, "ZRangeByScore(10, 49) limit 3", "m10", "m11", "m12")(b.ZRangeByScore(ctx, k2, 10, 49, 3))
		eqList(t, "ZRevRangeByScore(10, 49) limit 3", "m49", "m48", "m47")(b.ZRevRangeByScore(ctx, k2, 10, 49, 3))
		eq(t, "ZCount(10, 49)", 40)(b.ZCount(ctx, k2, 10, 49))
		eq(t, "ZCount(-inf, +inf)", 60)(b.ZCount(ctx, k2, negInf, inf))
		eq(t, "ZRangeByScore(-inf, +inf) length", 60)(lenOf(b.ZRangeByScore(ctx, k2, negInf, inf, 0)))
	})

	t.Run("NaNBounds", func(t *testing.T) {
		// A NaN bound is refused like a NaN score (as Redis refuses it), not read as
		// an empty range.
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		must(t, "ZAdd", b.ZAdd(ctx, k, "m", 1))
		nan := math.NaN()
		for _, bounds := range [][2]float64{{nan, 1}, {0, nan}, {nan, nan}} {
			what := fmt.Sprintf("(%v, %v)", bounds[0], bounds[1])
			for _, m := range rangeMethods(b) {
				failsWith[int](t, m.name+what, kvstore.ErrInvalidArgument)(m.run(ctx, k, bounds[0], bounds[1], 0))
			}
			failsWith[int](t, "ZCount"+what, kvstore.ErrInvalidArgument)(b.ZCount(ctx, k, bounds[0], bounds[1]))
		}
	})

	t.Run("SpecialScores", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		must(t, "ZAdd with score -0", b.ZAdd(ctx, k, "negzero", math.Copysign(0, -1)))
		eqScore(t, "ZScore of a member added with -0", num(0))(b.ZScore(ctx, k, "negzero"))
		eqScored(t, "ZRangeByScoreWithScores of a member added with -0", sm("negzero", 0))(
			b.ZRangeByScoreWithScores(ctx, k, 0, 0, 0))
		must(t, "ZHAdd with score -0", b.ZHAdd(ctx, k, "f", "hnegzero", math.Copysign(0, -1)))
		eqScore(t, "ZScore of a field added with -0", num(0))(b.ZScore(ctx, k, "f"))

		must(t, "ZAdd", b.ZAdd(ctx, k, "m", 5))
		errIs(t, "ZAdd with a NaN score", b.ZAdd(ctx, k, "nan", math.NaN()), kvstore.ErrInvalidArgument)
		errIs(t, "ZAdd rescoring to NaN", b.ZAdd(ctx, k, "m", math.NaN()), kvstore.ErrInvalidArgument)
		errIs(t, "ZHAdd with a NaN score", b.ZHAdd(ctx, k, "g", "nan", math.NaN()), kvstore.ErrInvalidArgument)
		eqScore(t, "ZScore of a member refused for NaN", nil)(b.ZScore(ctx, k, "nan"))
		eqScore(t, "ZScore of a member not rescored to NaN", num(5))(b.ZScore(ctx, k, "m"))
		checkSorted(t, ctx, b, k, sm("hnegzero", 0), sm("negzero", 0), sm("m", 5))
	})

	t.Run("Rescore", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		must(t, "ZAdd", b.ZAdd(ctx, k, "a", 1))
		must(t, "ZAdd", b.ZAdd(ctx, k, "b", 2))
		must(t, "ZAdd", b.ZAdd(ctx, k, "c", 3))
		must(t, "ZAdd rescoring a member", b.ZAdd(ctx, k, "a", 5))
		eqScore(t, "ZScore of a rescored member", num(5))(b.ZScore(ctx, k, "a"))
		eq(t, "ZCount after rescoring", 3)(b.ZCount(ctx, k, negInf, inf))
		eq(t, "ZCount of the old score", 0)(b.ZCount(ctx, k, 1, 1))
		checkSorted(t, ctx, b, k, sm("b", 2), sm("c", 3), sm("a", 5))
		must(t, "ZAdd rescoring to the same score", b.ZAdd(ctx, k, "b", 2))
		must(t, "ZAdd rescoring to -inf", b.ZAdd(ctx, k, "c", negInf))
		checkSorted(t, ctx, b, k, sm("c", negInf), sm("b", 2), sm("a", 5))
		must(t, "ZRem", b.ZRem(ctx, k, "b"))
		checkSorted(t, ctx, b, k, sm("c", negInf), sm("a", 5))
		must(t, "ZRem", b.ZRem(ctx, k, "a"))
		must(t, "ZRem of the last member", b.ZRem(ctx, k, "c"))
		checkSorted(t, ctx, b, k)
		eq(t, "ZCount after removing every member", 0)(b.ZCount(ctx, k, negInf, inf))
		must(t, "ZAdd after removing every member", b.ZAdd(ctx, k, "d", 1))
		checkSorted(t, ctx, b, k, sm("d", 1))
	})

	t.Run("ZIncrBy", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		eqFloat(t, "ZIncrBy of an absent member", 2.5)(b.ZIncrBy(ctx, k, "a", 2.5))
		eqScore(t, "ZScore after ZIncrBy", num(2.5))(b.ZScore(ctx, k, "a"))
		eqFloat(t, "ZIncrBy -1", 1.5)(b.ZIncrBy(ctx, k, "a", -1))
		eqFloat(t, "ZIncrBy 0", 1.5)(b.ZIncrBy(ctx, k, "a", 0))
		pointOne, pointTwo := 0.1, 0.2 // variables, so that their sum is float64's
		eqFloat(t, "ZIncrBy 0.1 of an absent member", pointOne)(b.ZIncrBy(ctx, k, "b", pointOne))
		eqFloat(t, "ZIncrBy 0.2", pointOne+pointTwo)(b.ZIncrBy(ctx, k, "b", pointTwo))
		eqFloat(t, "ZIncrBy to zero", 0)(b.ZIncrBy(ctx, k, "b", -(pointOne + pointTwo)))
		eqScore(t, "ZScore after ZIncrBy to zero", num(0))(b.ZScore(ctx, k, "b"))
		eqFloat(t, "ZIncrBy -2.5 to a negative score", -2.5)(b.ZIncrBy(ctx, k, "b", -2.5))
		checkSorted(t, ctx, b, k, sm("b", -2.5), sm("a", 1.5))
		eqFloat(t, "ZIncrBy 0 of an absent member", 0)(b.ZIncrBy(ctx, key("zero"), "m", 0))
		checkSorted(t, ctx, b, key("zero"), sm("m", 0)) // as Redis' ZINCRBY, it adds the member
		eqFloat(t, "ZIncrBy of an absent key", -1)(b.ZIncrBy(ctx, key("new"), "m", -1))
		checkSorted(t, ctx, b, key("new"), sm("m", -1))

		eqFloat(t, "ZIncrBy +inf", inf)(b.ZIncrBy(ctx, k, "inf", inf))
		eqFloat(t, "ZIncrBy +inf of +inf", inf)(b.ZIncrBy(ctx, k, "inf", inf))
		eqFloat(t, "ZIncrBy 1 of +inf", inf)(b.ZIncrBy(ctx, k, "inf", 1))
		failsWith[float64](t, "ZIncrBy -inf of +inf (NaN)", kvstore.ErrInvalidArgument)(b.ZIncrBy(ctx, k, "inf", negInf))
		eqScore(t, "ZScore after a refused ZIncrBy", num(inf))(b.ZScore(ctx, k, "inf"))
		failsWith[float64](t, "ZIncrBy NaN", kvstore.ErrInvalidArgument)(b.ZIncrBy(ctx, k, "a", math.NaN()))
		failsWith[float64](t, "ZIncrBy NaN of an absent member", kvstore.ErrInvalidArgument)(b.ZIncrBy(ctx, k, "c", math.NaN()))
		eqScore(t, "ZScore after ZIncrBy NaN", num(1.5))(b.ZScore(ctx, k, "a"))
		eqScore(t, "ZScore of a member refused for NaN", nil)(b.ZScore(ctx, k, "c"))
		eqFloat(t, "ZIncrBy MaxFloat64", math.MaxFloat64)(b.ZIncrBy(ctx, key("big"), "m", math.MaxFloat64))
		eqFloat(t, "ZIncrBy MaxFloat64 past the largest float", inf)(b.ZIncrBy(ctx, key("big"), "m", math.MaxFloat64))
		checkSorted(t, ctx, b, k, sm("b", -2.5), sm("a", 1.5), sm("inf", inf))
	})

	t.Run("EmptyMember", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		must(t, "ZAdd of an empty member", b.ZAdd(ctx, k, "", 1))
		must(t, "ZAdd", b.ZAdd(ctx, k, "a", 1))
		eqScore(t, "ZScore of an empty member", num(1))(b.ZScore(ctx, k, ""))
		checkSorted(t, ctx, b, k, sm("", 1), sm("a", 1))
		eqFloat(t, "ZIncrBy of an empty member", 3)(b.ZIncrBy(ctx, k, "", 2))
		checkSorted(t, ctx, b, k, sm("a", 1), sm("", 3))
		must(t, "ZRem of an empty member", b.ZRem(ctx, k, ""))
		checkSorted(t, ctx, b, k, sm("a", 1))
	})
}

// lenOf returns the length of a range result.
func lenOf(r []string, err error) (int, error) { return len(r), err }
