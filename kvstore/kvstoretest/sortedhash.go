package kvstoretest

import (
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// testSortedHash covers sorted hashes: ZHAdd, ZHRem and the ZH ranges, and how a
// sorted set is a sorted hash whose fields are its members.
func testSortedHash(t *testing.T, b kvstore.Backend) {
	t.Run("OrderByField", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("zh")
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "b", "first", 1))
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "a", "second", 1))
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "c", "third", 0))
		must(t, "ZHAdd of a member another field has", b.ZHAdd(ctx, k, "d", "first", 2))
		eqList(t, "ZHRangeByScore", "third", "second", "first", "first")(b.ZHRangeByScore(ctx, k, negInf, inf, 0))
		eqList(t, "ZHRevRangeByScore", "first", "first", "second", "third")(b.ZHRevRangeByScore(ctx, k, negInf, inf, 0))
		eqScored(t, "ZHRangeByScoreWithScores", sm("third", 0), sm("second", 1), sm("first", 1), sm("first", 2))(
			b.ZHRangeByScoreWithScores(ctx, k, negInf, inf, 0))
		eqScored(t, "ZHRevRangeByScoreWithScores", sm("first", 2), sm("first", 1), sm("second", 1), sm("third", 0))(
			b.ZHRevRangeByScoreWithScores(ctx, k, negInf, inf, 0))
		eqList(t, "ZHRangeByScore(1, 1)", "second", "first")(b.ZHRangeByScore(ctx, k, 1, 1, 0))
		eqList(t, "ZHRangeByScore(1, 2) limit 1", "second")(b.ZHRangeByScore(ctx, k, 1, 2, 1))
		eqList(t, "ZHRevRangeByScore(0, 1) limit 2", "first", "second")(b.ZHRevRangeByScore(ctx, k, 0, 1, 2))
		eqScored(t, "ZHRangeByScoreWithScores(0.5, 3) limit 2", sm("second", 1), sm("first", 1))(
			b.ZHRangeByScoreWithScores(ctx, k, 0.5, 3, 2))
		eqScored(t, "ZHRevRangeByScoreWithScores limit 3", sm("first", 2), sm("first", 1), sm("second", 1))(
			b.ZHRevRangeByScoreWithScores(ctx, k, negInf, inf, 3))
		eqList(t, "ZHRangeByScore with min > max")(b.ZHRangeByScore(ctx, k, 2, 1, 0))
		eqList(t, "ZHRevRangeByScore with min > max")(b.ZHRevRangeByScore(ctx, k, 2, 1, 0))
		eq(t, "ZCount of a sorted hash", 4)(b.ZCount(ctx, k, negInf, inf))
		eq(t, "ZCount(1, 1) of a sorted hash", 2)(b.ZCount(ctx, k, 1, 1))

		// ZScore and ZRem take a field.
		eqScore(t, "ZScore of a field", num(1))(b.ZScore(ctx, k, "a"))
		eqScore(t, "ZScore of a member that is no field", nil)(b.ZScore(ctx, k, "second"))
		must(t, "ZRem of a member that is no field", b.ZRem(ctx, k, "third"))
		eq(t, "ZCount after ZRem of a member that is no field", 4)(b.ZCount(ctx, k, negInf, inf))
		must(t, "ZRem of a field", b.ZRem(ctx, k, "b"))
		eqList(t, "ZHRangeByScore after ZRem", "third", "second", "first")(b.ZHRangeByScore(ctx, k, negInf, inf, 0))
		must(t, "ZHRem of an absent field", b.ZHRem(ctx, k, "zz"))
		must(t, "ZHRem", b.ZHRem(ctx, k, "c"))
		checkSorted(t, ctx, b, k, sm("second", 1), sm("first", 2))
	})

	t.Run("Overwrite", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("zh")
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "a", "one", 1))
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "b", "two", 2))
		must(t, "ZHAdd with a new member", b.ZHAdd(ctx, k, "a", "renamed", 1))
		checkSorted(t, ctx, b, k, sm("renamed", 1), sm("two", 2))
		must(t, "ZHAdd with a new member and score", b.ZHAdd(ctx, k, "a", "moved", 3))
		checkSorted(t, ctx, b, k, sm("two", 2), sm("moved", 3))
		eqScore(t, "ZScore of an overwritten field", num(3))(b.ZScore(ctx, k, "a"))
		eq(t, "ZCount of the old score", 0)(b.ZCount(ctx, k, 1, 1))
		must(t, "ZHAdd with a new score", b.ZHAdd(ctx, k, "b", "two", 4))
		checkSorted(t, ctx, b, k, sm("moved", 3), sm("two", 4))
		must(t, "ZHAdd with an empty member", b.ZHAdd(ctx, k, "e", "", 5))
		checkSorted(t, ctx, b, k, sm("moved", 3), sm("two", 4), sm("", 5))
		long := strings.Repeat("m", 5000) // members are values: the sorted-member limit is for fields
		must(t, "ZHAdd of a 5000-byte member", b.ZHAdd(ctx, k, "long", long, 6))
		checkSorted(t, ctx, b, k, sm("moved", 3), sm("two", 4), sm("", 5), sm(long, 6))
	})

	t.Run("LexComparesFields", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("zh")
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "a", "zz", 0))
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "b", "yy", 0))
		must(t, "ZHAdd", b.ZHAdd(ctx, k, "c", "xx", 0))
		eqList(t, "ZHRangeByScore", "zz", "yy", "xx")(b.ZHRangeByScore(ctx, k, 0, 0, 0))
		eqList(t, "ZHRangeByLex([a, [b)", "zz", "yy")(b.ZHRangeByLex(ctx, k, "[a", "[b", 0))
		eqList(t, "ZHRangeByLex([x, +)")(b.ZHRangeByLex(ctx, k, "[x", "+", 0))
		eqList(t, "ZHRangeByLex((a, +) limit 1", "yy")(b.ZHRangeByLex(ctx, k, "(a", "+", 1))
		eqList(t, "ZHRevRangeByLex(-, +) limit 2", "xx", "yy")(b.ZHRevRangeByLex(ctx, k, "-", "+", 2))
		eqList(t, "ZHRevRangeByLex((a, [c)", "xx", "yy")(b.ZHRevRangeByLex(ctx, k, "(a", "[c", 0))
		eq(t, "ZLexCount compares fields", 2)(b.ZLexCount(ctx, k, "[a", "[b"))
		eq(t, "ZLexCount of member bounds", 0)(b.ZLexCount(ctx, k, "[x", "[z"))
	})

	t.Run("SortedSetIsSortedHash", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		must(t, "ZAdd", b.ZAdd(ctx, k, "m", 1))
		eqList(t, "ZHRangeByScore of a ZAdd member", "m")(b.ZHRangeByScore(ctx, k, negInf, inf, 0))
		must(t, "ZHAdd with field == member", b.ZHAdd(ctx, k, "n", "n", 2))
		eqList(t, "ZRangeByScore of a ZHAdd member", "m", "n")(b.ZRangeByScore(ctx, k, negInf, inf, 0))
		eqScored(t, "ZRangeByScoreWithScores", sm("m", 1), sm("n", 2))(b.ZRangeByScoreWithScores(ctx, k, negInf, inf, 0))
		eqScore(t, "ZScore of a ZHAdd member", num(2))(b.ZScore(ctx, k, "n"))
		eqFloat(t, "ZIncrBy of a ZHAdd member", 3)(b.ZIncrBy(ctx, k, "n", 1))
		eqList(t, "ZRangeByLex", "m", "n")(b.ZRangeByLex(ctx, k, "-", "+", 0))
		must(t, "ZHAdd rescoring a ZAdd member", b.ZHAdd(ctx, k, "m", "m", 4))
		eqScore(t, "ZScore after ZHAdd", num(4))(b.ZScore(ctx, k, "m"))
		must(t, "ZAdd rescoring a ZHAdd member", b.ZAdd(ctx, k, "n", 5))
		checkSorted(t, ctx, b, k, sm("m", 4), sm("n", 5))
		must(t, "ZHRem of a ZAdd member", b.ZHRem(ctx, k, "m"))
		must(t, "ZRem of a ZHAdd member", b.ZRem(ctx, k, "n"))
		checkSorted(t, ctx, b, k)
	})
}
