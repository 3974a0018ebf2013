package kvstoretest

import (
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// named is a key with a name for messages.
type named struct{ name, key string }

// testKinds covers how strings, sets and hashes exclude each other (ErrWrongType,
// Set replacing), and how sorted data lives beside them.
func testKinds(t *testing.T, b kvstore.Backend) {
	// setup gives a case a string, a set and a hash.
	setup := func(t *testing.T) (str, set, hash string) {
		ctx, key := t.Context(), newKeys(t)
		str, set, hash = key("string"), key("set"), key("hash")
		must(t, "Set", b.Set(ctx, str, "s"))
		must(t, "SAdd", b.SAdd(ctx, set, "a", "b"))
		must(t, "HSet", b.HSet(ctx, hash, "f", "v"))
		return str, set, hash
	}
	// unchanged checks what setup wrote.
	unchanged := func(t *testing.T, str, set, hash string) {
		t.Helper()
		ctx := t.Context()
		checkString(t, ctx, b, str, "s")
		checkMembers(t, ctx, b, set, "a", "b")
		checkHash(t, ctx, b, hash, map[string]string{"f": "v"})
	}

	t.Run("WrongType", func(t *testing.T) {
		ctx := t.Context()
		str, set, hash := setup(t)
		wt := kvstore.ErrWrongType
		for _, k := range []named{{"set", set}, {"hash", hash}} {
			failsWith[*string](t, "Get of a "+k.name, wt)(b.Get(ctx, k.key))
			failsWith[int64](t, "NIncrBy of a "+k.name, wt)(b.NIncrBy(ctx, k.key, 1))
			failsWith[int64](t, "NIncrBy 0 of a "+k.name, wt)(b.NIncrBy(ctx, k.key, 0))
		}
		for _, k := range []named{{"string", str}, {"hash", hash}} {
			errIs(t, "SAdd to a "+k.name, b.SAdd(ctx, k.key, "x"), wt)
			errIs(t, "SRem from a "+k.name, b.SRem(ctx, k.key, "x"), wt)
			failsWith[[]string](t, "SMembers of a "+k.name, wt)(b.SMembers(ctx, k.key))
		}
		errIs(t, "SRem of a field name from a hash", b.SRem(ctx, hash, "f"), wt)
		for _, k := range []named{{"string", str}, {"set", set}} {
			errIs(t, "HSet to a "+k.name, b.HSet(ctx, k.key, "f", "x"), wt)
			errIs(t, "HSet of two fields to a "+k.name, b.HSet(ctx, k.key, "f", "x", kvstore.KeyValue{Key: "g", Value: "y"}), wt)
			failsWith[*string](t, "HGet of a "+k.name, wt)(b.HGet(ctx, k.key, "f"))
			failsWith[map[string]string](t, "HGetAll of a "+k.name, wt)(b.HGetAll(ctx, k.key))
			errIs(t, "HDel from a "+k.name, b.HDel(ctx, k.key, "f"), wt)
		}
		errIs(t, "HDel of a member name from a set", b.HDel(ctx, set, "a"), wt)
		unchanged(t, str, set, hash)
	})

	t.Run("SetVariantsOnOtherKinds", func(t *testing.T) {
		ctx := t.Context()
		str, set, hash := setup(t)
		for _, k := range []named{{"set", set}, {"hash", hash}} {
			eq(t, "SetNX on a "+k.name, false)(b.SetNX(ctx, k.key, "x"))
			eq(t, "SetEQ on a "+k.name, false)(b.SetEQ(ctx, k.key, "x", ""))
			eq(t, "SetEQ on a "+k.name+" naming a member", false)(b.SetEQ(ctx, k.key, "x", "a"))
		}
		unchanged(t, str, set, hash)

		eq(t, "SetXX on a set", true)(b.SetXX(ctx, set, "was a set"))
		checkString(t, ctx, b, set, "was a set")
		failsWith[[]string](t, "SMembers of what SetXX replaced", kvstore.ErrWrongType)(b.SMembers(ctx, set))
		eq(t, "SetXX on a hash", true)(b.SetXX(ctx, hash, "was a hash"))
		checkString(t, ctx, b, hash, "was a hash")
		failsWith[map[string]string](t, "HGetAll of what SetXX replaced", kvstore.ErrWrongType)(b.HGetAll(ctx, hash))
	})

	t.Run("SetReplaces", func(t *testing.T) {
		ctx := t.Context()
		str, set, hash := setup(t)
		must(t, "Set over a set", b.Set(ctx, set, "x"))
		checkString(t, ctx, b, set, "x")
		must(t, "Set over a hash", b.Set(ctx, hash, "y"))
		checkString(t, ctx, b, hash, "y")
		eq(t, "NIncrBy of a string that replaced a hash", int64(1))(b.NIncrBy(ctx, str+"-counter", 1))
		must(t, "Set over a set", b.Set(ctx, set, "5"))
		eq(t, "NIncrBy of a string that replaced a set", int64(6))(b.NIncrBy(ctx, set, 1))
	})

	t.Run("Delete", func(t *testing.T) {
		ctx := t.Context()
		str, set, hash := setup(t)
		for _, k := range []named{{"string", str}, {"set", set}, {"hash", hash}} {
			eq(t, "Delete of a "+k.name, true)(b.Delete(ctx, k.key))
			checkAbsent(t, ctx, b, k.key)
			checkMembers(t, ctx, b, k.key)
			checkHash(t, ctx, b, k.key, nil)
			eq(t, "second Delete of a "+k.name, false)(b.Delete(ctx, k.key))
		}
		// A deleted set or hash is gone: its key takes any kind again.
		must(t, "HSet where a set was", b.HSet(ctx, set, "f", "v"))
		checkHash(t, ctx, b, set, map[string]string{"f": "v"})
		must(t, "SAdd where a hash was", b.SAdd(ctx, hash, "m"))
		checkMembers(t, ctx, b, hash, "m")
		eq(t, "SetNX where a string was", true)(b.SetNX(ctx, str, "again"))
	})

	t.Run("SortedBesideValues", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		str, set, hash := key("string"), key("set"), key("hash")
		must(t, "Set", b.Set(ctx, str, "v"))
		must(t, "ZAdd beside a string", b.ZAdd(ctx, str, "m", 1))
		checkString(t, ctx, b, str, "v")
		eqScore(t, "ZScore beside a string", num(1))(b.ZScore(ctx, str, "m"))
		eq(t, "Delete of the string", true)(b.Delete(ctx, str))
		checkAbsent(t, ctx, b, str)
		checkSorted(t, ctx, b, str, sm("m", 1))
		eq(t, "Delete of a key holding only sorted members", false)(b.Delete(ctx, str))
		checkSorted(t, ctx, b, str, sm("m", 1))
		eqStr(t, "Get of a key holding only sorted members", nil)(b.Get(ctx, str))
		eq(t, "SetNX of a key holding only sorted members", true)(b.SetNX(ctx, str, "w"))
		must(t, "ZRem", b.ZRem(ctx, str, "m"))
		checkString(t, ctx, b, str, "w")
		checkSorted(t, ctx, b, str)
		must(t, "ZHAdd beside a string", b.ZHAdd(ctx, str, "f", "member", 2))
		must(t, "ZHRem beside a string", b.ZHRem(ctx, str, "f"))
		checkString(t, ctx, b, str, "w")
		must(t, "ZAdd beside a string", b.ZAdd(ctx, str, "w", 3))
		must(t, "Set over a string with sorted members", b.Set(ctx, str, "x"))
		checkSorted(t, ctx, b, str, sm("w", 3))

		must(t, "SAdd", b.SAdd(ctx, set, "a"))
		must(t, "ZAdd beside a set", b.ZAdd(ctx, set, "a", 1))
		must(t, "SAdd beside sorted members", b.SAdd(ctx, set, "b"))
		checkMembers(t, ctx, b, set, "a", "b")
		must(t, "SRem of every member", b.SRem(ctx, set, "a", "b"))
		checkMembers(t, ctx, b, set)
		checkSorted(t, ctx, b, set, sm("a", 1))

		must(t, "HSet", b.HSet(ctx, hash, "f", "v"))
		must(t, "ZHAdd beside a hash", b.ZHAdd(ctx, hash, "f", "member", 1))
		checkHash(t, ctx, b, hash, map[string]string{"f": "v"})
		must(t, "HDel of the last field", b.HDel(ctx, hash, "f"))
		checkHash(t, ctx, b, hash, nil)
		checkSorted(t, ctx, b, hash, sm("member", 1))
		eq(t, "NIncrBy of a key holding only sorted members", int64(4))(b.NIncrBy(ctx, hash, 4))
		checkSorted(t, ctx, b, hash, sm("member", 1))
	})
}
