package kvstoretest

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// marshaler is an encoding.BinaryMarshaler with a value receiver.
type marshaler struct{ s string }

func (m marshaler) MarshalBinary() ([]byte, error) { return []byte(m.s), nil }

// ptrMarshaler has a pointer receiver: its MarshalBinary panics on a nil pointer.
type ptrMarshaler struct{ s string }

func (m *ptrMarshaler) MarshalBinary() ([]byte, error) { return []byte(m.s), nil }

// failingMarshaler's MarshalBinary always fails.
type failingMarshaler struct{}

func (failingMarshaler) MarshalBinary() ([]byte, error) {
	return nil, errors.New("kvstoretest: cannot marshal")
}

// badValues are values of types the API refuses.
var badValues = []struct {
	name  string
	value any
}{
	{"nil", nil},
	{"float64", 1.5},
	{"float32", float32(2)},
	{"bool", true},
	{"int32", int32(3)},
	{"uint64", uint64(4)},
	{"struct", struct{ A int }{5}},
	{"pointer to string", new(string)},
	{"[]string", []string{"a"}},
	{"map", map[string]string{"a": "b"}},
	{"failing MarshalBinary", failingMarshaler{}},
	{"nil pointer whose MarshalBinary panics", (*ptrMarshaler)(nil)},
}

// testValues covers the value types the API accepts and refuses, copying, and
// binary and Unicode keys and values.
func testValues(t *testing.T, b kvstore.Backend) {
	t.Run("Accepted", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		var members []string
		var fields [][2]string // field and member of the sorted hash
		for _, c := range []struct {
			name  string
			value any
			want  string
		}{
			{"string", "text", "text"},
			{"empty string", "", ""},
			{"[]byte", []byte("bytes"), "bytes"},
			{"empty []byte", []byte{}, ""},
			{"nil []byte", []byte(nil), ""},
			{"int", 42, "42"},
			{"negative int", -7, "-7"},
			{"zero int", 0, "0"},
			{"int64", int64(1) << 40, "1099511627776"},
			{"MaxInt64", int64(math.MaxInt64), "9223372036854775807"},
			{"MinInt64", int64(math.MinInt64), "-9223372036854775808"},
			{"BinaryMarshaler", marshaler{"marshalled"}, "marshalled"},
			{"pointer BinaryMarshaler", &ptrMarshaler{"pointer"}, "pointer"},
			{"empty BinaryMarshaler", marshaler{}, ""},
		} {
			k := key(c.name)
			if err := b.Set(ctx, k, c.value); err != nil {
				t.Errorf("Set of %s: %v", c.name, err)
				continue
			}
			checkString(t, ctx, b, k, c.want)
			eq(t, "SetEQ with old value of type "+c.name, true)(b.SetEQ(ctx, k, "replaced", c.value))
			noErr(t, "HSet of "+c.name, b.HSet(ctx, key("hash"), c.name, c.value))
			noErr(t, "ZHAdd of "+c.name, b.ZHAdd(ctx, key("zhash"), c.name, c.value, 1))
			if c.want != "" {
				noErr(t, "SAdd of "+c.name, b.SAdd(ctx, key("set"), c.value))
				noErr(t, "ZAdd of "+c.name, b.ZAdd(ctx, key("zset"), c.value, 2))
				eqScore(t, "ZScore of "+c.name, num(2))(b.ZScore(ctx, key("zset"), c.value))
				members = append(members, c.want)
			}
			fields = append(fields, [2]string{c.name, c.want})
		}
		checkMembers(t, ctx, b, key("set"), members...)
		slices.Sort(members)
		members = slices.Compact(members)
		eqList(t, "ZRangeByScore of members of every type", members...)(b.ZRangeByScore(ctx, key("zset"), 2, 2, 0))
		// The sorted hash orders by field.
		slices.SortFunc(fields, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		var inFieldOrder []kvstore.ScoredMember
		for _, f := range fields {
			inFieldOrder = append(inFieldOrder, sm(f[1], 1))
		}
		checkSorted(t, ctx, b, key("zhash"), inFieldOrder...)
		checkHash(t, ctx, b, key("hash"), map[string]string{
			"string": "text", "empty string": "", "[]byte": "bytes", "empty []byte": "", "nil []byte": "",
			"int": "42", "negative int": "-7", "zero int": "0", "int64": "1099511627776",
			"MaxInt64": "9223372036854775807", "MinInt64": "-9223372036854775808",
			"BinaryMarshaler": "marshalled", "pointer BinaryMarshaler": "pointer", "empty BinaryMarshaler": "",
		})
		must(t, "SAdd of mixed types", b.SAdd(ctx, key("mixed"), "s", []byte("b"), 3, int64(4), marshaler{"m"}))
		checkMembers(t, ctx, b, key("mixed"), "s", "b", "3", "4", "m")
		must(t, "SRem of mixed types", b.SRem(ctx, key("mixed"), []byte("s"), "b", int64(3), 4))
		checkMembers(t, ctx, b, key("mixed"), "m")
		must(t, "HSet of mixed types", b.HSet(ctx, key("mixedhash"), "a", 1,
			kvstore.KeyValue{Key: "b", Value: []byte("x")}, kvstore.KeyValue{Key: "c", Value: marshaler{"y"}}))
		checkHash(t, ctx, b, key("mixedhash"), map[string]string{"a": "1", "b": "x", "c": "y"})
	})

	t.Run("Refused", func(t *testing.T) {
		for _, bad := range badValues {
			t.Run(bad.name, func(t *testing.T) {
				ctx, key := t.Context(), newKeys(t)
				v := bad.value
				must(t, "Set", b.Set(ctx, key("old"), "old"))
				must(t, "SAdd", b.SAdd(ctx, key("oldset"), "a"))
				must(t, "ZAdd", b.ZAdd(ctx, key("oldz"), "a", 1))
				inv := kvstore.ErrInvalidArgument
				errIs(t, "Set", b.Set(ctx, key("s"), v), inv)
				failsWith[bool](t, "SetNX", inv)(b.SetNX(ctx, key("s"), v))
				failsWith[bool](t, "SetXX", inv)(b.SetXX(ctx, key("old"), v))
				failsWith[bool](t, "SetEQ value", inv)(b.SetEQ(ctx, key("old"), v, "old"))
				failsWith[bool](t, "SetEQ old value", inv)(b.SetEQ(ctx, key("old"), "new", v))
				errIs(t, "SAdd", b.SAdd(ctx, key("set"), v), inv)
				errIs(t, "SAdd of a second member", b.SAdd(ctx, key("set"), "a", v), inv)
				errIs(t, "SRem", b.SRem(ctx, key("oldset"), v), inv)
				errIs(t, "SRem of a second member", b.SRem(ctx, key("oldset"), "a", v), inv)
				errIs(t, "HSet", b.HSet(ctx, key("hash"), "f", v), inv)
				errIs(t, "HSet of a second field", b.HSet(ctx, key("hash"), "f", "v", kvstore.KeyValue{Key: "g", Value: v}), inv)
				errIs(t, "ZAdd", b.ZAdd(ctx, key("z"), v, 1), inv)
				failsWith[*float64](t, "ZScore", inv)(b.ZScore(ctx, key("oldz"), v))
				errIs(t, "ZRem", b.ZRem(ctx, key("oldz"), v), inv)
				errIs(t, "ZHAdd", b.ZHAdd(ctx, key("z"), "f", v, 1), inv)

				checkAbsent(t, ctx, b, key("s"))
				checkString(t, ctx, b, key("old"), "old")
				checkMembers(t, ctx, b, key("set"))
				checkMembers(t, ctx, b, key("oldset"), "a")
				checkHash(t, ctx, b, key("hash"), nil)
				checkSorted(t, ctx, b, key("z"))
				checkSorted(t, ctx, b, key("oldz"), sm("a", 1))
			})
		}
	})

	t.Run("Copied", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		buf := []byte("abc")
		must(t, "Set", b.Set(ctx, key("s"), buf))
		must(t, "SAdd", b.SAdd(ctx, key("set"), buf))
		must(t, "HSet", b.HSet(ctx, key("hash"), "f", buf))
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), buf, 1))
		must(t, "ZHAdd", b.ZHAdd(ctx, key("zh"), "f", buf, 1))
		copy(buf, "xyz")
		checkString(t, ctx, b, key("s"), "abc")
		checkMembers(t, ctx, b, key("set"), "abc")
		checkHash(t, ctx, b, key("hash"), map[string]string{"f": "abc"})
		checkSorted(t, ctx, b, key("z"), sm("abc", 1))
		checkSorted(t, ctx, b, key("zh"), sm("abc", 1))

		// Results belong to the caller: changing them changes nothing stored.
		if m, err := b.HGetAll(ctx, key("hash")); err == nil && m != nil {
			m["f"] = "changed"
			m["g"] = "added"
		}
		checkHash(t, ctx, b, key("hash"), map[string]string{"f": "abc"})
		if ms, err := b.SMembers(ctx, key("set")); err == nil && len(ms) > 0 {
			ms[0] = "changed"
		}
		checkMembers(t, ctx, b, key("set"), "abc")
		if ms, err := b.ZRangeByScoreWithScores(ctx, key("z"), 0, 2, 0); err == nil && len(ms) > 0 {
			ms[0].Value, ms[0].Score = "changed", 5
		}
		checkSorted(t, ctx, b, key("z"), sm("abc", 1))
		if ms, err := b.ZRangeByScore(ctx, key("z"), 0, 2, 0); err == nil && len(ms) > 0 {
			ms[0] = "changed"
		}
		checkSorted(t, ctx, b, key("z"), sm("abc", 1))
	})

	t.Run("Binary", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("\x00\xff\xfe\x80 binary")
		v := "\x00\x01\xff\xfe\x80\x00"
		must(t, "Set of a binary key and value", b.Set(ctx, k, v))
		checkString(t, ctx, b, k, v)
		checkAbsent(t, ctx, b, key("\x00\xff\xfe\x80 binary\x00"))
		checkAbsent(t, ctx, b, key("\x00\xff\xfe\x80"))
		must(t, "Set of a NUL", b.Set(ctx, key("nul"), "\x00"))
		checkString(t, ctx, b, key("nul"), "\x00")
		eq(t, "SetEQ of binary values", true)(b.SetEQ(ctx, k, "\xff", []byte(v)))
		checkString(t, ctx, b, k, "\xff")

		must(t, "SAdd of binary members", b.SAdd(ctx, key("set\xff"), "\x00", "\xff", "a\x00b", "\x80"))
		checkMembers(t, ctx, b, key("set\xff"), "\x00", "\xff", "a\x00b", "\x80")
		must(t, "SRem of a binary member", b.SRem(ctx, key("set\xff"), "\xff"))
		checkMembers(t, ctx, b, key("set\xff"), "\x00", "a\x00b", "\x80")

		must(t, "HSet of binary fields and values", b.HSet(ctx, key("hash\x00"), "\xff\x00", "\x00\xff",
			kvstore.KeyValue{Key: "\x00", Value: "nul"}, kvstore.KeyValue{Key: "a", Value: "\x80"}))
		checkHash(t, ctx, b, key("hash\x00"), map[string]string{"\xff\x00": "\x00\xff", "\x00": "nul", "a": "\x80"})
		eqStr(t, "HGet of a binary field", str("\x00\xff"))(b.HGet(ctx, key("hash\x00"), "\xff\x00"))
		must(t, "HDel of a binary field", b.HDel(ctx, key("hash\x00"), "\xff\x00"))
		checkHash(t, ctx, b, key("hash\x00"), map[string]string{"\x00": "nul", "a": "\x80"})

		// Members order by unsigned bytes.
		for _, m := range []string{"\xff", "\x80", "\x7f", "\x00", "\x00\x00", "a", "a\x00"} {
			must(t, "ZAdd of a binary member", b.ZAdd(ctx, key("z\x00"), m, 0))
		}
		eqList(t, "ZRangeByScore of binary members", "\x00", "\x00\x00", "a", "a\x00", "\x7f", "\x80", "\xff")(
			b.ZRangeByScore(ctx, key("z\x00"), 0, 0, 0))
		eqList(t, "ZRangeByLex of binary members", "a", "a\x00", "\x7f", "\x80")(
			b.ZRangeByLex(ctx, key("z\x00"), "(\x00\x00", "[\x80", 0))
		eqScore(t, "ZScore of a binary member", num(0))(b.ZScore(ctx, key("z\x00"), "\x00\x00"))
		eqScore(t, "ZScore of an absent binary member", nil)(b.ZScore(ctx, key("z\x00"), "\x00\x00\x00"))
	})

	t.Run("Unicode", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("ключ-🔑-日本")
		must(t, "Set of a Unicode key and value", b.Set(ctx, k, "ünïcødé 日本語 🎉"))
		checkString(t, ctx, b, k, "ünïcødé 日本語 🎉")
		must(t, "SAdd of Unicode members", b.SAdd(ctx, key("集合"), "ü", "u", "🎉"))
		checkMembers(t, ctx, b, key("集合"), "ü", "u", "🎉")
		must(t, "HSet of Unicode fields", b.HSet(ctx, key("ハッシュ"), "フィールド", "値",
			kvstore.KeyValue{Key: "🔑", Value: "🎉"}))
		checkHash(t, ctx, b, key("ハッシュ"), map[string]string{"フィールド": "値", "🔑": "🎉"})

		// UTF-8 byte order, which differs from UTF-16 order: U+FF5E sorts before U+1F511.
		for _, m := range []string{"🔑", "\uff5e", "日", "é", "z", "a"} {
			must(t, "ZAdd of a Unicode member", b.ZAdd(ctx, key("順序"), m, 0))
		}
		eqList(t, "ZRangeByScore of Unicode members", "a", "z", "é", "日", "\uff5e", "🔑")(
			b.ZRangeByScore(ctx, key("順序"), 0, 0, 0))
		eqList(t, "ZRangeByLex of Unicode members", "é", "日", "\uff5e")(
			b.ZRangeByLex(ctx, key("順序"), "[é", "(🔑", 0))
		eqList(t, "ZRevRangeByLex of Unicode members", "🔑", "\uff5e", "日")(
			b.ZRevRangeByLex(ctx, key("順序"), "(é", "+", 0))
		must(t, "ZHAdd of Unicode fields", b.ZHAdd(ctx, key("並べ替え"), "🔑", "last", 0))
		must(t, "ZHAdd of Unicode fields", b.ZHAdd(ctx, key("並べ替え"), "\uff5e", "first", 0))
		eqList(t, "ZHRangeByScore orders Unicode fields by UTF-8 bytes", "first", "last")(
			b.ZHRangeByScore(ctx, key("並べ替え"), 0, 0, 0))
	})
}
