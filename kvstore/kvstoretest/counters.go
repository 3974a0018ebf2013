package kvstoretest

import (
	"fmt"
	"math"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// testCounters covers NIncrBy: decimal strings, canonical form and overflow.
func testCounters(t *testing.T, b kvstore.Backend) {
	t.Run("FromAbsent", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "NIncrBy 0 of an absent key", int64(0))(b.NIncrBy(ctx, key("zero"), 0))
		checkAbsent(t, ctx, b, key("zero")) // reading does not create the counter
		eq(t, "NIncrBy 5 of an absent key", int64(5))(b.NIncrBy(ctx, key("a"), 5))
		checkString(t, ctx, b, key("a"), "5")
		eq(t, "NIncrBy -7", int64(-2))(b.NIncrBy(ctx, key("a"), -7))
		checkString(t, ctx, b, key("a"), "-2")
		eq(t, "NIncrBy 0 reads", int64(-2))(b.NIncrBy(ctx, key("a"), 0))
		checkString(t, ctx, b, key("a"), "-2")
		eq(t, "NIncrBy 2", int64(0))(b.NIncrBy(ctx, key("a"), 2))
		checkString(t, ctx, b, key("a"), "0")
		eq(t, "NIncrBy -3 of an absent key", int64(-3))(b.NIncrBy(ctx, key("b"), -3))
		checkString(t, ctx, b, key("b"), "-3")
	})

	t.Run("OnStrings", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("s"), "42"))
		eq(t, "NIncrBy on \"42\"", int64(43))(b.NIncrBy(ctx, key("s"), 1))
		checkString(t, ctx, b, key("s"), "43")
		must(t, "Set int", b.Set(ctx, key("i"), 42))
		eq(t, "NIncrBy on Set(42)", int64(40))(b.NIncrBy(ctx, key("i"), -2))
		must(t, "Set int64", b.Set(ctx, key("n"), int64(-5)))
		eq(t, "NIncrBy on Set(int64(-5))", int64(-4))(b.NIncrBy(ctx, key("n"), 1))
		must(t, "Set \"0\"", b.Set(ctx, key("z"), "0"))
		eq(t, "NIncrBy on \"0\"", int64(0))(b.NIncrBy(ctx, key("z"), 0))

		// A counter is a string: Set replaces it, SetEQ compares its decimal form,
		// Delete removes it.
		eq(t, "NIncrBy", int64(3))(b.NIncrBy(ctx, key("c"), 3))
		eq(t, "SetEQ on a counter", true)(b.SetEQ(ctx, key("c"), "10", "3"))
		eq(t, "NIncrBy after SetEQ", int64(11))(b.NIncrBy(ctx, key("c"), 1))
		eq(t, "SetEQ with int values on a counter", true)(b.SetEQ(ctx, key("c"), 20, 11))
		eq(t, "NIncrBy after SetEQ", int64(21))(b.NIncrBy(ctx, key("c"), 1))
		must(t, "Set over a counter", b.Set(ctx, key("c"), "7"))
		eq(t, "NIncrBy after Set", int64(8))(b.NIncrBy(ctx, key("c"), 1))
		eq(t, "Delete of a counter", true)(b.Delete(ctx, key("c")))
		eq(t, "NIncrBy after Delete", int64(1))(b.NIncrBy(ctx, key("c"), 1))
	})

	t.Run("NotIntegers", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		for i, s := range []string{"abc", "042", "00", "+1", " 1", "1 ", "", "-0", "1.0", "1e3",
			"0x10", "--1", "- 1", "9223372036854775808", "-9223372036854775809", "1_000", "\x001"} {
			k := key(fmt.Sprint(i))
			must(t, "Set", b.Set(ctx, k, s))
			failsWith[int64](t, fmt.Sprintf("NIncrBy 1 on %q", s), kvstore.ErrNotInteger)(b.NIncrBy(ctx, k, 1))
			failsWith[int64](t, fmt.Sprintf("NIncrBy 0 on %q", s), kvstore.ErrNotInteger)(b.NIncrBy(ctx, k, 0))
			checkString(t, ctx, b, k, s)
		}
	})

	t.Run("Overflow", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "NIncrBy MaxInt64 of an absent key", int64(math.MaxInt64))(b.NIncrBy(ctx, key("max"), math.MaxInt64))
		checkString(t, ctx, b, key("max"), "9223372036854775807")
		failsWith[int64](t, "NIncrBy past MaxInt64", kvstore.ErrNotInteger)(b.NIncrBy(ctx, key("max"), 1))
		failsWith[int64](t, "NIncrBy MaxInt64 past MaxInt64", kvstore.ErrNotInteger)(b.NIncrBy(ctx, key("max"), math.MaxInt64))
		checkString(t, ctx, b, key("max"), "9223372036854775807")
		eq(t, "NIncrBy MinInt64 down from MaxInt64", int64(-1))(b.NIncrBy(ctx, key("max"), math.MinInt64))

		eq(t, "NIncrBy MinInt64 of an absent key", int64(math.MinInt64))(b.NIncrBy(ctx, key("min"), math.MinInt64))
		checkString(t, ctx, b, key("min"), "-9223372036854775808")
		failsWith[int64](t, "NIncrBy past MinInt64", kvstore.ErrNotInteger)(b.NIncrBy(ctx, key("min"), -1))
		checkString(t, ctx, b, key("min"), "-9223372036854775808")
		eq(t, "NIncrBy MaxInt64 up from MinInt64", int64(-1))(b.NIncrBy(ctx, key("min"), math.MaxInt64))

		must(t, "Set MaxInt64", b.Set(ctx, key("set"), "9223372036854775807"))
		failsWith[int64](t, "NIncrBy past MaxInt64 of a Set string", kvstore.ErrNotInteger)(b.NIncrBy(ctx, key("set"), 1))
		checkString(t, ctx, b, key("set"), "9223372036854775807")
		must(t, "Set MinInt64", b.Set(ctx, key("set"), int64(math.MinInt64)))
		failsWith[int64](t, "NIncrBy past MinInt64 of a Set int64", kvstore.ErrNotInteger)(b.NIncrBy(ctx, key("set"), math.MinInt64))
		checkString(t, ctx, b, key("set"), "-9223372036854775808")
	})
}
