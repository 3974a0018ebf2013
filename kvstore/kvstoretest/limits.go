package kvstoretest

import (
	"context"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// padKey returns key padded with "x" to n bytes.
func padKey(t testing.TB, key string, n int) string {
	t.Helper()
	if len(key) > n {
		t.Fatalf("key %q is longer than %d bytes", key, n)
	}
	return key + strings.Repeat("x", n-len(key))
}

// checkLongString checks that key holds want without printing either when they differ.
func checkLongString(t testing.TB, ctx context.Context, b kvstore.Backend, key, want string) {
	t.Helper()
	got, err := b.Get(ctx, key)
	switch {
	case err != nil:
		t.Errorf("Get of a %d-byte value: %v", len(want), err)
	case got == nil:
		t.Errorf("Get of a %d-byte value = nil", len(want))
	case *got != want:
		t.Errorf("Get of a %d-byte value returned %d bytes that differ", len(want), len(*got))
	}
}

// checkLongMembers checks a set of long members without printing them.
func checkLongMembers(t testing.TB, ctx context.Context, b kvstore.Backend, key string, want ...string) {
	t.Helper()
	got, err := b.SMembers(ctx, key)
	if err != nil {
		t.Errorf("SMembers: %v", err)
		return
	}
	ok := len(got) == len(want)
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		ok = ok && found
	}
	if !ok {
		t.Errorf("SMembers returned %d members, not the %d expected", len(got), len(want))
	}
}

// checkLongHash checks a hash of long values without printing them.
func checkLongHash(t testing.TB, ctx context.Context, b kvstore.Backend, key string, want map[string]string) {
	t.Helper()
	got, err := b.HGetAll(ctx, key)
	if err != nil {
		t.Errorf("HGetAll: %v", err)
		return
	}
	ok := len(got) == len(want)
	for f, v := range want {
		ok = ok && got[f] == v
	}
	if !ok {
		t.Errorf("HGetAll returned %d fields, not the %d expected", len(got), len(want))
	}
}

// testLimits covers the limits every backend enforces: key, member and field sizes
// and the item size, each refused with ErrInvalidArgument and nothing written.
func testLimits(t *testing.T, b kvstore.Backend) {
	inv := kvstore.ErrInvalidArgument

	t.Run("Keys", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		for _, bad := range []struct{ name, key string }{
			{"an empty key", ""},
			{"a 1025-byte key", padKey(t, key("long"), kvstore.MaxKeySize+1)},
			{"a key of fewer than 1024 runes but more bytes", key("é") + strings.Repeat("é", 512)},
		} {
			for _, c := range everyCall(b, bad.key) {
				errIs(t, c.name+" of "+bad.name, c.run(ctx), inv)
			}
		}
		checkAbsent(t, ctx, b, padKey(t, key("long"), kvstore.MaxKeySize))

		k := padKey(t, key("long"), kvstore.MaxKeySize)
		must(t, "Set of a 1024-byte key", b.Set(ctx, k, "v"))
		checkString(t, ctx, b, k, "v")
		eq(t, "Delete of a 1024-byte key", true)(b.Delete(ctx, k))
		must(t, "SAdd of a 1024-byte key", b.SAdd(ctx, k, "m"))
		checkMembers(t, ctx, b, k, "m")
		must(t, "ZAdd of a 1024-byte key", b.ZAdd(ctx, k, "m", 1))
		checkSorted(t, ctx, b, k, sm("m", 1))
		eq(t, "Delete of a 1024-byte key", true)(b.Delete(ctx, k))
		must(t, "HSet of a 1024-byte key", b.HSet(ctx, k, "f", "v"))
		checkHash(t, ctx, b, k, map[string]string{"f": "v"})
		eq(t, "NIncrBy of a 1024-byte key", int64(1))(b.NIncrBy(ctx, padKey(t, key("counter"), kvstore.MaxKeySize), 1))
		runes := key("é")
		runes += strings.Repeat("é", (kvstore.MaxKeySize-len(runes))/2)
		runes = padKey(t, runes, kvstore.MaxKeySize)
		must(t, "Set of a 1024-byte key of two-byte runes", b.Set(ctx, runes, "r"))
		checkString(t, ctx, b, runes, "r")
	})

	t.Run("Strings", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		for _, k := range []string{key("s"), padKey(t, key("long"), kvstore.MaxKeySize)} {
			n := kvstore.MaxItemSize - kvstore.StringItemSize(k, 0)
			fits, over := strings.Repeat("v", n), strings.Repeat("w", n+1)
			must(t, "Set of the largest value", b.Set(ctx, k, fits))
			checkLongString(t, ctx, b, k, fits)
			errIs(t, "Set of a value one byte too large", b.Set(ctx, k, over), inv)
			failsWith[bool](t, "SetXX of a value one byte too large", inv)(b.SetXX(ctx, k, over))
			failsWith[bool](t, "SetEQ of a value one byte too large", inv)(b.SetEQ(ctx, k, over, fits))
			checkLongString(t, ctx, b, k, fits)
			other := k[:len(k)-1] + "y" // as long as k
			errIs(t, "Set of a []byte one byte too large", b.Set(ctx, other, []byte(over)), inv)
			failsWith[bool](t, "SetNX of a value one byte too large", inv)(b.SetNX(ctx, other, over))
			checkAbsent(t, ctx, b, other)
			eq(t, "Delete", true)(b.Delete(ctx, k))
		}
	})

	t.Run("Sets", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("s")
		n := kvstore.MaxItemSize - kvstore.SetItemSize(k, 0)
		must(t, "SAdd of the largest member", b.SAdd(ctx, k, strings.Repeat("m", n)))
		checkLongMembers(t, ctx, b, k, strings.Repeat("m", n))
		eq(t, "Delete", true)(b.Delete(ctx, k))
		errIs(t, "SAdd of a member one byte too large", b.SAdd(ctx, k, strings.Repeat("m", n+1)), inv)
		checkMembers(t, ctx, b, k)
		errIs(t, "SAdd of two members too large together",
			b.SAdd(ctx, k, strings.Repeat("a", 250_000), strings.Repeat("b", 200_000)), inv)
		checkMembers(t, ctx, b, k)

		big := strings.Repeat("a", 250_000)
		must(t, "SAdd of a 250,000-byte member", b.SAdd(ctx, k, big))
		errIs(t, "SAdd of a 200,000-byte member to it", b.SAdd(ctx, k, strings.Repeat("b", 200_000)), inv)
		errIs(t, "SAdd of a present and a 200,000-byte member", b.SAdd(ctx, k, big, strings.Repeat("b", 200_000)), inv)
		checkLongMembers(t, ctx, b, k, big)
		must(t, "SAdd of the present 250,000-byte member again", b.SAdd(ctx, k, big))
		must(t, "SAdd of a small member", b.SAdd(ctx, k, "c"))
		checkLongMembers(t, ctx, b, k, big, "c")
	})

	t.Run("Hashes", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("h")
		for _, f := range []string{"f", "\xff\xfe\xfd", "フィールド"} {
			n := kvstore.MaxItemSize - kvstore.HashItemSize(k, kvstore.HashFieldSize(f, 0))
			fits := strings.Repeat("v", n)
			must(t, "HSet of the largest value", b.HSet(ctx, k, f, fits))
			checkLongHash(t, ctx, b, k, map[string]string{f: fits})
			eq(t, "Delete", true)(b.Delete(ctx, k))
			errIs(t, "HSet of a value one byte too large", b.HSet(ctx, k, f, fits+"v"), inv)
			checkHash(t, ctx, b, k, nil)
		}
		errIs(t, "HSet of two fields too large together",
			b.HSet(ctx, k, "a", strings.Repeat("a", 250_000), kv("b", strings.Repeat("b", 200_000))), inv)
		checkHash(t, ctx, b, k, nil)

		big := strings.Repeat("a", 250_000)
		must(t, "HSet of a 250,000-byte value", b.HSet(ctx, k, "a", big))
		errIs(t, "HSet of a 200,000-byte value to another field", b.HSet(ctx, k, "b", strings.Repeat("b", 200_000)), inv)
		checkLongHash(t, ctx, b, k, map[string]string{"a": big})
		other := strings.Repeat("c", 250_000)
		must(t, "HSet replacing the 250,000-byte value by another", b.HSet(ctx, k, "a", other))
		must(t, "HSet of a small field", b.HSet(ctx, k, "b", "small"))
		checkLongHash(t, ctx, b, k, map[string]string{"a": other, "b": "small"})

		field := strings.Repeat("f", kvstore.MaxHashFieldSize)
		must(t, "HSet of the largest field", b.HSet(ctx, key("fields"), field, "v"))
		eqStr(t, "HGet of the largest field", str("v"))(b.HGet(ctx, key("fields"), field))
		errIs(t, "HSet of a field one byte too large", b.HSet(ctx, key("fields"), field+"f", "w"), inv)
		errIs(t, "HSet of a second field one byte too large", b.HSet(ctx, key("fields"), "g", "w", kv(field+"f", "w")), inv)
		failsWith[*string](t, "HGet of a field one byte too large", inv)(b.HGet(ctx, key("fields"), field+"f"))
		errIs(t, "HDel of a field one byte too large", b.HDel(ctx, key("fields"), field+"f"), inv)
		errIs(t, "HDel of a second field one byte too large", b.HDel(ctx, key("fields"), field, field+"f"), inv)
		checkHash(t, ctx, b, key("fields"), map[string]string{field: "v"})
	})

	t.Run("Sorted", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("z")
		longest := strings.Repeat("m", kvstore.MaxSortedMemberSize)
		must(t, "ZAdd of the largest member", b.ZAdd(ctx, k, longest, 1))
		eqScore(t, "ZScore of the largest member", num(1))(b.ZScore(ctx, k, longest))
		runes := strings.Repeat("é", kvstore.MaxSortedMemberSize/2)
		must(t, "ZAdd of the largest member of two-byte runes", b.ZAdd(ctx, k, runes, 2))
		must(t, "ZHAdd of the largest field", b.ZHAdd(ctx, k, strings.Repeat("f", kvstore.MaxSortedMemberSize), "member", 3))
		checkSorted(t, ctx, b, k, sm(longest, 1), sm(runes, 2), sm("member", 3))

		over := longest + "m"
		errIs(t, "ZAdd of a member one byte too large", b.ZAdd(ctx, k, over, 1), inv)
		errIs(t, "ZAdd of a member of 509 two-byte runes", b.ZAdd(ctx, k, runes+"é", 1), inv)
		failsWith[float64](t, "ZIncrBy of a member one byte too large", inv)(b.ZIncrBy(ctx, k, over, 1))
		errIs(t, "ZHAdd of a field one byte too large", b.ZHAdd(ctx, k, over, "m", 1), inv)
		failsWith[*float64](t, "ZScore of a member one byte too large", inv)(b.ZScore(ctx, k, over))
		errIs(t, "ZRem of a member one byte too large", b.ZRem(ctx, k, over), inv)
		errIs(t, "ZHRem of a field one byte too large", b.ZHRem(ctx, k, over), inv)
		checkSorted(t, ctx, b, k, sm(longest, 1), sm(runes, 2), sm("member", 3))

		h := key("zh")
		n := largestFitting(func(n int) int { return kvstore.SortedItemSize(h, "f", n) })
		fits := strings.Repeat("v", n)
		must(t, "ZHAdd of the largest member", b.ZHAdd(ctx, h, "f", fits, 1))
		errIs(t, "ZHAdd of a member one byte too large", b.ZHAdd(ctx, h, "g", fits+"v", 2), inv)
		got, err := b.ZHRangeByScore(ctx, h, negInf, inf, 0)
		if err != nil || len(got) != 1 || got[0] != fits {
			t.Errorf("ZHRangeByScore after the largest member: %d members, error %v; want the largest member only", len(got), err)
		}
	})

	t.Run("LargeRanges", func(t *testing.T) {
		// 1.5 MB of members: more than one page of a DynamoDB Query. Equal scores, so
		// that lex ranges apply too.
		ctx, key := t.Context(), newKeys(t)
		k := key("zh")
		members := make([]string, 5)
		for i := range members {
			members[i] = strings.Repeat(string(rune('a'+i)), 300_000)
			must(t, "ZHAdd of a 300,000-byte member", b.ZHAdd(ctx, k, string(rune('a'+i)), members[i], 0))
		}
		check := func(what string, want []string) func([]string, error) {
			return func(got []string, err error) {
				t.Helper()
				ok := err == nil && len(got) == len(want)
				for i := 0; ok && i < len(got); i++ {
					ok = got[i] == want[i]
				}
				if !ok {
					t.Errorf("%s: %d members (error %v), want %d in order", what, len(got), err, len(want))
				}
			}
		}
		check("ZHRangeByScore", members)(b.ZHRangeByScore(ctx, k, negInf, inf, 0))
		check("ZHRevRangeByScore", reversed(members))(b.ZHRevRangeByScore(ctx, k, negInf, inf, 0))
		check("ZHRevRangeByScore limit 4", reversed(members)[:4])(b.ZHRevRangeByScore(ctx, k, negInf, inf, 4))
		check("ZHRangeByLex", members)(b.ZHRangeByLex(ctx, k, "-", "+", 0))
		check("ZHRangeByLex((a, +) limit 3", members[1:4])(b.ZHRangeByLex(ctx, k, "(a", "+", 3))
		eq(t, "ZCount", 5)(b.ZCount(ctx, k, negInf, inf))
		eq(t, "ZLexCount", 5)(b.ZLexCount(ctx, k, "-", "+"))
	})
}

// largestFitting returns the largest n for which size(n) (growing with n) stays within
// kvstore.MaxItemSize.
func largestFitting(size func(n int) int) int {
	lo, hi := 0, kvstore.MaxItemSize
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if size(mid) <= kvstore.MaxItemSize {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}
