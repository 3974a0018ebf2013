package kvstoretest

import (
	"fmt"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// kv is a KeyValue for HSet.
func kv(key string, value any) kvstore.KeyValue { return kvstore.KeyValue{Key: key, Value: value} }

// testHashes covers HSet, HGet, HGetAll and HDel.
func testHashes(t *testing.T, b kvstore.Backend) {
	t.Run("SetGet", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("h")
		eqStr(t, "HGet of an absent key", nil)(b.HGet(ctx, k, "a"))
		checkHash(t, ctx, b, k, nil)
		must(t, "HSet", b.HSet(ctx, k, "a", "1"))
		eqStr(t, "HGet", str("1"))(b.HGet(ctx, k, "a"))
		eqStr(t, "HGet of an absent field", nil)(b.HGet(ctx, k, "b"))
		must(t, "HSet of several fields", b.HSet(ctx, k, "b", "2", kv("c", "3"), kv("d", "4")))
		checkHash(t, ctx, b, k, map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"})
		must(t, "HSet overwriting a field and adding one", b.HSet(ctx, k, "a", "one", kv("e", "5")))
		checkHash(t, ctx, b, k, map[string]string{"a": "one", "b": "2", "c": "3", "d": "4", "e": "5"})
		must(t, "HSet of one field twice", b.HSet(ctx, k, "d", "x", kv("f", "6"), kv("d", "y"), kv("d", "z")))
		checkHash(t, ctx, b, k, map[string]string{"a": "one", "b": "2", "c": "3", "d": "z", "e": "5", "f": "6"})
		eqStr(t, "HGet of a field set twice", str("z"))(b.HGet(ctx, k, "d"))
		eqStr(t, "HGet of a field named like a value", nil)(b.HGet(ctx, k, "one"))
	})

	t.Run("EmptyFieldAndValue", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("h")
		must(t, "HSet of an empty field", b.HSet(ctx, k, "", "empty field"))
		must(t, "HSet of an empty value", b.HSet(ctx, k, "empty value", ""))
		eqStr(t, "HGet of an empty field", str("empty field"))(b.HGet(ctx, k, ""))
		eqStr(t, "HGet of an empty value", str(""))(b.HGet(ctx, k, "empty value"))
		checkHash(t, ctx, b, k, map[string]string{"": "empty field", "empty value": ""})
		must(t, "HDel of the empty field", b.HDel(ctx, k, ""))
		checkHash(t, ctx, b, k, map[string]string{"empty value": ""})
		must(t, "HSet of only an empty value", b.HSet(ctx, key("e"), "f", ""))
		checkHash(t, ctx, b, key("e"), map[string]string{"f": ""})
	})

	t.Run("Delete", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("h")
		must(t, "HDel from an absent key", b.HDel(ctx, k, "a", "b"))
		checkHash(t, ctx, b, k, nil)
		must(t, "HSet", b.HSet(ctx, k, "a", "1", kv("b", "2"), kv("c", "3"), kv("d", "4")))
		must(t, "HDel of an absent field", b.HDel(ctx, k, "x"))
		checkHash(t, ctx, b, k, map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"})
		must(t, "HDel of several fields", b.HDel(ctx, k, "a", "b", "x", "a"))
		checkHash(t, ctx, b, k, map[string]string{"c": "3", "d": "4"})
		eqStr(t, "HGet of a deleted field", nil)(b.HGet(ctx, k, "a"))
		must(t, "HDel of one field", b.HDel(ctx, k, "c"))
		must(t, "HDel of the last field", b.HDel(ctx, k, "d"))
		checkHash(t, ctx, b, k, nil)
		// The hash is gone with its last field.
		eqStr(t, "Get of an emptied hash", nil)(b.Get(ctx, k))
		eq(t, "Delete of an emptied hash", false)(b.Delete(ctx, k))
		eq(t, "SetNX of an emptied hash", true)(b.SetNX(ctx, k, "string"))
		checkString(t, ctx, b, k, "string")
	})

	t.Run("ManyFields", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("h")
		want := make(map[string]string, 100)
		var rest []kvstore.KeyValue
		for i := 1; i < 100; i++ {
			f, v := fmt.Sprintf("field-%02d", i), fmt.Sprintf("value-%d", i)
			want[f] = v
			rest = append(rest, kv(f, v))
		}
		want["field-00"] = "value-0"
		must(t, "HSet of 100 fields", b.HSet(ctx, k, "field-00", "value-0", rest...))
		checkHash(t, ctx, b, k, want)
		eqStr(t, "HGet", str("value-42"))(b.HGet(ctx, k, "field-42"))
	})
}
