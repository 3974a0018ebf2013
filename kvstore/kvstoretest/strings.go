package kvstoretest

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// testStrings covers Get, Set, SetNX, SetXX, SetEQ and Delete on strings.
func testStrings(t *testing.T, b kvstore.Backend) {
	t.Run("GetSet", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eqStr(t, "Get of an absent key", nil)(b.Get(ctx, key("a")))
		must(t, "Set", b.Set(ctx, key("a"), "one"))
		checkString(t, ctx, b, key("a"), "one")
		must(t, "Set over a string", b.Set(ctx, key("a"), "two"))
		checkString(t, ctx, b, key("a"), "two")
		must(t, "Set of an empty string", b.Set(ctx, key("empty"), ""))
		eqStr(t, "Get of an empty string", str(""))(b.Get(ctx, key("empty")))
		must(t, "Set over an empty string", b.Set(ctx, key("empty"), "x"))
		checkString(t, ctx, b, key("empty"), "x")
		must(t, "Set to an empty string", b.Set(ctx, key("empty"), ""))
		checkString(t, ctx, b, key("empty"), "")
		checkAbsent(t, ctx, b, key("other"))
	})

	t.Run("SetNX", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "SetNX on an absent key", true)(b.SetNX(ctx, key("a"), "first"))
		checkString(t, ctx, b, key("a"), "first")
		eq(t, "SetNX on a present key", false)(b.SetNX(ctx, key("a"), "second"))
		checkString(t, ctx, b, key("a"), "first")

		must(t, "Set of an empty string", b.Set(ctx, key("empty"), ""))
		eq(t, "SetNX on a key holding an empty string", false)(b.SetNX(ctx, key("empty"), "x"))
		checkString(t, ctx, b, key("empty"), "")

		eq(t, "Delete", true)(b.Delete(ctx, key("a")))
		eq(t, "SetNX after Delete", true)(b.SetNX(ctx, key("a"), "third"))
		checkString(t, ctx, b, key("a"), "third")
		eq(t, "SetNX of an empty string", true)(b.SetNX(ctx, key("b"), ""))
		checkString(t, ctx, b, key("b"), "")
	})

	t.Run("SetXX", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "SetXX on an absent key", false)(b.SetXX(ctx, key("a"), "x"))
		checkAbsent(t, ctx, b, key("a"))
		must(t, "Set", b.Set(ctx, key("a"), "old"))
		eq(t, "SetXX on a present key", true)(b.SetXX(ctx, key("a"), "new"))
		checkString(t, ctx, b, key("a"), "new")
		eq(t, "SetXX to an empty string", true)(b.SetXX(ctx, key("a"), ""))
		checkString(t, ctx, b, key("a"), "")
		eq(t, "SetXX on a key holding an empty string", true)(b.SetXX(ctx, key("a"), "back"))
		checkString(t, ctx, b, key("a"), "back")
	})

	t.Run("SetEQ", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "SetEQ on an absent key", false)(b.SetEQ(ctx, key("a"), "new", "old"))
		checkAbsent(t, ctx, b, key("a"))
		eq(t, "SetEQ with old value \"\" on an absent key", false)(b.SetEQ(ctx, key("a"), "new", ""))
		checkAbsent(t, ctx, b, key("a"))

		must(t, "Set", b.Set(ctx, key("a"), "old"))
		eq(t, "SetEQ with a wrong old value", false)(b.SetEQ(ctx, key("a"), "new", "other"))
		checkString(t, ctx, b, key("a"), "old")
		eq(t, "SetEQ with a prefix of the old value", false)(b.SetEQ(ctx, key("a"), "new", "ol"))
		checkString(t, ctx, b, key("a"), "old")
		eq(t, "SetEQ with the right old value", true)(b.SetEQ(ctx, key("a"), "new", "old"))
		checkString(t, ctx, b, key("a"), "new")
		eq(t, "SetEQ with the value replaced before", false)(b.SetEQ(ctx, key("a"), "newer", "old"))
		checkString(t, ctx, b, key("a"), "new")
		eq(t, "SetEQ to the same value", true)(b.SetEQ(ctx, key("a"), "new", "new"))
		checkString(t, ctx, b, key("a"), "new")

		must(t, "Set of an empty string", b.Set(ctx, key("e"), ""))
		eq(t, "SetEQ with a wrong old value on an empty string", false)(b.SetEQ(ctx, key("e"), "x", "y"))
		checkString(t, ctx, b, key("e"), "")
		eq(t, "SetEQ with old value \"\" on an empty string", true)(b.SetEQ(ctx, key("e"), "x", ""))
		checkString(t, ctx, b, key("e"), "x")
		eq(t, "SetEQ back to an empty string", true)(b.SetEQ(ctx, key("e"), "", "x"))
		checkString(t, ctx, b, key("e"), "")
	})

	t.Run("Delete", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "Delete of an absent key", false)(b.Delete(ctx, key("a")))
		must(t, "Set", b.Set(ctx, key("a"), "v"))
		must(t, "Set", b.Set(ctx, key("b"), "w"))
		eq(t, "Delete of a string", true)(b.Delete(ctx, key("a")))
		checkAbsent(t, ctx, b, key("a"))
		checkString(t, ctx, b, key("b"), "w")
		eq(t, "second Delete", false)(b.Delete(ctx, key("a")))
		must(t, "Set of an empty string", b.Set(ctx, key("e"), ""))
		eq(t, "Delete of an empty string", true)(b.Delete(ctx, key("e")))
		checkAbsent(t, ctx, b, key("e"))
	})
}
