package kvstoretest

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// execOK runs an atomic write expected to apply.
func execOK(t testing.TB, ctx context.Context, what string, w kvstore.AtomicWriteOperation) {
	t.Helper()
	ok, err := w.Exec(ctx)
	if err != nil || !ok {
		t.Errorf("Exec of %s = (%v, %v), want (true, nil)", what, ok, err)
	}
}

// execFailedCondition runs an atomic write expected to fail a condition.
func execFailedCondition(t testing.TB, ctx context.Context, what string, w kvstore.AtomicWriteOperation) {
	t.Helper()
	ok, err := w.Exec(ctx)
	if err != nil || ok {
		t.Errorf("Exec of %s = (%v, %v), want (false, nil)", what, ok, err)
	}
}

// execFails runs an atomic write expected to return an error matching target.
func execFails(t testing.TB, ctx context.Context, what string, w kvstore.AtomicWriteOperation, target error) {
	t.Helper()
	ok, err := w.Exec(ctx)
	if ok {
		t.Errorf("Exec of %s reported success", what)
	}
	errIs(t, "Exec of "+what, err, target)
}

// checkConditions checks each result's ConditionalFailed.
func checkConditions(t testing.TB, what string, results map[string]kvstore.AtomicWriteResult, failed ...string) {
	t.Helper()
	for name, r := range results {
		want := false
		for _, f := range failed {
			want = want || f == name
		}
		if got := r.ConditionalFailed(); got != want {
			t.Errorf("%s: %s.ConditionalFailed() = %v, want %v", what, name, got, want)
		}
	}
}

// testAtomicWrite covers AtomicWriteOperation: every operation applied, every
// condition failing, all or nothing, and the refused atomic writes.
func testAtomicWrite(t *testing.T, b kvstore.Backend) {
	t.Run("Empty", func(t *testing.T) {
		execOK(t, t.Context(), "an empty atomic write", b.AtomicWrite())
	})

	t.Run("EveryOperation", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("xx"), "old"))
		must(t, "Set", b.Set(ctx, key("eq"), "old"))
		must(t, "Set", b.Set(ctx, key("del"), "d"))
		must(t, "Set", b.Set(ctx, key("delxx"), "d"))
		must(t, "SAdd", b.SAdd(ctx, key("delset"), "a"))
		must(t, "SAdd", b.SAdd(ctx, key("setover"), "a"))
		must(t, "SAdd", b.SAdd(ctx, key("xxset"), "a"))
		must(t, "NIncrBy", errOf(b.NIncrBy(ctx, key("cnt"), 5)))
		must(t, "Set", b.Set(ctx, key("cntstr"), "10"))
		must(t, "SAdd", b.SAdd(ctx, key("sadd"), "a", "b"))
		must(t, "SAdd", b.SAdd(ctx, key("srem"), "a", "b"))
		must(t, "HSet", b.HSet(ctx, key("hset"), "f", "v", kv("g", "w")))
		must(t, "HSet", b.HSet(ctx, key("hsetnx"), "f", "v"))
		must(t, "HSet", b.HSet(ctx, key("hdel"), "f", "v", kv("g", "w")))
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), "m", 1))
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), "r", 2))
		must(t, "ZHAdd", b.ZHAdd(ctx, key("zh"), "f", "member-f", 1))
		must(t, "ZHAdd", b.ZHAdd(ctx, key("zh"), "g", "member-g", 2))

		w := b.AtomicWrite()
		results := map[string]kvstore.AtomicWriteResult{
			"Set":                      w.Set(key("set"), "v"),
			"Set over a set":           w.Set(key("setover"), "replaced"),
			"SetNX":                    w.SetNX(key("nx"), 7),
			"SetXX":                    w.SetXX(key("xx"), "new"),
			"SetEQ":                    w.SetEQ(key("eq"), "new", "old"),
			"Delete":                   w.Delete(key("del")),
			"Delete of an absent key":  w.Delete(key("absent")),
			"DeleteXX":                 w.DeleteXX(key("delxx")),
			"DeleteXX of a set":        w.DeleteXX(key("delset")),
			"NIncrBy":                  w.NIncrBy(key("cnt"), 3),
			"NIncrBy of a string":      w.NIncrBy(key("cntstr"), -1),
			"NIncrBy of an absent key": w.NIncrBy(key("cntnew"), -2),
			"ZAdd":                     w.ZAdd(key("z"), "m", 5),
			"ZAdd of another member":   w.ZAdd(key("z"), "n", 3),
			"ZAddNX":                   w.ZAddNX(key("z"), "o", 4),
			"ZRem":                     w.ZRem(key("z"), "r"),
			"ZHAdd":                    w.ZHAdd(key("zh"), "h", "member-h", 3),
			"ZHAdd overwriting":        w.ZHAdd(key("zh"), "g", "renamed", 0),
			"ZHRem":                    w.ZHRem(key("zh"), "f"),
			"SAdd":                     w.SAdd(key("sadd"), "c", "a"),
			"SRem":                     w.SRem(key("srem"), "a", "x"),
			"HSet":                     w.HSet(key("hset"), "f", "v2", kv("h", "x")),
			"HSetNX":                   w.HSetNX(key("hsetnx"), "g", "w"),
			"HSetNX of an absent key":  w.HSetNX(key("hsetnxnew"), "f", "v"),
			"HDel":                     w.HDel(key("hdel"), "f", "x"),
			"Set beside sorted data":   w.Set(key("z"), "string beside"),
			"SetXX of a set":           w.SetXX(key("xxset"), "was a set"),
			"SetNX beside sorted data": w.SetNX(key("zh"), "string beside"),
			"ZAddNX beside a string":   w.ZAddNX(key("xx"), "m", 1),
		}
		execOK(t, ctx, "every operation", w)
		checkConditions(t, "every operation", results)

		checkString(t, ctx, b, key("set"), "v")
		checkString(t, ctx, b, key("setover"), "replaced")
		checkString(t, ctx, b, key("nx"), "7")
		checkString(t, ctx, b, key("xx"), "new")
		checkSorted(t, ctx, b, key("xx"), sm("m", 1))
		checkString(t, ctx, b, key("xxset"), "was a set")
		checkString(t, ctx, b, key("zh"), "string beside")
		checkString(t, ctx, b, key("eq"), "new")
		checkAbsent(t, ctx, b, key("del"))
		checkAbsent(t, ctx, b, key("absent"))
		checkAbsent(t, ctx, b, key("delxx"))
		checkMembers(t, ctx, b, key("delset"))
		checkString(t, ctx, b, key("cnt"), "8")
		checkString(t, ctx, b, key("cntstr"), "9")
		checkString(t, ctx, b, key("cntnew"), "-2")
		checkSorted(t, ctx, b, key("z"), sm("n", 3), sm("o", 4), sm("m", 5))
		checkString(t, ctx, b, key("z"), "string beside")
		checkSorted(t, ctx, b, key("zh"), sm("renamed", 0), sm("member-h", 3))
		checkMembers(t, ctx, b, key("sadd"), "a", "b", "c")
		checkMembers(t, ctx, b, key("srem"), "b")
		checkHash(t, ctx, b, key("hset"), map[string]string{"f": "v2", "g": "w", "h": "x"})
		checkHash(t, ctx, b, key("hsetnx"), map[string]string{"f": "v", "g": "w"})
		checkHash(t, ctx, b, key("hsetnxnew"), map[string]string{"f": "v"})
		checkHash(t, ctx, b, key("hdel"), map[string]string{"g": "w"})

		w = b.AtomicWrite()
		w.SRem(key("srem"), "b")
		w.HDel(key("hdel"), "g")
		w.ZRem(key("z"), "m")
		execOK(t, ctx, "removing the last members", w)
		checkMembers(t, ctx, b, key("srem"))
		checkHash(t, ctx, b, key("hdel"), nil)
		eq(t, "SetNX of a set emptied by an atomic write", true)(b.SetNX(ctx, key("srem"), "s"))
		eq(t, "SetNX of a hash emptied by an atomic write", true)(b.SetNX(ctx, key("hdel"), "h"))
	})

	t.Run("FailingConditions", func(t *testing.T) {
		// Every case's atomic write fails, so they share what they would change.
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("str"), "s"))
		must(t, "SAdd", b.SAdd(ctx, key("set"), "a"))
		must(t, "HSet", b.HSet(ctx, key("hash"), "f", "v"))
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), "m", 1))
		must(t, "Set", b.Set(ctx, key("eq"), "old"))
		must(t, "Set", b.Set(ctx, key("xx"), "old"))
		must(t, "Set", b.Set(ctx, key("eq2"), "present"))
		must(t, "NIncrBy", errOf(b.NIncrBy(ctx, key("cnt"), 1)))
		for _, c := range []struct {
			name    string
			prepare func(ctx context.Context, key func(string) string) error
			queue   func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult
		}{
			{"SetNX of a present key",
				func(ctx context.Context, key func(string) string) error { return b.Set(ctx, key("c"), "old") },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetNX(key("c"), "new")
				}},
			{"SetNX of a key holding an empty string",
				func(ctx context.Context, key func(string) string) error { return b.Set(ctx, key("c"), "") },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetNX(key("c"), "new")
				}},
			{"SetNX of a set",
				func(ctx context.Context, key func(string) string) error { return b.SAdd(ctx, key("c"), "m") },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetNX(key("c"), "new")
				}},
			{"SetXX of an absent key", nil,
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetXX(key("c"), "new")
				}},
			{"SetEQ with a wrong old value",
				func(ctx context.Context, key func(string) string) error { return b.Set(ctx, key("c"), "old") },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetEQ(key("c"), "new", "other")
				}},
			{"SetEQ of an absent key", nil,
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetEQ(key("c"), "new", "")
				}},
			{"SetEQ of a set",
				func(ctx context.Context, key func(string) string) error { return b.SAdd(ctx, key("c"), "old") },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetEQ(key("c"), "new", "old")
				}},
			{"SetEQ of a hash",
				func(ctx context.Context, key func(string) string) error { return b.HSet(ctx, key("c"), "old", "old") },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.SetEQ(key("c"), "new", "old")
				}},
			{"DeleteXX of an absent key", nil,
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.DeleteXX(key("c"))
				}},
			{"ZAddNX of a present member",
				func(ctx context.Context, key func(string) string) error { return b.ZAdd(ctx, key("c"), "m", 1) },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.ZAddNX(key("c"), "m", 2)
				}},
			{"HSetNX of a present field",
				func(ctx context.Context, key func(string) string) error { return b.HSet(ctx, key("c"), "f", "old") },
				func(w kvstore.AtomicWriteOperation, key func(string) string) kvstore.AtomicWriteResult {
					return w.HSetNX(key("c"), "f", "new")
				}},
		} {
			t.Run(c.name, func(t *testing.T) {
				ck := func(name string) string { return key(c.name + "/" + name) }
				if c.prepare != nil {
					must(t, "prepare", c.prepare(ctx, ck))
				}
				before := snapshot(t, ctx, b, ck("c"))
				w := b.AtomicWrite()
				results := map[string]kvstore.AtomicWriteResult{
					"Set":                  w.Set(key("new"), "v"),
					"Set over a string":    w.Set(key("str"), "replaced"),
					"SetNX (holds)":        w.SetNX(key("nx"), "v"),
					"SetXX (holds)":        w.SetXX(key("xx"), "new"),
					"SetEQ (holds)":        w.SetEQ(key("eq"), "new", "old"),
					"Delete":               w.Delete(key("hash")),
					"NIncrBy":              w.NIncrBy(key("cnt"), 1),
					"SAdd":                 w.SAdd(key("set"), "b"),
					"ZAdd":                 w.ZAdd(key("z"), "n", 2),
					"ZRem":                 w.ZRem(key("z"), "m"),
					"ZAddNX (holds)":       w.ZAddNX(key("z"), "o", 3),
					"ZHAdd":                w.ZHAdd(key("zh"), "f", "m", 1),
					"HSet":                 w.HSet(key("newhash"), "f", "v"),
					"HSetNX (holds)":       w.HSetNX(key("nxhash"), "f", "v"),
					"DeleteXX (holds)":     w.DeleteXX(key("eq2")),
					"SetNX of another key": w.SetNX(key("nx2"), "v"),
				}
				results["failing "+c.name] = c.queue(w, ck)
				execFailedCondition(t, ctx, c.name, w)
				checkConditions(t, c.name, results, "failing "+c.name)
				if after := snapshot(t, ctx, b, ck("c")); after != before {
					t.Errorf("the key of the failed condition changed from %s to %s", before, after)
				}

				// Nothing else changed: read it all back in one batch.
				batch := b.Batch()
				strs := map[string]kvstore.GetResult{}
				for _, k := range []string{"new", "str", "nx", "xx", "eq", "cnt", "eq2", "nx2"} {
					strs[k] = batch.Get(key(k))
				}
				set := batch.SMembers(key("set"))
				hashes := map[string]kvstore.HGetAllResult{}
				for _, k := range []string{"hash", "newhash", "nxhash"} {
					hashes[k] = batch.HGetAll(key(k))
				}
				scores := map[string]kvstore.ZScoreResult{
					"m": batch.ZScore(key("z"), "m"), "n": batch.ZScore(key("z"), "n"),
					"o": batch.ZScore(key("z"), "o"), "zh f": batch.ZScore(key("zh"), "f"),
				}
				must(t, "Exec", batch.Exec(ctx))
				for k, want := range map[string]*string{"new": nil, "str": str("s"), "nx": nil, "xx": str("old"),
					"eq": str("old"), "cnt": str("1"), "eq2": str("present"), "nx2": nil} {
					eqStr(t, "Get of "+k, want)(strs[k].Result())
				}
				eqSet(t, "SMembers", "a")(set.Result())
				eqMap(t, "HGetAll of hash", map[string]string{"f": "v"})(hashes["hash"].Result())
				eqMap(t, "HGetAll of newhash", nil)(hashes["newhash"].Result())
				eqMap(t, "HGetAll of nxhash", nil)(hashes["nxhash"].Result())
				eqScore(t, "ZScore of m", num(1))(scores["m"].Result())
				eqScore(t, "ZScore of n", nil)(scores["n"].Result())
				eqScore(t, "ZScore of o", nil)(scores["o"].Result())
				eqScore(t, "ZScore of a sorted-hash field", nil)(scores["zh f"].Result())
			})
		}
	})

	t.Run("SeveralFailingConditions", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("a"), "a"))
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), "m", 1))
		w := b.AtomicWrite()
		results := map[string]kvstore.AtomicWriteResult{
			"SetNX":    w.SetNX(key("a"), "x"),
			"SetXX":    w.SetXX(key("b"), "x"),
			"SetEQ":    w.SetEQ(key("c"), "x", "y"),
			"DeleteXX": w.DeleteXX(key("d")),
			"ZAddNX":   w.ZAddNX(key("z"), "m", 2),
			"ZAddNX 2": w.ZAddNX(key("z"), "n", 2),
			"Set":      w.Set(key("e"), "x"),
		}
		execFailedCondition(t, ctx, "five failing conditions", w)
		checkConditions(t, "five failing conditions", results, "SetNX", "SetXX", "SetEQ", "DeleteXX", "ZAddNX")
		checkString(t, ctx, b, key("a"), "a")
		for _, k := range []string{"b", "c", "d", "e"} {
			checkAbsent(t, ctx, b, key(k))
		}
		checkSorted(t, ctx, b, key("z"), sm("m", 1))
	})

	t.Run("OperationCount", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		w := b.AtomicWrite()
		for i := range kvstore.MaxAtomicWriteOperations + 1 {
			w.Set(key(fmt.Sprint(i)), "v")
		}
		execFails(t, ctx, "101 operations", w, kvstore.ErrInvalidArgument)
		checkAbsent(t, ctx, b, key("0"))
		checkAbsent(t, ctx, b, key("100"))

		w = b.AtomicWrite()
		for i := range kvstore.MaxAtomicWriteOperations {
			if i%2 == 0 {
				w.Set(key(fmt.Sprint(i)), fmt.Sprint(i))
			} else {
				w.ZAdd(key("z"), fmt.Sprint(i), float64(i))
			}
		}
		execOK(t, ctx, "100 operations", w)
		batch := b.Batch()
		var gets []kvstore.GetResult
		for i := 0; i < kvstore.MaxAtomicWriteOperations; i += 2 {
			gets = append(gets, batch.Get(key(fmt.Sprint(i))))
		}
		must(t, "Exec", batch.Exec(ctx))
		for i, r := range gets {
			eqStr(t, "Get after 100 operations", str(fmt.Sprint(2*i)))(r.Result())
		}
		eq(t, "ZCount after 100 operations", kvstore.MaxAtomicWriteOperations/2)(b.ZCount(ctx, key("z"), negInf, inf))
	})

	t.Run("SameItem", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "HSet", b.HSet(ctx, key("h"), "f", "v"))
		var others []string
		for _, c := range []struct {
			name  string
			queue func(w kvstore.AtomicWriteOperation)
		}{
			{"two HSets", func(w kvstore.AtomicWriteOperation) { w.HSet(key("k"), "f", "v"); w.HSet(key("k"), "g", "w") }},
			{"HSet and HDel", func(w kvstore.AtomicWriteOperation) { w.HSet(key("h"), "g", "v"); w.HDel(key("h"), "f") }},
			{"HSetNX and HSetNX", func(w kvstore.AtomicWriteOperation) { w.HSetNX(key("k"), "f", "v"); w.HSetNX(key("k"), "g", "w") }},
			{"Set and SAdd", func(w kvstore.AtomicWriteOperation) { w.Set(key("k"), "v"); w.SAdd(key("k"), "m") }},
			{"Set and Set", func(w kvstore.AtomicWriteOperation) { w.Set(key("k"), "v"); w.Set(key("k"), "w") }},
			{"Set and Delete", func(w kvstore.AtomicWriteOperation) { w.Set(key("k"), "v"); w.Delete(key("k")) }},
			{"SetNX and NIncrBy", func(w kvstore.AtomicWriteOperation) { w.SetNX(key("k"), "v"); w.NIncrBy(key("k"), 1) }},
			{"SAdd and SRem", func(w kvstore.AtomicWriteOperation) { w.SAdd(key("k"), "a"); w.SRem(key("k"), "b") }},
			{"ZAdd of one member twice", func(w kvstore.AtomicWriteOperation) { w.ZAdd(key("k"), "m", 1); w.ZAdd(key("k"), "m", 2) }},
			{"ZAdd and ZRem of one member", func(w kvstore.AtomicWriteOperation) { w.ZAdd(key("k"), "m", 1); w.ZRem(key("k"), "m") }},
			{"ZAddNX and ZAdd of one member", func(w kvstore.AtomicWriteOperation) { w.ZAddNX(key("k"), "m", 1); w.ZAdd(key("k"), "m", 2) }},
			{"ZHAdd of one field twice", func(w kvstore.AtomicWriteOperation) {
				w.ZHAdd(key("k"), "f", "a", 1)
				w.ZHAdd(key("k"), "f", "b", 2)
			}},
			{"ZAdd and ZHAdd of one field", func(w kvstore.AtomicWriteOperation) { w.ZAdd(key("k"), "f", 1); w.ZHAdd(key("k"), "f", "x", 2) }},
			{"ZHAdd and ZHRem of one field", func(w kvstore.AtomicWriteOperation) { w.ZHAdd(key("k"), "f", "x", 2); w.ZHRem(key("k"), "f") }},
		} {
			w := b.AtomicWrite()
			other := w.Set(key("other/"+c.name), "x")
			c.queue(w)
			execFails(t, ctx, c.name+" on one item", w, kvstore.ErrInvalidArgument)
			if other.ConditionalFailed() {
				t.Errorf("%s: an operation without a condition reported ConditionalFailed", c.name)
			}
			others = append(others, "other/"+c.name)
		}
		checkAbsentAll(t, ctx, b, key, append(others, "k")...)
		checkSorted(t, ctx, b, key("k"))
		checkHash(t, ctx, b, key("h"), map[string]string{"f": "v"})

		w := b.AtomicWrite()
		w.ZAdd(key("z"), "a", 1)
		w.ZAdd(key("z"), "b", 2)
		w.ZHAdd(key("z"), "c", "member", 3)
		w.ZRem(key("z"), "d")
		w.Set(key("z"), "string beside")
		execOK(t, ctx, "four sorted members and the value of one key", w)
		checkSorted(t, ctx, b, key("z"), sm("a", 1), sm("b", 2), sm("member", 3))
		checkString(t, ctx, b, key("z"), "string beside")
	})

	t.Run("InvalidOperation", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("keep"), "k"))
		var absent []string
		for _, c := range []struct {
			name  string
			queue func(w kvstore.AtomicWriteOperation)
		}{
			{"Set of a float64", func(w kvstore.AtomicWriteOperation) { w.Set(key("x"), 1.5) }},
			{"SetNX of nil", func(w kvstore.AtomicWriteOperation) { w.SetNX(key("x"), nil) }},
			{"SetXX of a bool", func(w kvstore.AtomicWriteOperation) { w.SetXX(key("x"), true) }},
			{"SetEQ with an old value of a failing marshaler", func(w kvstore.AtomicWriteOperation) { w.SetEQ(key("x"), "v", failingMarshaler{}) }},
			{"SetEQ of a nil pointer marshaler", func(w kvstore.AtomicWriteOperation) { w.SetEQ(key("x"), (*ptrMarshaler)(nil), "v") }},
			{"Set with an empty key", func(w kvstore.AtomicWriteOperation) { w.Set("", "v") }},
			{"Delete with an empty key", func(w kvstore.AtomicWriteOperation) { w.Delete("") }},
			{"DeleteXX of a 1025-byte key", func(w kvstore.AtomicWriteOperation) {
				w.DeleteXX(padKey(t, key("long"), kvstore.MaxKeySize+1))
			}},
			{"NIncrBy with an empty key", func(w kvstore.AtomicWriteOperation) { w.NIncrBy("", 1) }},
			{"ZAdd with a NaN score", func(w kvstore.AtomicWriteOperation) { w.ZAdd(key("x"), "m", math.NaN()) }},
			{"ZAddNX of a 1017-byte member", func(w kvstore.AtomicWriteOperation) { w.ZAddNX(key("x"), string(make([]byte, 1017)), 1) }},
			{"ZRem of a struct", func(w kvstore.AtomicWriteOperation) { w.ZRem(key("x"), struct{}{}) }},
			{"ZHAdd of a 1017-byte field", func(w kvstore.AtomicWriteOperation) { w.ZHAdd(key("x"), string(make([]byte, 1017)), "m", 1) }},
			{"ZHRem with an empty key", func(w kvstore.AtomicWriteOperation) { w.ZHRem("", "f") }},
			{"SAdd of an empty member", func(w kvstore.AtomicWriteOperation) { w.SAdd(key("x"), "a", "") }},
			{"SRem of a float64", func(w kvstore.AtomicWriteOperation) { w.SRem(key("x"), 1.0) }},
			{"HSet of a float64", func(w kvstore.AtomicWriteOperation) { w.HSet(key("x"), "f", "v", kv("g", 1.0)) }},
			{"HSetNX of nil", func(w kvstore.AtomicWriteOperation) { w.HSetNX(key("x"), "f", nil) }},
			{"HDel with an empty key", func(w kvstore.AtomicWriteOperation) { w.HDel("", "f") }},
			{"Set of a value too large", func(w kvstore.AtomicWriteOperation) {
				k := key("big")
				w.Set(k, string(make([]byte, kvstore.MaxItemSize-kvstore.StringItemSize(k, 0)+1)))
			}},
		} {
			w := b.AtomicWrite()
			w.Set(key("a/"+c.name), "a")
			w.Delete(key("keep"))
			c.queue(w)
			w.NIncrBy(key("n/"+c.name), 1)
			execFails(t, ctx, "an atomic write with "+c.name, w, kvstore.ErrInvalidArgument)
			absent = append(absent, "a/"+c.name, "n/"+c.name)
		}
		checkAbsentAll(t, ctx, b, key, append(absent, "x")...)
		checkString(t, ctx, b, key("keep"), "k")
	})

	t.Run("WrongType", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("str"), "s"))
		must(t, "SAdd", b.SAdd(ctx, key("set"), "a"))
		must(t, "HSet", b.HSet(ctx, key("hash"), "f", "v"))
		for _, c := range []struct {
			name  string
			queue func(w kvstore.AtomicWriteOperation)
		}{
			{"SAdd to a string", func(w kvstore.AtomicWriteOperation) { w.SAdd(key("str"), "x") }},
			{"SRem from a hash", func(w kvstore.AtomicWriteOperation) { w.SRem(key("hash"), "f") }},
			{"HSet to a set", func(w kvstore.AtomicWriteOperation) { w.HSet(key("set"), "f", "x") }},
			{"HSetNX to a string", func(w kvstore.AtomicWriteOperation) { w.HSetNX(key("str"), "f", "x") }},
			{"HSetNX to a set", func(w kvstore.AtomicWriteOperation) { w.HSetNX(key("set"), "f", "x") }},
			{"HDel from a string", func(w kvstore.AtomicWriteOperation) { w.HDel(key("str"), "f") }},
			{"NIncrBy of a hash", func(w kvstore.AtomicWriteOperation) { w.NIncrBy(key("hash"), 1) }},
			{"NIncrBy of a set", func(w kvstore.AtomicWriteOperation) { w.NIncrBy(key("set"), 1) }},
		} {
			w := b.AtomicWrite()
			other := w.Set(key("other"), "x")
			cond := w.SetNX(key("nx"), "x")
			c.queue(w)
			execFails(t, ctx, c.name, w, kvstore.ErrWrongType)
			if other.ConditionalFailed() || cond.ConditionalFailed() {
				t.Errorf("%s: an operation whose condition held reported ConditionalFailed", c.name)
			}
			checkAbsent(t, ctx, b, key("other"))
			checkAbsent(t, ctx, b, key("nx"))
			checkString(t, ctx, b, key("str"), "s")
			checkMembers(t, ctx, b, key("set"), "a")
			checkHash(t, ctx, b, key("hash"), map[string]string{"f": "v"})
		}
	})

	t.Run("Counters", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("max"), int64(math.MaxInt64)))
		must(t, "Set", b.Set(ctx, key("abc"), "abc"))
		for _, c := range []struct{ name, key string }{{"past MaxInt64", "max"}, {"of \"abc\"", "abc"}} {
			w := b.AtomicWrite()
			w.Set(key("other"), "x")
			w.NIncrBy(key(c.key), 1)
			execFails(t, ctx, "NIncrBy "+c.name, w, kvstore.ErrNotInteger)
			checkAbsent(t, ctx, b, key("other"))
		}
		checkString(t, ctx, b, key("max"), "9223372036854775807")
		checkString(t, ctx, b, key("abc"), "abc")

		for i := range 3 {
			w := b.AtomicWrite()
			w.NIncrBy(key("c"), 10)
			w.NIncrBy(key("d"), -1)
			w.Set(key(fmt.Sprint("s", i)), i)
			execOK(t, ctx, "NIncrBy", w)
		}
		eq(t, "NIncrBy after three atomic NIncrBy", int64(30))(b.NIncrBy(ctx, key("c"), 0))
		checkString(t, ctx, b, key("d"), "-3")
	})
}

// snapshot describes everything at key, to compare before and after.
func snapshot(t testing.TB, ctx context.Context, b kvstore.Backend, key string) string {
	t.Helper()
	s, err := b.Get(ctx, key)
	out := fmt.Sprintf("string %s (%v)", showString(s), err)
	members, err := b.SMembers(ctx, key)
	out += fmt.Sprintf(", set %q (%v)", members, err)
	hash, err := b.HGetAll(ctx, key)
	out += fmt.Sprintf(", hash %q (%v)", hash, err)
	sorted, err := b.ZHRangeByScoreWithScores(ctx, key, negInf, inf, 0)
	return out + fmt.Sprintf(", sorted %s (%v)", showScored(sorted), err)
}
