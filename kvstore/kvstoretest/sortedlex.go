package kvstoretest

import (
	"context"
	"fmt"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// lexMembers are the members of the lex cases, all with score 0, in order.
var lexMembers = []string{"", "a", "b", "ba", "c", "d"}

// testSortedLex covers ZLexCount, ZRangeByLex and ZRevRangeByLex.
func testSortedLex(t *testing.T, b kvstore.Backend) {
	t.Run("Bounds", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		for _, i := range []int{3, 0, 5, 1, 4, 2} {
			must(t, "ZAdd", b.ZAdd(ctx, k, lexMembers[i], 0))
		}
		for _, c := range []struct {
			min, max string
			want     []string
		}{
			{"-", "+", lexMembers},
			{"[", "+", lexMembers},
			{"(", "+", lexMembers[1:]},
			{"-", "(a", []string{""}},
			{"-", "[", []string{""}},
			{"-", "(", nil},
			{"[b", "[c", []string{"b", "ba", "c"}},
			{"(b", "(c", []string{"ba"}},
			{"[b", "(c", []string{"b", "ba"}},
			{"(b", "[c", []string{"ba", "c"}},
			{"[bb", "+", []string{"c", "d"}},
			{"[a", "[a", []string{"a"}},
			{"(a", "(a", nil},
			{"[a", "(a", nil},
			{"(a", "(b", nil},
			{"[b", "[bz", []string{"b", "ba"}},
			{"[0", "[aa", []string{"a"}},
			{"[e", "+", nil},
			{"-", "[A", []string{""}},
			// min > max is empty.
			{"[c", "[b", nil},
			{"(c", "[a", nil},
			{"+", "-", nil},
			{"+", "[c", nil},
			{"[c", "-", nil},
			{"-", "-", nil},
			{"+", "+", nil},
		} {
			what := fmt.Sprintf("(%q, %q)", c.min, c.max)
			eqList(t, "ZRangeByLex"+what, c.want...)(b.ZRangeByLex(ctx, k, c.min, c.max, 0))
			eqList(t, "ZRevRangeByLex"+what, reversed(c.want)...)(b.ZRevRangeByLex(ctx, k, c.min, c.max, 0))
			eqList(t, "ZHRangeByLex"+what, c.want...)(b.ZHRangeByLex(ctx, k, c.min, c.max, 0))
			eqList(t, "ZHRevRangeByLex"+what, reversed(c.want)...)(b.ZHRevRangeByLex(ctx, k, c.min, c.max, 0))
			eq(t, "ZLexCount"+what, len(c.want))(b.ZLexCount(ctx, k, c.min, c.max))
		}
	})

	t.Run("Limit", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		for _, m := range lexMembers {
			must(t, "ZAdd", b.ZAdd(ctx, k, m, 0))
		}
		eqList(t, "ZRangeByLex limit 2", "", "a")(b.ZRangeByLex(ctx, k, "-", "+", 2))
		eqList(t, "ZRevRangeByLex limit 2", "d", "c")(b.ZRevRangeByLex(ctx, k, "-", "+", 2))
		eqList(t, "ZRangeByLex((a, +) limit 3", "b", "ba", "c")(b.ZRangeByLex(ctx, k, "(a", "+", 3))
		eqList(t, "ZRevRangeByLex([b, [c) limit 2", "c", "ba")(b.ZRevRangeByLex(ctx, k, "[b", "[c", 2))
		eqList(t, "ZRevRangeByLex(-, (b) limit 5", "a", "")(b.ZRevRangeByLex(ctx, k, "-", "(b", 5))
		eqList(t, "ZRangeByLex limit 1", "")(b.ZRangeByLex(ctx, k, "-", "+", 1))
		eqList(t, "ZRangeByLex limit above the count", lexMembers...)(b.ZRangeByLex(ctx, k, "-", "+", 7))
		eqList(t, "ZHRangeByLex limit 3", "", "a", "b")(b.ZHRangeByLex(ctx, k, "-", "+", 3))
		eqList(t, "ZHRevRangeByLex limit 3", "d", "c", "ba")(b.ZHRevRangeByLex(ctx, k, "-", "+", 3))
	})

	t.Run("InvalidBounds", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		must(t, "ZAdd", b.ZAdd(ctx, k, "a", 0))
		ranges := map[string]func(context.Context, string, string, string, int) ([]string, error){
			"ZRangeByLex": b.ZRangeByLex, "ZRevRangeByLex": b.ZRevRangeByLex,
			"ZHRangeByLex": b.ZHRangeByLex, "ZHRevRangeByLex": b.ZHRevRangeByLex,
		}
		for _, bad := range []string{"", "a", "x", "]a", "{a", " [a", "--", "++", "-a", "+a"} {
			for _, bounds := range [][2]string{{bad, "+"}, {"-", bad}} {
				what := fmt.Sprintf("(%q, %q)", bounds[0], bounds[1])
				for name, f := range ranges {
					failsWith[[]string](t, name+what, kvstore.ErrInvalidArgument)(f(ctx, k, bounds[0], bounds[1], 0))
				}
				failsWith[int](t, "ZLexCount"+what, kvstore.ErrInvalidArgument)(b.ZLexCount(ctx, k, bounds[0], bounds[1]))
			}
		}
	})
}
