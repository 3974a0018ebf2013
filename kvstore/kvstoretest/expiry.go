package kvstoretest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// The Expiry area's times: a key set with ttl is present right after and absent
// once past has been slept; hour is an expiry that no case outlives.
const (
	ttl  = 600 * time.Millisecond
	past = 800 * time.Millisecond
	hour = time.Hour
)

// ttlIn checks that TTL's answer is a remaining time in (lo, hi].
func ttlIn(t testing.TB, what string, lo, hi time.Duration) func(time.Duration, error) {
	t.Helper()
	return func(got time.Duration, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error: %v", what, err)
		} else if got <= lo || got > hi {
			t.Errorf("%s = %v, want a time in (%v, %v]", what, got, lo, hi)
		}
	}
}

// checkHour checks that key has about an hour left.
func checkHour(t testing.TB, ctx context.Context, b kvstore.Backend, what, key string) {
	t.Helper()
	ttlIn(t, what, 50*time.Minute, hour)(b.TTL(ctx, key))
}

// checkNoExpiry checks that key exists and does not expire.
func checkNoExpiry(t testing.TB, ctx context.Context, b kvstore.Backend, what, key string) {
	t.Helper()
	eq(t, what, kvstore.NoExpiry)(b.TTL(ctx, key))
}

// checkGone checks that key is absent to TTL and to reads of every kind.
func checkGone(t testing.TB, ctx context.Context, b kvstore.Backend, key string) {
	t.Helper()
	eq(t, "TTL of "+key, kvstore.KeyAbsent)(b.TTL(ctx, key))
	eqStr(t, "Get of "+key, nil)(b.Get(ctx, key))
	eqSet(t, "SMembers of "+key)(b.SMembers(ctx, key))
	eqMap(t, "HGetAll of "+key, map[string]string{})(b.HGetAll(ctx, key))
	eqList(t, "ZRangeByScore of "+key)(b.ZRangeByScore(ctx, key, -1e9, 1e9, 0))
}

// testExpiry covers Expirer and the expiry rules of docs/design/expiry.md. now and
// sleep read and wait on the backend's clock. The cases run one after the other: with a clock that
// sleep moves, a parallel case's sleep would expire another's keys early.
func testExpiry(t *testing.T, b kvstore.Backend, now func() time.Time, sleep func(time.Duration)) {
	inv := kvstore.ErrInvalidArgument

	t.Run("TTL", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "TTL of an absent key", kvstore.KeyAbsent)(b.TTL(ctx, key("absent")))
		must(t, "Set", b.Set(ctx, key("s"), "v"))
		checkNoExpiry(t, ctx, b, "TTL of a key without expiry", key("s"))
		must(t, "SetEX", b.SetEX(ctx, key("e"), "v", hour))
		checkHour(t, ctx, b, "TTL after SetEX of an hour", key("e"))
		for name, add := range map[string]func(k string) error{
			"counter":     func(k string) error { _, err := b.NIncrBy(ctx, k, 1); return err },
			"set":         func(k string) error { return b.SAdd(ctx, k, "m") },
			"hash":        func(k string) error { return b.HSet(ctx, k, "f", "v") },
			"sorted set":  func(k string) error { return b.ZAdd(ctx, k, "m", 1) },
			"sorted hash": func(k string) error { return b.ZHAdd(ctx, k, "f", "m", 1) },
		} {
			k := key(name)
			must(t, "writing a "+name, add(k))
			checkNoExpiry(t, ctx, b, "TTL of a "+name, k)
			eq(t, "Expire of a "+name, true)(b.Expire(ctx, k, hour))
			checkHour(t, ctx, b, "TTL of an expiring "+name, k)
		}
	})

	t.Run("SetArgs", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		set := func(k string, a kvstore.SetArgs) (kvstore.SetResult, error) { return b.SetArgs(ctx, k, "new", a) }
		res := func(what string, done bool, old *string) func(kvstore.SetResult, error) {
			return func(got kvstore.SetResult, err error) {
				t.Helper()
				if err != nil {
					t.Errorf("%s: unexpected error: %v", what, err)
				} else if got.Done != done || showString(got.Old) != showString(old) {
					t.Errorf("%s = {Done: %v, Old: %s}, want {Done: %v, Old: %s}", what, got.Done, showString(got.Old), done, showString(old))
				}
			}
		}

		for _, c := range []struct {
			name string
			a    kvstore.SetArgs
		}{
			{"a sub-millisecond TTL", kvstore.SetArgs{TTL: 500 * time.Microsecond}},
			{"a negative TTL", kvstore.SetArgs{TTL: -time.Second}},
			{"TTL and ExpireAt", kvstore.SetArgs{TTL: hour, ExpireAt: now().Add(hour)}},
			{"TTL and KeepTTL", kvstore.SetArgs{TTL: hour, KeepTTL: true}},
			{"ExpireAt and KeepTTL", kvstore.SetArgs{ExpireAt: now().Add(hour), KeepTTL: true}},
			{"an unknown mode", kvstore.SetArgs{Mode: "YY"}},
		} {
			failsWith[kvstore.SetResult](t, "SetArgs with "+c.name, inv)(set(key("invalid"), c.a))
		}
		checkAbsent(t, ctx, b, key("invalid"))
		must(t, "Set", b.Set(ctx, key("kept"), "old"))
		failsWith[kvstore.SetResult](t, "SetArgs with an invalid TTL on a present key", inv)(set(key("kept"), kvstore.SetArgs{TTL: -1, Get: true}))
		checkString(t, ctx, b, key("kept"), "old")
		failsWith[kvstore.SetResult](t, "SetArgs of a value of a refused type", inv)(b.SetArgs(ctx, key("kept"), 1.5, kvstore.SetArgs{TTL: hour}))
		checkString(t, ctx, b, key("kept"), "old")
		checkNoExpiry(t, ctx, b, "TTL after refused SetArgs", key("kept"))

		res("SetArgs NX on an absent key", true, nil)(set(key("nx"), kvstore.SetArgs{Mode: kvstore.SetIfAbsent}))
		checkString(t, ctx, b, key("nx"), "new")
		must(t, "Set", b.Set(ctx, key("nx"), "old"))
		res("SetArgs NX on a present key", false, nil)(set(key("nx"), kvstore.SetArgs{Mode: kvstore.SetIfAbsent, TTL: hour}))
		checkString(t, ctx, b, key("nx"), "old")
		checkNoExpiry(t, ctx, b, "TTL after a failed SetArgs NX", key("nx"))
		res("SetArgs NX GET on a present key", false, str("old"))(set(key("nx"), kvstore.SetArgs{Mode: kvstore.SetIfAbsent, Get: true}))
		checkString(t, ctx, b, key("nx"), "old")

		res("SetArgs XX on an absent key", false, nil)(set(key("xx"), kvstore.SetArgs{Mode: kvstore.SetIfPresent, TTL: hour}))
		checkAbsent(t, ctx, b, key("xx"))
		must(t, "Set", b.Set(ctx, key("xx"), "old"))
		res("SetArgs XX GET on a present key", true, str("old"))(set(key("xx"), kvstore.SetArgs{Mode: kvstore.SetIfPresent, TTL: hour, Get: true}))
		checkString(t, ctx, b, key("xx"), "new")
		checkHour(t, ctx, b, "TTL after SetArgs XX with a TTL", key("xx"))

		res("SetArgs GET on an absent key", true, nil)(set(key("get"), kvstore.SetArgs{Get: true}))
		res("SetArgs GET on a string", true, str("new"))(set(key("get"), kvstore.SetArgs{Get: true}))
		must(t, "SAdd", b.SAdd(ctx, key("set"), "m"))
		failsWith[kvstore.SetResult](t, "SetArgs GET on a set", kvstore.ErrWrongType)(set(key("set"), kvstore.SetArgs{Get: true}))
		checkMembers(t, ctx, b, key("set"), "m")
		res("SetArgs without GET on a set", true, nil)(set(key("set"), kvstore.SetArgs{}))
		checkString(t, ctx, b, key("set"), "new")

		res("SetArgs with ExpireAt", true, nil)(set(key("at"), kvstore.SetArgs{ExpireAt: now().Add(hour)}))
		checkHour(t, ctx, b, "TTL after SetArgs with ExpireAt an hour ahead", key("at"))
		res("SetArgs with KeepTTL", true, nil)(set(key("at"), kvstore.SetArgs{KeepTTL: true}))
		checkHour(t, ctx, b, "TTL after SetArgs with KeepTTL", key("at"))
		res("SetArgs with neither", true, nil)(set(key("at"), kvstore.SetArgs{}))
		checkNoExpiry(t, ctx, b, "TTL after SetArgs without TTL", key("at"))
		res("SetArgs with KeepTTL on a key without expiry", true, nil)(set(key("at"), kvstore.SetArgs{KeepTTL: true}))
		checkNoExpiry(t, ctx, b, "TTL after SetArgs with KeepTTL on a key without expiry", key("at"))
		res("SetArgs with KeepTTL on an absent key", true, nil)(set(key("keepnew"), kvstore.SetArgs{KeepTTL: true}))
		checkNoExpiry(t, ctx, b, "TTL after SetArgs with KeepTTL on an absent key", key("keepnew"))

		must(t, "Set", b.Set(ctx, key("passed"), "old"))
		res("SetArgs GET with ExpireAt passed", true, str("old"))(set(key("passed"), kvstore.SetArgs{ExpireAt: now().Add(-time.Minute), Get: true}))
		checkGone(t, ctx, b, key("passed"))
	})

	t.Run("SetEXAndSetNXEX", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		for _, d := range []time.Duration{0, 500 * time.Microsecond, -time.Second} {
			errIs(t, fmt.Sprintf("SetEX with a TTL of %v", d), b.SetEX(ctx, key("e"), "v", d), inv)
			failsWith[bool](t, fmt.Sprintf("SetNXEX with a TTL of %v", d), inv)(b.SetNXEX(ctx, key("e"), "v", d))
		}
		checkAbsent(t, ctx, b, key("e"))
		errIs(t, "SetEX of a value of a refused type", b.SetEX(ctx, key("e"), true, hour), inv)
		checkAbsent(t, ctx, b, key("e"))

		must(t, "SetEX", b.SetEX(ctx, key("e"), "v", hour))
		checkString(t, ctx, b, key("e"), "v")
		checkHour(t, ctx, b, "TTL after SetEX", key("e"))
		must(t, "SetEX over an expiring key", b.SetEX(ctx, key("e"), "w", 2*hour))
		ttlIn(t, "TTL after a second SetEX", hour, 2*hour)(b.TTL(ctx, key("e")))
		must(t, "SAdd", b.SAdd(ctx, key("set"), "m"))
		must(t, "SetEX over a set", b.SetEX(ctx, key("set"), "v", hour))
		checkString(t, ctx, b, key("set"), "v")

		eq(t, "SetNXEX on an absent key", true)(b.SetNXEX(ctx, key("lock"), "a", hour))
		checkString(t, ctx, b, key("lock"), "a")
		checkHour(t, ctx, b, "TTL after SetNXEX", key("lock"))
		eq(t, "SetNXEX on a present key", false)(b.SetNXEX(ctx, key("lock"), "b", 2*hour))
		checkString(t, ctx, b, key("lock"), "a")
		checkHour(t, ctx, b, "TTL after a failed SetNXEX", key("lock"))
	})

	t.Run("GetEx", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		get := func(k string, a kvstore.GetExArgs) (*string, error) { return b.GetEx(ctx, k, a) }
		eqStr(t, "GetEx of an absent key", nil)(get(key("absent"), kvstore.GetExArgs{TTL: hour}))
		checkAbsent(t, ctx, b, key("absent"))

		must(t, "Set", b.Set(ctx, key("s"), "v"))
		for _, c := range []struct {
			name string
			a    kvstore.GetExArgs
		}{
			{"a sub-millisecond TTL", kvstore.GetExArgs{TTL: 500 * time.Microsecond}},
			{"a negative TTL", kvstore.GetExArgs{TTL: -time.Second}},
			{"TTL and ExpireAt", kvstore.GetExArgs{TTL: hour, ExpireAt: now().Add(hour)}},
			{"TTL and Persist", kvstore.GetExArgs{TTL: hour, Persist: true}},
			{"ExpireAt and Persist", kvstore.GetExArgs{ExpireAt: now().Add(hour), Persist: true}},
		} {
			failsWith[*string](t, "GetEx with "+c.name, inv)(get(key("s"), c.a))
		}
		checkNoExpiry(t, ctx, b, "TTL after refused GetEx", key("s"))

		eqStr(t, "GetEx without options", str("v"))(get(key("s"), kvstore.GetExArgs{}))
		checkNoExpiry(t, ctx, b, "TTL after GetEx without options", key("s"))
		eqStr(t, "GetEx with a TTL", str("v"))(get(key("s"), kvstore.GetExArgs{TTL: hour}))
		checkHour(t, ctx, b, "TTL after GetEx with a TTL", key("s"))
		eqStr(t, "GetEx without options on an expiring key", str("v"))(get(key("s"), kvstore.GetExArgs{}))
		checkHour(t, ctx, b, "TTL after GetEx without options on an expiring key", key("s"))
		eqStr(t, "GetEx with Persist", str("v"))(get(key("s"), kvstore.GetExArgs{Persist: true}))
		checkNoExpiry(t, ctx, b, "TTL after GetEx with Persist", key("s"))
		eqStr(t, "GetEx with ExpireAt", str("v"))(get(key("s"), kvstore.GetExArgs{ExpireAt: now().Add(hour)}))
		checkHour(t, ctx, b, "TTL after GetEx with ExpireAt", key("s"))
		eqStr(t, "GetEx with ExpireAt passed", str("v"))(get(key("s"), kvstore.GetExArgs{ExpireAt: now().Add(-time.Minute)}))
		checkGone(t, ctx, b, key("s"))

		must(t, "HSet", b.HSet(ctx, key("h"), "f", "v"))
		failsWith[*string](t, "GetEx of a hash", kvstore.ErrWrongType)(get(key("h"), kvstore.GetExArgs{TTL: hour}))
		checkNoExpiry(t, ctx, b, "TTL of a hash after GetEx", key("h"))
	})

	t.Run("GetDel", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eqStr(t, "GetDel of an absent key", nil)(b.GetDel(ctx, key("absent")))
		must(t, "SetEX", b.SetEX(ctx, key("s"), "v", hour))
		eqStr(t, "GetDel of a string", str("v"))(b.GetDel(ctx, key("s")))
		checkGone(t, ctx, b, key("s"))
		must(t, "Set", b.Set(ctx, key("s"), "w"))
		checkNoExpiry(t, ctx, b, "TTL of a key set after GetDel", key("s"))
		must(t, "SAdd", b.SAdd(ctx, key("set"), "m"))
		failsWith[*string](t, "GetDel of a set", kvstore.ErrWrongType)(b.GetDel(ctx, key("set")))
		checkMembers(t, ctx, b, key("set"), "m")
	})

	t.Run("ExpireAndExpireAt", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "Expire of an absent key", false)(b.Expire(ctx, key("absent"), hour))
		eq(t, "ExpireAt of an absent key", false)(b.ExpireAt(ctx, key("absent"), now().Add(hour)))
		eq(t, "Expire of an absent key with a zero TTL", false)(b.Expire(ctx, key("absent"), 0))
		checkGone(t, ctx, b, key("absent"))

		must(t, "Set", b.Set(ctx, key("s"), "v"))
		eq(t, "Expire", true)(b.Expire(ctx, key("s"), hour))
		checkHour(t, ctx, b, "TTL after Expire", key("s"))
		eq(t, "ExpireAt", true)(b.ExpireAt(ctx, key("s"), now().Add(2*hour)))
		ttlIn(t, "TTL after ExpireAt two hours ahead", hour, 2*hour)(b.TTL(ctx, key("s")))
		checkString(t, ctx, b, key("s"), "v")

		for name, d := range map[string]time.Duration{"zero": 0, "negative": -time.Second} {
			k := key("del-" + name)
			must(t, "Set", b.Set(ctx, k, "v"))
			must(t, "ZAdd", b.ZAdd(ctx, k, "m", 1))
			eq(t, "Expire with a "+name+" TTL", true)(b.Expire(ctx, k, d))
			checkGone(t, ctx, b, k)
		}
		must(t, "HSet", b.HSet(ctx, key("h"), "f", "v"))
		eq(t, "ExpireAt passed", true)(b.ExpireAt(ctx, key("h"), now().Add(-time.Minute)))
		checkGone(t, ctx, b, key("h"))
		must(t, "HSet", b.HSet(ctx, key("h"), "g", "w"))
		checkHash(t, ctx, b, key("h"), map[string]string{"g": "w"})
		checkNoExpiry(t, ctx, b, "TTL of a hash made after ExpireAt passed", key("h"))
	})

	t.Run("ExpireAtIf", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		at := now()
		conds := map[string]kvstore.ExpireCondition{
			"Always": kvstore.ExpireAlways, "NX": kvstore.ExpireNX, "XX": kvstore.ExpireXX,
			"GT": kvstore.ExpireGT, "LT": kvstore.ExpireLT,
		}
		for name, cond := range conds {
			eq(t, "ExpireAtIf "+name+" of an absent key", false)(b.ExpireAtIf(ctx, key("absent"), at.Add(hour), cond))
		}
		checkGone(t, ctx, b, key("absent"))

		// Each case starts from a key without expiry (current 0) or expiring in two
		// hours, and asks for an expiry in one or three hours.
		for _, c := range []struct {
			cond      string
			current   time.Duration
			at        time.Duration
			want      bool
			wantAfter [2]time.Duration // TTL range after, NoExpiry as {-1, -1}
		}{
			{"Always", 0, hour, true, [2]time.Duration{50 * time.Minute, hour}},
			{"NX", 0, hour, true, [2]time.Duration{50 * time.Minute, hour}},
			{"NX", 2 * hour, hour, false, [2]time.Duration{hour, 2 * hour}},
			{"XX", 0, hour, false, [2]time.Duration{-1, -1}},
			{"XX", 2 * hour, hour, true, [2]time.Duration{50 * time.Minute, hour}},
			{"GT", 0, hour, false, [2]time.Duration{-1, -1}},
			{"GT", 2 * hour, hour, false, [2]time.Duration{hour, 2 * hour}},
			{"GT", 2 * hour, 3 * hour, true, [2]time.Duration{2 * hour, 3 * hour}},
			{"LT", 0, hour, true, [2]time.Duration{50 * time.Minute, hour}},
			{"LT", 2 * hour, hour, true, [2]time.Duration{50 * time.Minute, hour}},
			{"LT", 2 * hour, 3 * hour, false, [2]time.Duration{hour, 2 * hour}},
		} {
			what := fmt.Sprintf("ExpireAtIf %s %v ahead on a key expiring in %v", c.cond, c.at, c.current)
			k := key(fmt.Sprintf("%s-%v-%v", c.cond, c.current, c.at))
			must(t, "Set", b.Set(ctx, k, "v"))
			if c.current != 0 {
				must(t, "Expire", errOf(b.Expire(ctx, k, c.current)))
			}
			eq(t, what, c.want)(b.ExpireAtIf(ctx, k, now().Add(c.at), conds[c.cond]))
			if c.wantAfter[0] < 0 {
				checkNoExpiry(t, ctx, b, "TTL after "+what, k)
			} else {
				ttlIn(t, "TTL after "+what, c.wantAfter[0], c.wantAfter[1])(b.TTL(ctx, k))
			}
		}

		must(t, "Set", b.Set(ctx, key("passed"), "v"))
		eq(t, "ExpireAtIf NX passed on a key without expiry", true)(b.ExpireAtIf(ctx, key("passed"), at.Add(-time.Minute), kvstore.ExpireNX))
		checkGone(t, ctx, b, key("passed"))
		must(t, "SetEX", b.SetEX(ctx, key("kept"), "v", hour))
		eq(t, "ExpireAtIf NX passed on an expiring key", false)(b.ExpireAtIf(ctx, key("kept"), at.Add(-time.Minute), kvstore.ExpireNX))
		checkString(t, ctx, b, key("kept"), "v")
		failsWith[bool](t, "ExpireAtIf with an unknown condition", inv)(b.ExpireAtIf(ctx, key("kept"), at.Add(2*hour), kvstore.ExpireCondition(99)))
		checkHour(t, ctx, b, "TTL after ExpireAtIf with an unknown condition", key("kept"))
	})

	t.Run("Persist", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		eq(t, "Persist of an absent key", false)(b.Persist(ctx, key("absent")))
		checkGone(t, ctx, b, key("absent"))
		must(t, "Set", b.Set(ctx, key("s"), "v"))
		eq(t, "Persist of a key without expiry", false)(b.Persist(ctx, key("s")))
		must(t, "Expire", errOf(b.Expire(ctx, key("s"), hour)))
		eq(t, "Persist of an expiring key", true)(b.Persist(ctx, key("s")))
		checkNoExpiry(t, ctx, b, "TTL after Persist", key("s"))
		checkString(t, ctx, b, key("s"), "v")
		eq(t, "Persist again", false)(b.Persist(ctx, key("s")))
	})

	t.Run("WholeKey", func(t *testing.T) {
		// A key with a value and sorted data: Expire and Persist act on both; TTL
		// reports the value's expiry, else the sorted data's.
		ctx, key := t.Context(), newKeys(t)
		k := key("both")
		must(t, "Set", b.Set(ctx, k, "v"))
		must(t, "ZAdd", b.ZAdd(ctx, k, "m", 1))
		eq(t, "Expire of a key with a value and sorted data", true)(b.Expire(ctx, k, hour))
		checkHour(t, ctx, b, "TTL of the key", k)
		eq(t, "Delete of the value", true)(b.Delete(ctx, k))
		checkHour(t, ctx, b, "TTL of the sorted data left", k)
		must(t, "Set", b.Set(ctx, k, "w"))
		checkNoExpiry(t, ctx, b, "TTL with a new value", k)
		eq(t, "Persist of the key", true)(b.Persist(ctx, k))
		must(t, "Delete", errOf(b.Delete(ctx, k)))
		checkNoExpiry(t, ctx, b, "TTL of the sorted data after Persist", k)

		z := key("z")
		must(t, "ZAdd", b.ZAdd(ctx, z, "m", 1))
		eq(t, "Expire of sorted data", true)(b.Expire(ctx, z, hour))
		must(t, "ZRem of the last member", b.ZRem(ctx, z, "m"))
		eq(t, "TTL of sorted data without members", kvstore.KeyAbsent)(b.TTL(ctx, z))
		must(t, "ZAdd", b.ZAdd(ctx, z, "m", 1))
		checkNoExpiry(t, ctx, b, "TTL of sorted data made again", z)

		s := key("set")
		must(t, "SAdd", b.SAdd(ctx, s, "m"))
		eq(t, "Expire of a set", true)(b.Expire(ctx, s, hour))
		must(t, "SRem of the last member", b.SRem(ctx, s, "m"))
		must(t, "SAdd", b.SAdd(ctx, s, "n"))
		checkNoExpiry(t, ctx, b, "TTL of a set made again", s)
	})

	t.Run("AtomicWrite", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), "m", 1))
		must(t, "Set", b.Set(ctx, key("z"), "v"))
		w := b.AtomicWrite()
		w.SetEX(key("a"), "v", hour)
		w.SetNXEX(key("lock"), "holder", hour)
		w.Expire(key("z"), 2*hour)
		execOK(t, ctx, "an atomic write of SetEX, SetNXEX and Expire", w)
		checkString(t, ctx, b, key("a"), "v")
		checkHour(t, ctx, b, "TTL after an atomic SetEX", key("a"))
		checkString(t, ctx, b, key("lock"), "holder")
		checkHour(t, ctx, b, "TTL after an atomic SetNXEX", key("lock"))
		ttlIn(t, "TTL after an atomic Expire", hour, 2*hour)(b.TTL(ctx, key("z")))
		must(t, "Delete", errOf(b.Delete(ctx, key("z"))))
		ttlIn(t, "TTL of the sorted data after an atomic Expire", hour, 2*hour)(b.TTL(ctx, key("z")))

		w = b.AtomicWrite()
		w.Expire(key("lock"), 2*hour)
		execOK(t, ctx, "extending a lock", w)
		ttlIn(t, "TTL after extending the lock", hour, 2*hour)(b.TTL(ctx, key("lock")))

		w = b.AtomicWrite()
		results := map[string]kvstore.AtomicWriteResult{
			"SetNXEX on a present key": w.SetNXEX(key("lock"), "other", hour),
			"Expire of an absent key":  w.Expire(key("absent"), hour),
			"SetEX":                    w.SetEX(key("b"), "v", hour),
		}
		execFailedCondition(t, ctx, "an atomic write whose conditions fail", w)
		checkConditions(t, "an atomic write whose conditions fail", results, "SetNXEX on a present key", "Expire of an absent key")
		checkString(t, ctx, b, key("lock"), "holder")
		ttlIn(t, "TTL of the lock after a failed atomic write", hour, 2*hour)(b.TTL(ctx, key("lock")))
		checkGone(t, ctx, b, key("b"))
		checkGone(t, ctx, b, key("absent"))

		for _, d := range []time.Duration{0, 500 * time.Microsecond, -time.Second} {
			for name, add := range map[string]func(w kvstore.AtomicWriteOperation){
				"SetEX":   func(w kvstore.AtomicWriteOperation) { w.SetEX(key("c"), "v", d) },
				"SetNXEX": func(w kvstore.AtomicWriteOperation) { w.SetNXEX(key("c"), "v", d) },
				"Expire":  func(w kvstore.AtomicWriteOperation) { w.Expire(key("a"), d) },
			} {
				w := b.AtomicWrite()
				w.Set(key("d"), "w")
				add(w)
				execFails(t, ctx, fmt.Sprintf("an atomic %s with a TTL of %v", name, d), w, inv)
			}
		}
		checkGone(t, ctx, b, key("c"))
		checkGone(t, ctx, b, key("d"))
		checkHour(t, ctx, b, "TTL after refused atomic writes", key("a"))

		// Atomic writes keep or clear expiries as the single calls do.
		must(t, "SetEX", b.SetEX(ctx, key("set"), "v", hour))
		must(t, "SetEX", b.SetEX(ctx, key("counter"), "1", hour))
		must(t, "SAdd", b.SAdd(ctx, key("members"), "a"))
		eq(t, "Expire", true)(b.Expire(ctx, key("members"), hour))
		must(t, "HSet", b.HSet(ctx, key("hash"), "f", "v"))
		eq(t, "Expire", true)(b.Expire(ctx, key("hash"), hour))
		w = b.AtomicWrite()
		w.Set(key("set"), "w")
		w.NIncrBy(key("counter"), 1)
		w.SAdd(key("members"), "b")
		w.HSet(key("hash"), "g", "w")
		w.ZAdd(key("lock"), "m", 1)
		execOK(t, ctx, "an atomic write on expiring keys", w)
		checkNoExpiry(t, ctx, b, "TTL after an atomic Set on an expiring key", key("set"))
		checkString(t, ctx, b, key("counter"), "2")
		checkHour(t, ctx, b, "TTL after an atomic NIncrBy on an expiring counter", key("counter"))
		checkHour(t, ctx, b, "TTL after an atomic SAdd on an expiring set", key("members"))
		checkHour(t, ctx, b, "TTL after an atomic HSet on an expiring hash", key("hash"))
	})

	t.Run("Expired", func(t *testing.T) {
		// Keys of every kind, expiring in ttl: present right after, then absent to
		// every read, condition, batch and atomic write once past has been slept. The
		// keys are made first, expiring in an hour (the writes that keep an expiry
		// are checked then); one atomic write then makes all of them expire in ttl, so
		// that slow round trips cannot expire a key before it is checked.
		ctx, key := t.Context(), newKeys(t)
		expiring := func(k string, write func() error) {
			t.Helper()
			must(t, "writing "+k, write())
			if ok, err := b.Expire(ctx, k, hour); err != nil || !ok {
				t.Fatalf("Expire of %s = %v, %v, want true", k, ok, err)
			}
		}
		strs := []string{"get", "setnx", "setxx", "seteq", "setargs", "setnxex", "delete",
			"getex", "getdel", "expire", "persist", "batch", "aw-setnx", "aw-setxx", "aw-seteq", "aw-deletexx",
			"aw-expire", "aw-setnxex", "keepttl"}
		for _, s := range strs {
			must(t, "SetEX", b.SetEX(ctx, key(s), "old", hour))
		}
		// Writes that keep the expiry.
		expiring(key("counter"), func() error { return errOf(b.NIncrBy(ctx, key("counter"), 5)) })
		eq(t, "NIncrBy of an expiring counter", int64(6))(b.NIncrBy(ctx, key("counter"), 1))
		expiring(key("aw-counter"), func() error { return errOf(b.NIncrBy(ctx, key("aw-counter"), 5)) })
		expiring(key("set"), func() error { return b.SAdd(ctx, key("set"), "a", "b") })
		must(t, "SAdd to an expiring set", b.SAdd(ctx, key("set"), "c"))
		must(t, "SRem from an expiring set", b.SRem(ctx, key("set"), "a"))
		expiring(key("hash"), func() error { return b.HSet(ctx, key("hash"), "f", "v", kvstore.KeyValue{Key: "g", Value: "w"}) })
		must(t, "HSet on an expiring hash", b.HSet(ctx, key("hash"), "h", "x"))
		must(t, "HDel on an expiring hash", b.HDel(ctx, key("hash"), "f"))
		expiring(key("aw-hash"), func() error { return b.HSet(ctx, key("aw-hash"), "f", "v") })
		expiring(key("z"), func() error { return b.ZAdd(ctx, key("z"), "a", 1) })
		must(t, "ZAdd to expiring sorted data", b.ZAdd(ctx, key("z"), "b", 2))
		must(t, "ZRem from expiring sorted data", b.ZRem(ctx, key("z"), "a"))
		eqFloat(t, "ZIncrBy on expiring sorted data", 3)(b.ZIncrBy(ctx, key("z"), "b", 1))
		must(t, "ZHAdd to expiring sorted data", b.ZHAdd(ctx, key("z"), "f", "c", 4))
		expiring(key("aw-z"), func() error { return b.ZAdd(ctx, key("aw-z"), "a", 1) })
		expiring(key("both"), func() error {
			if err := b.Set(ctx, key("both"), "v"); err != nil {
				return err
			}
			return b.ZAdd(ctx, key("both"), "m", 1)
		})
		res, err := b.SetArgs(ctx, key("keepttl"), "new", kvstore.SetArgs{KeepTTL: true})
		if err != nil || !res.Done {
			t.Errorf("SetArgs with KeepTTL = %+v, %v", res, err)
		}
		all := append(strs, "counter", "aw-counter", "set", "hash", "aw-hash", "z", "aw-z", "both")
		for _, k := range all {
			checkHour(t, ctx, b, "TTL of "+k+" after writes that keep its expiry", key(k))
		}

		w := b.AtomicWrite()
		for _, k := range all {
			w.Expire(key(k), ttl)
		}
		start := now()
		execOK(t, ctx, "an atomic write of Expires in "+ttl.String(), w)
		// Right after: present, expiring within ttl. What was read is checked only
		// when the reads ended before ttl passed (a loaded machine may be slower).
		batch := b.Batch()
		get := batch.Get(key("get"))
		members := batch.SMembers(key("set"))
		fields := batch.HGetAll(key("hash"))
		score := batch.ZScore(key("z"), "b")
		must(t, "Exec of a batch of reads", batch.Exec(ctx))
		left, err := b.TTL(ctx, key("both"))
		if elapsed := now().Sub(start); elapsed < ttl {
			eqStr(t, "Get of an expiring key", str("old"))(get.Result())
			eqSet(t, "SMembers of an expiring set", "b", "c")(members.Result())
			eqMap(t, "HGetAll of an expiring hash", map[string]string{"g": "w", "h": "x"})(fields.Result())
			eqScore(t, "ZScore of expiring sorted data", num(3))(score.Result())
			ttlIn(t, "TTL right after", 0, ttl)(left, err)
		} else {
			t.Logf("the reads right after the expiring write ended %v after it began, past the %v ttl: not checked", elapsed, ttl)
		}

		sleep(past)

		for _, k := range []string{"get", "keepttl", "counter", "set", "hash", "z", "both"} {
			checkGone(t, ctx, b, key(k))
		}
		eqStr(t, "HGet of an expired hash", nil)(b.HGet(ctx, key("hash"), "g"))
		eqScore(t, "ZScore of expired sorted data", nil)(b.ZScore(ctx, key("z"), "b"))
		eqScored(t, "ZRangeByScoreWithScores of expired sorted data")(b.ZRangeByScoreWithScores(ctx, key("z"), 0, 10, 0))
		eqList(t, "ZRevRangeByScore of expired sorted data")(b.ZRevRangeByScore(ctx, key("z"), 0, 10, 0))
		eqList(t, "ZRangeByLex of expired sorted data")(b.ZRangeByLex(ctx, key("z"), "-", "+", 0))
		eqList(t, "ZRevRangeByLex of expired sorted data")(b.ZRevRangeByLex(ctx, key("z"), "-", "+", 0))
		eqList(t, "ZHRangeByScore of expired sorted data")(b.ZHRangeByScore(ctx, key("z"), 0, 10, 0))
		eq(t, "ZCount of expired sorted data", 0)(b.ZCount(ctx, key("z"), 0, 10))
		eq(t, "ZLexCount of expired sorted data", 0)(b.ZLexCount(ctx, key("z"), "-", "+"))
		eqScore(t, "ZScore of an expired key's sorted data", nil)(b.ZScore(ctx, key("both"), "m"))

		// Conditions and writes see the expired keys absent.
		eq(t, "SetNX on an expired key", true)(b.SetNX(ctx, key("setnx"), "new"))
		checkNoExpiry(t, ctx, b, "TTL after SetNX on an expired key", key("setnx"))
		eq(t, "SetXX on an expired key", false)(b.SetXX(ctx, key("setxx"), "new"))
		checkGone(t, ctx, b, key("setxx"))
		eq(t, "SetEQ on an expired key", false)(b.SetEQ(ctx, key("seteq"), "new", "old"))
		checkGone(t, ctx, b, key("seteq"))
		res, err = b.SetArgs(ctx, key("setargs"), "new", kvstore.SetArgs{Mode: kvstore.SetIfPresent, Get: true})
		if err != nil || res.Done || res.Old != nil {
			t.Errorf("SetArgs XX GET on an expired key = {Done: %v, Old: %s}, %v, want {false, nil}", res.Done, showString(res.Old), err)
		}
		eq(t, "SetNXEX on an expired key", true)(b.SetNXEX(ctx, key("setnxex"), "new", hour))
		checkHour(t, ctx, b, "TTL after SetNXEX on an expired key", key("setnxex"))
		eq(t, "Delete of an expired key", false)(b.Delete(ctx, key("delete")))
		checkGone(t, ctx, b, key("delete"))
		eqStr(t, "GetEx of an expired key", nil)(b.GetEx(ctx, key("getex"), kvstore.GetExArgs{Persist: true}))
		checkGone(t, ctx, b, key("getex"))
		eqStr(t, "GetDel of an expired key", nil)(b.GetDel(ctx, key("getdel")))
		eq(t, "Expire of an expired key", false)(b.Expire(ctx, key("expire"), hour))
		eq(t, "ExpireAtIf NX of an expired key", false)(b.ExpireAtIf(ctx, key("expire"), now().Add(hour), kvstore.ExpireNX))
		checkGone(t, ctx, b, key("expire"))
		eq(t, "Persist of an expired key", false)(b.Persist(ctx, key("persist")))
		checkGone(t, ctx, b, key("persist"))

		eq(t, "NIncrBy of an expired counter", int64(1))(b.NIncrBy(ctx, key("counter"), 1))
		checkNoExpiry(t, ctx, b, "TTL of a counter started after expiry", key("counter"))
		must(t, "SAdd to an expired set", b.SAdd(ctx, key("set"), "d"))
		checkMembers(t, ctx, b, key("set"), "d")
		checkNoExpiry(t, ctx, b, "TTL of a set started after expiry", key("set"))
		must(t, "HSet on an expired hash", b.HSet(ctx, key("hash"), "i", "y"))
		checkHash(t, ctx, b, key("hash"), map[string]string{"i": "y"})
		checkNoExpiry(t, ctx, b, "TTL of a hash started after expiry", key("hash"))
		must(t, "ZAdd to expired sorted data", b.ZAdd(ctx, key("z"), "d", 5))
		checkSorted(t, ctx, b, key("z"), sm("d", 5))
		checkNoExpiry(t, ctx, b, "TTL of sorted data started after expiry", key("z"))
		eqFloat(t, "ZIncrBy on expired sorted data", 1)(b.ZIncrBy(ctx, key("both"), "m", 1))
		checkSorted(t, ctx, b, key("both"), sm("m", 1))
		checkNoExpiry(t, ctx, b, "TTL of sorted data started by ZIncrBy after expiry", key("both"))

		// A batch reads expired keys as absent.
		batch = b.Batch()
		get = batch.Get(key("batch"))
		members = batch.SMembers(key("keepttl"))
		fields = batch.HGetAll(key("aw-hash"))
		score = batch.ZScore(key("aw-z"), "a")
		must(t, "Exec of a batch reading expired keys", batch.Exec(ctx))
		eqStr(t, "batched Get of an expired key", nil)(get.Result())
		eqSet(t, "batched SMembers of an expired key")(members.Result())
		eqMap(t, "batched HGetAll of an expired hash", map[string]string{})(fields.Result())
		eqScore(t, "batched ZScore of expired sorted data", nil)(score.Result())

		// Atomic writes' conditions see expired keys absent.
		for _, c := range []struct {
			name string
			add  func(w kvstore.AtomicWriteOperation)
		}{
			{"SetXX", func(w kvstore.AtomicWriteOperation) { w.SetXX(key("aw-setxx"), "new") }},
			{"SetEQ", func(w kvstore.AtomicWriteOperation) { w.SetEQ(key("aw-seteq"), "new", "old") }},
			{"DeleteXX", func(w kvstore.AtomicWriteOperation) { w.DeleteXX(key("aw-deletexx")) }},
			{"Expire", func(w kvstore.AtomicWriteOperation) { w.Expire(key("aw-expire"), hour) }},
		} {
			w := b.AtomicWrite()
			c.add(w)
			w.Set(key("aw-unwritten"), "v")
			execFailedCondition(t, ctx, "an atomic "+c.name+" on an expired key", w)
		}
		checkGone(t, ctx, b, key("aw-unwritten"))
		w = b.AtomicWrite()
		w.SetNX(key("aw-setnx"), "new")
		w.SetNXEX(key("aw-setnxex"), "new", hour)
		w.NIncrBy(key("aw-counter"), 2)
		w.HSetNX(key("aw-hash"), "f", "new")
		w.ZAddNX(key("aw-z"), "a", 7)
		execOK(t, ctx, "an atomic write on expired keys", w)
		checkString(t, ctx, b, key("aw-setnx"), "new")
		checkNoExpiry(t, ctx, b, "TTL after an atomic SetNX on an expired key", key("aw-setnx"))
		checkString(t, ctx, b, key("aw-setnxex"), "new")
		checkHour(t, ctx, b, "TTL after an atomic SetNXEX on an expired key", key("aw-setnxex"))
		checkString(t, ctx, b, key("aw-counter"), "2")
		checkNoExpiry(t, ctx, b, "TTL of a counter started by an atomic write after expiry", key("aw-counter"))
		checkHash(t, ctx, b, key("aw-hash"), map[string]string{"f": "new"})
		checkSorted(t, ctx, b, key("aw-z"), sm("a", 7))
		checkNoExpiry(t, ctx, b, "TTL of sorted data started by an atomic write after expiry", key("aw-z"))
	})

	t.Run("ShortExpiries", func(t *testing.T) {
		// Every way of setting a short expiry, each checked present right after it is
		// set, then absent once past has been slept; and the lock idiom's hand-over.
		ctx, key := t.Context(), newKeys(t)
		eq(t, "SetNXEX takes the lock", true)(b.SetNXEX(ctx, key("lock"), "a", ttl))
		eq(t, "SetNXEX while the lock is held", false)(b.SetNXEX(ctx, key("lock"), "b", ttl))
		must(t, "SetEX", b.SetEX(ctx, key("setex"), "v", ttl))
		checkString(t, ctx, b, key("setex"), "v")
		must(t, "SetArgs with a TTL", errOf(b.SetArgs(ctx, key("setargs"), "v", kvstore.SetArgs{TTL: ttl})))
		checkString(t, ctx, b, key("setargs"), "v")
		must(t, "SetArgs with ExpireAt", errOf(b.SetArgs(ctx, key("at"), "v", kvstore.SetArgs{ExpireAt: now().Add(ttl)})))
		checkString(t, ctx, b, key("at"), "v")
		must(t, "Set", b.Set(ctx, key("getex"), "v"))
		eqStr(t, "GetEx with a short TTL", str("v"))(b.GetEx(ctx, key("getex"), kvstore.GetExArgs{TTL: ttl}))
		checkString(t, ctx, b, key("getex"), "v")
		must(t, "SAdd", b.SAdd(ctx, key("set"), "m"))
		eq(t, "Expire", true)(b.Expire(ctx, key("set"), ttl))
		checkMembers(t, ctx, b, key("set"), "m")
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), "m", 1))
		eq(t, "ExpireAt", true)(b.ExpireAt(ctx, key("z"), now().Add(ttl)))
		checkSorted(t, ctx, b, key("z"), sm("m", 1))
		must(t, "HSet", b.HSet(ctx, key("hash"), "f", "v"))
		eq(t, "ExpireAtIf NX", true)(b.ExpireAtIf(ctx, key("hash"), now().Add(ttl), kvstore.ExpireNX))
		checkHash(t, ctx, b, key("hash"), map[string]string{"f": "v"})
		w := b.AtomicWrite()
		w.SetEX(key("aw"), "v", ttl)
		w.SetNXEX(key("aw-nx"), "v", ttl)
		execOK(t, ctx, "an atomic write of short expiries", w)
		checkString(t, ctx, b, key("aw"), "v")
		checkString(t, ctx, b, key("aw-nx"), "v")

		sleep(past)

		for _, k := range []string{"lock", "setex", "setargs", "at", "getex", "set", "z", "hash", "aw", "aw-nx"} {
			checkGone(t, ctx, b, key(k))
		}
		eq(t, "SetNXEX once the lock has expired", true)(b.SetNXEX(ctx, key("lock"), "b", hour))
		checkString(t, ctx, b, key("lock"), "b")
	})
}
