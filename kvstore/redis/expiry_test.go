package redis_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// expiryBackend returns a backend under a fresh prefix, the raw client, and a function
// naming the Redis key of kind ("", ":n", ":z", ":zh") of a key without "}".
func expiryBackend(t *testing.T) (*redis.Backend, *goredis.Client, func(key, kind string) string) {
	t.Helper()
	prefix := fmt.Sprintf("exp%d:", prefixes.Add(1))
	b, raw := newBackend(t, redis.WithKeyPrefix(prefix))
	return b, raw, func(key, kind string) string { return prefix + "{" + key + "}" + kind }
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// expireTimes returns PEXPIRETIME of each Redis key (-2 absent, -1 no expiry).
func expireTimes(t *testing.T, raw *goredis.Client, keys ...string) []int64 {
	t.Helper()
	out := make([]int64, len(keys))
	for i, k := range keys {
		n, err := raw.Do(ctx, "pexpiretime", k).Int64()
		must(t, err)
		out[i] = n
	}
	return out
}

// TestExpiryAllRedisKeys checks that Expire, ExpireAt and Persist act on all four
// Redis keys of a key, and that TTL answers from the value, else the sorted set.
func TestExpiryAllRedisKeys(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	must(t, b.SAdd(ctx, "k", "a", "b"))
	must(t, b.ZHAdd(ctx, "k", "f", "member", 1)) // :z and :zh
	all := []string{rk("k", ""), rk("k", ":n"), rk("k", ":z"), rk("k", ":zh")}
	if got := expireTimes(t, raw, all...); got[0] != -1 || got[1] != -1 || got[2] != -1 || got[3] != -1 {
		t.Fatalf("PEXPIRETIME before Expire = %v, want -1 for all four keys", got)
	}
	if ttl, err := b.TTL(ctx, "k"); err != nil || ttl != kvstore.NoExpiry {
		t.Fatalf("TTL = %v, %v; want NoExpiry", ttl, err)
	}

	at := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	if ok, err := b.ExpireAt(ctx, "k", at); err != nil || !ok {
		t.Fatalf("ExpireAt = %v, %v", ok, err)
	}
	for i, e := range expireTimes(t, raw, all...) {
		if e != at.UnixMilli() {
			t.Errorf("PEXPIRETIME %s = %d, want %d", all[i], e, at.UnixMilli())
		}
	}
	if ttl, err := b.TTL(ctx, "k"); err != nil || ttl <= 0 || ttl > time.Hour {
		t.Errorf("TTL = %v, %v; want in (0, 1h]", ttl, err)
	}

	if ok, err := b.Expire(ctx, "k", time.Minute); err != nil || !ok {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	times := expireTimes(t, raw, all...)
	for i, e := range times {
		if e != times[0] || e <= 0 {
			t.Errorf("PEXPIRETIME after Expire = %v: want one time for all four keys (%s differs)", times, all[i])
			break
		}
	}

	if had, err := b.Persist(ctx, "k"); err != nil || !had {
		t.Fatalf("Persist = %v, %v; want true", had, err)
	}
	if got := expireTimes(t, raw, all...); got[0] != -1 || got[1] != -1 || got[2] != -1 || got[3] != -1 {
		t.Errorf("PEXPIRETIME after Persist = %v, want -1 for all four keys", got)
	}
	if had, err := b.Persist(ctx, "k"); err != nil || had {
		t.Errorf("second Persist = %v, %v; want false", had, err)
	}

	// Without a value, TTL reports the sorted data's expiry.
	_, err := b.Delete(ctx, "k")
	must(t, err)
	if ttl, err := b.TTL(ctx, "k"); err != nil || ttl != kvstore.NoExpiry {
		t.Errorf("TTL of sorted data alone = %v, %v; want NoExpiry", ttl, err)
	}
	_, err = b.Expire(ctx, "k", time.Minute)
	must(t, err)
	if ttl, err := b.TTL(ctx, "k"); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("TTL of expiring sorted data = %v, %v; want in (0, 1m]", ttl, err)
	}
	// A value without expiry beside it answers for the key.
	must(t, b.Set(ctx, "k", "v"))
	if ttl, err := b.TTL(ctx, "k"); err != nil || ttl != kvstore.NoExpiry {
		t.Errorf("TTL with a value = %v, %v; want NoExpiry", ttl, err)
	}

	if ttl, err := b.TTL(ctx, "absent"); err != nil || ttl != kvstore.KeyAbsent {
		t.Errorf("TTL of an absent key = %v, %v; want KeyAbsent", ttl, err)
	}
	for _, call := range []func() (bool, error){
		func() (bool, error) { return b.Expire(ctx, "absent", time.Minute) },
		func() (bool, error) { return b.ExpireAt(ctx, "absent", at) },
		func() (bool, error) { return b.Persist(ctx, "absent") },
	} {
		if ok, err := call(); err != nil || ok {
			t.Errorf("on an absent key = %v, %v; want false", ok, err)
		}
	}
	if n, _ := raw.Exists(ctx, rk("absent", ""), rk("absent", ":n"), rk("absent", ":z"), rk("absent", ":zh")).Result(); n != 0 {
		t.Errorf("Expire of an absent key created %d Redis keys", n)
	}
}

// TestExpiryPassedDeletes checks that Expire with no time left, and ExpireAt with a
// time passed, delete every Redis key of the key.
func TestExpiryPassedDeletes(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	for i, expire := range []func(key string) (bool, error){
		func(key string) (bool, error) { return b.Expire(ctx, key, 0) },
		func(key string) (bool, error) { return b.Expire(ctx, key, -time.Hour) },
		func(key string) (bool, error) { return b.ExpireAt(ctx, key, time.Now().Add(-time.Second)) },
		func(key string) (bool, error) { return b.ExpireAt(ctx, key, time.Time{}) },
		func(key string) (bool, error) {
			return b.ExpireAtIf(ctx, key, time.Unix(1, 0), kvstore.ExpireNX)
		},
	} {
		key := fmt.Sprintf("k%d", i)
		must(t, b.HSet(ctx, key, "f", "v"))
		must(t, b.ZHAdd(ctx, key, "f", "m", 1))
		if ok, err := expire(key); err != nil || !ok {
			t.Errorf("%d: expire = %v, %v; want true", i, ok, err)
		}
		if n, _ := raw.Exists(ctx, rk(key, ""), rk(key, ":n"), rk(key, ":z"), rk(key, ":zh")).Result(); n != 0 {
			t.Errorf("%d: %d Redis keys left", i, n)
		}
		if ttl, err := b.TTL(ctx, key); err != nil || ttl != kvstore.KeyAbsent {
			t.Errorf("%d: TTL = %v, %v; want KeyAbsent", i, ttl, err)
		}
	}
}

// TestExpiryNewSiblingsCopyExpiry checks that a size counter or sorted-hash members
// hash created beside an expiring value or sorted set gets its expiry.
func TestExpiryNewSiblingsCopyExpiry(t *testing.T) {
	b, raw, rk := expiryBackend(t)

	must(t, b.SAdd(ctx, "s", "a"))
	_, err := raw.Del(ctx, rk("s", ":n")).Result() // as another tool might
	must(t, err)
	_, err = b.Expire(ctx, "s", time.Hour)
	must(t, err)
	must(t, b.SAdd(ctx, "s", "b")) // recounts and writes :n
	if e := expireTimes(t, raw, rk("s", ""), rk("s", ":n")); e[0] <= 0 || e[1] != e[0] {
		t.Errorf("set: PEXPIRETIME value, size = %v; want one time", e)
	}
	must(t, b.SRem(ctx, "s", "b"))
	if e := expireTimes(t, raw, rk("s", ""), rk("s", ":n")); e[0] <= 0 || e[1] != e[0] {
		t.Errorf("set after SRem: PEXPIRETIME value, size = %v; want one time", e)
	}

	must(t, b.HSet(ctx, "h", "f", "v"))
	_, err = b.Expire(ctx, "h", time.Hour)
	must(t, err)
	must(t, b.HSet(ctx, "h", "g", "w"))
	must(t, b.HDel(ctx, "h", "f"))
	if e := expireTimes(t, raw, rk("h", ""), rk("h", ":n")); e[0] <= 0 || e[1] != e[0] {
		t.Errorf("hash: PEXPIRETIME value, size = %v; want one time", e)
	}

	must(t, b.ZAdd(ctx, "z", "a", 1))
	_, err = b.Expire(ctx, "z", time.Hour)
	must(t, err)
	must(t, b.ZHAdd(ctx, "z", "f", "member", 2)) // creates :zh
	if e := expireTimes(t, raw, rk("z", ":z"), rk("z", ":zh")); e[0] <= 0 || e[1] != e[0] {
		t.Errorf("sorted hash: PEXPIRETIME zset, zmembers = %v; want one time", e)
	}
	_, err = b.ZIncrBy(ctx, "z", "a", 1)
	must(t, err)
	must(t, b.ZAdd(ctx, "z", "c", 3))
	if e := expireTimes(t, raw, rk("z", ":z")); e[0] <= 0 {
		t.Errorf("ZIncrBy or ZAdd cleared the sorted set's expiry: %v", e)
	}

	// In an atomic write, the same.
	w := b.AtomicWrite()
	w.ZHAdd("z", "g", "other", 4)
	w.SAdd("s", "c")
	ok, err := w.Exec(ctx)
	if err != nil || !ok {
		t.Fatalf("atomic write = %v, %v", ok, err)
	}
	if e := expireTimes(t, raw, rk("z", ":z"), rk("z", ":zh")); e[0] <= 0 || e[1] != e[0] {
		t.Errorf("atomic ZHAdd: PEXPIRETIME zset, zmembers = %v; want one time", e)
	}
	if e := expireTimes(t, raw, rk("s", ""), rk("s", ":n")); e[0] <= 0 || e[1] != e[0] {
		t.Errorf("atomic SAdd: PEXPIRETIME value, size = %v; want one time", e)
	}
}

// TestExpiryWritesKeepOrClear checks which writes keep the value's expiry.
func TestExpiryWritesKeepOrClear(t *testing.T) {
	b, _, _ := expiryBackend(t)
	expiring := func(key string) bool {
		t.Helper()
		ttl, err := b.TTL(ctx, key)
		must(t, err)
		return ttl > 0
	}
	_, err := b.NIncrBy(ctx, "c", 1)
	must(t, err)
	_, err = b.Expire(ctx, "c", time.Hour)
	must(t, err)
	_, err = b.NIncrBy(ctx, "c", 1)
	must(t, err)
	if !expiring("c") {
		t.Error("NIncrBy cleared the counter's expiry")
	}
	w := b.AtomicWrite()
	w.NIncrBy("c", 2)
	w.Set("other", "x")
	_, err = w.Exec(ctx)
	must(t, err)
	if !expiring("c") {
		t.Error("NIncrBy in an atomic write cleared the counter's expiry")
	}
	if v, _ := b.Get(ctx, "c"); v == nil || *v != "4" {
		t.Errorf("counter = %v, want 4", v)
	}

	must(t, b.SetEX(ctx, "s", "v", time.Hour))
	if !expiring("s") {
		t.Fatal("SetEX left no expiry")
	}
	must(t, b.Set(ctx, "s", "w"))
	if expiring("s") {
		t.Error("Set kept the expiry")
	}
	must(t, b.SetEX(ctx, "s", "v", time.Hour))
	if ok, err := b.SetEQ(ctx, "s", "w", "v"); err != nil || !ok {
		t.Fatalf("SetEQ = %v, %v", ok, err)
	}
	if expiring("s") {
		t.Error("SetEQ kept the expiry")
	}
	must(t, b.SetEX(ctx, "s", "v", time.Hour))
	if _, err := b.SetArgs(ctx, "s", "w", kvstore.SetArgs{KeepTTL: true}); err != nil {
		t.Fatal(err)
	}
	if !expiring("s") {
		t.Error("SetArgs with KeepTTL cleared the expiry")
	}
	if v, _ := b.Get(ctx, "s"); v == nil || *v != "w" {
		t.Errorf("after SetArgs KeepTTL: %v, want w", v)
	}
}

// TestSetArgs checks SetArgs' modes, Get and expiries, and that a string set over a
// set leaves no size counter.
func TestSetArgs(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	cases := []struct {
		a        kvstore.SetArgs
		done     bool
		old      string
		value    string // after the call
		expiring bool
	}{
		{kvstore.SetArgs{Mode: kvstore.SetIfPresent, Get: true}, false, "<nil>", "<nil>", false},
		{kvstore.SetArgs{Mode: kvstore.SetIfAbsent, TTL: time.Hour, Get: true}, true, "<nil>", "v1", true},
		{kvstore.SetArgs{Mode: kvstore.SetIfAbsent, Get: true}, false, "v1", "v1", true},
		{kvstore.SetArgs{Mode: kvstore.SetIfAbsent}, false, "<nil>", "v1", true},
		{kvstore.SetArgs{Mode: kvstore.SetIfPresent, KeepTTL: true, Get: true}, true, "v1", "v4", true},
		{kvstore.SetArgs{Get: true}, true, "v4", "v5", false},
		{kvstore.SetArgs{ExpireAt: time.Now().Add(time.Hour)}, true, "<nil>", "v6", true},
		{kvstore.SetArgs{Mode: kvstore.SetIfPresent}, true, "<nil>", "v7", false},
		{kvstore.SetArgs{ExpireAt: time.Now().Add(-time.Second), Get: true}, true, "v7", "<nil>", false},
	}
	for i, c := range cases {
		value := fmt.Sprintf("v%d", i)
		r, err := b.SetArgs(ctx, "k", value, c.a)
		if err != nil {
			t.Fatalf("%d: SetArgs(%+v) = %v", i, c.a, err)
		}
		if r.Done != c.done || str(r.Old) != c.old {
			t.Errorf("%d: SetArgs(%+v) = done %v, old %s; want %v, %s", i, c.a, r.Done, str(r.Old), c.done, c.old)
		}
		got, err := b.Get(ctx, "k")
		must(t, err)
		if str(got) != c.value {
			t.Errorf("%d: then Get = %s, want %s", i, str(got), c.value)
		}
		ttl, err := b.TTL(ctx, "k")
		must(t, err)
		if (ttl > 0) != c.expiring {
			t.Errorf("%d: then TTL = %v, want expiring %v", i, ttl, c.expiring)
		}
	}

	// Get on another kind is an ErrWrongType, and nothing is written.
	must(t, b.SAdd(ctx, "set", "a"))
	for _, mode := range []kvstore.SetMode{kvstore.SetAlways, kvstore.SetIfAbsent, kvstore.SetIfPresent} {
		if _, err := b.SetArgs(ctx, "set", "x", kvstore.SetArgs{Mode: mode, Get: true, TTL: time.Hour}); !errors.Is(err, kvstore.ErrWrongType) {
			t.Errorf("SetArgs %q with Get on a set = %v, want ErrWrongType", mode, err)
		}
	}
	if m, err := b.SMembers(ctx, "set"); err != nil || len(m) != 1 {
		t.Errorf("the set after refused SetArgs: %v, %v", m, err)
	}
	if n, _ := raw.Exists(ctx, rk("set", ":n")).Result(); n != 1 {
		t.Error("a refused SetArgs dropped the set's size counter")
	}
	// Without Get a string replaces it, and its size counter goes.
	if err := b.SetEX(ctx, "set", "x", time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, _ := raw.Exists(ctx, rk("set", ":n")).Result(); n != 0 {
		t.Error("SetEX over a set left its size counter")
	}

	// SetNXEX: the lock idiom.
	if ok, err := b.SetNXEX(ctx, "lock", "me", time.Minute); err != nil || !ok {
		t.Fatalf("SetNXEX on an absent key = %v, %v", ok, err)
	}
	if ok, err := b.SetNXEX(ctx, "lock", "you", time.Minute); err != nil || ok {
		t.Errorf("SetNXEX on a held lock = %v, %v; want false", ok, err)
	}
}

// TestExpiryInvalidArguments checks the ErrInvalidArgument cases, raised before
// anything is sent.
func TestExpiryInvalidArguments(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	for i, err := range []error{
		func() error { _, err := b.SetArgs(ctx, "k", "v", kvstore.SetArgs{TTL: time.Microsecond}); return err }(),
		func() error { _, err := b.SetArgs(ctx, "k", "v", kvstore.SetArgs{TTL: -time.Second}); return err }(),
		func() error {
			_, err := b.SetArgs(ctx, "k", "v", kvstore.SetArgs{TTL: time.Second, KeepTTL: true})
			return err
		}(),
		func() error {
			_, err := b.SetArgs(ctx, "k", "v", kvstore.SetArgs{ExpireAt: time.Now(), TTL: time.Second})
			return err
		}(),
		func() error { _, err := b.SetArgs(ctx, "k", "v", kvstore.SetArgs{Mode: "EQ"}); return err }(),
		b.SetEX(ctx, "k", "v", 0),
		func() error { _, err := b.SetNXEX(ctx, "k", "v", time.Nanosecond); return err }(),
		func() error {
			_, err := b.GetEx(ctx, "k", kvstore.GetExArgs{TTL: time.Second, Persist: true})
			return err
		}(),
		func() error { _, err := b.GetEx(ctx, "k", kvstore.GetExArgs{TTL: -time.Second}); return err }(),
		func() error { _, err := b.ExpireAtIf(ctx, "k", time.Now(), kvstore.ExpireCondition(9)); return err }(),
		func() error { _, err := b.TTL(ctx, ""); return err }(),
		func() error {
			w := b.AtomicWrite()
			w.SetEX("k", "v", time.Microsecond)
			_, err := w.Exec(ctx)
			return err
		}(),
	} {
		if !errors.Is(err, kvstore.ErrInvalidArgument) {
			t.Errorf("%d: %v, want ErrInvalidArgument", i, err)
		}
	}
	if n, _ := raw.Exists(ctx, rk("k", "")).Result(); n != 0 {
		t.Error("an invalid call wrote the key")
	}
}

// TestExpireAtIf checks ExpireAtIf's conditions against the value's expiry, or the
// sorted data's when there is no value.
func TestExpireAtIf(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	base := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	later, earlier := base.Add(time.Minute), base.Add(-time.Minute)
	for _, sorted := range []bool{false, true} {
		key := fmt.Sprintf("k%v", sorted)
		if sorted {
			must(t, b.ZHAdd(ctx, key, "f", "m", 1))
		} else {
			must(t, b.Set(ctx, key, "v"))
		}
		steps := []struct {
			at   time.Time
			cond kvstore.ExpireCondition
			ok   bool
			want time.Time // the expiry after the step; zero for none
		}{
			{base, kvstore.ExpireXX, false, time.Time{}},
			{base, kvstore.ExpireGT, false, time.Time{}}, // no expiry counts as never
			{base, kvstore.ExpireLT, true, base},
			{later, kvstore.ExpireNX, false, base},
			{earlier, kvstore.ExpireGT, false, base},
			{later, kvstore.ExpireGT, true, later},
			{later, kvstore.ExpireLT, false, later},
			{earlier, kvstore.ExpireLT, true, earlier},
			{base, kvstore.ExpireXX, true, base},
			{later, kvstore.ExpireAlways, true, later},
		}
		for i, s := range steps {
			ok, err := b.ExpireAtIf(ctx, key, s.at, s.cond)
			if err != nil || ok != s.ok {
				t.Errorf("sorted %v step %d: ExpireAtIf = %v, %v; want %v", sorted, i, ok, err, s.ok)
			}
			want := int64(-1)
			if !s.want.IsZero() {
				want = s.want.UnixMilli()
			}
			main := rk(key, "")
			if sorted {
				main = rk(key, ":z")
			}
			if e := expireTimes(t, raw, main); e[0] != want {
				t.Errorf("sorted %v step %d: PEXPIRETIME = %d, want %d", sorted, i, e[0], want)
			}
		}
		if had, err := b.Persist(ctx, key); err != nil || !had {
			t.Errorf("Persist = %v, %v", had, err)
		}
		if ok, err := b.ExpireAtIf(ctx, key, base, kvstore.ExpireNX); err != nil || !ok {
			t.Errorf("ExpireAtIf NX after Persist = %v, %v; want true", ok, err)
		}
	}
	if ok, err := b.ExpireAtIf(ctx, "absent", base, kvstore.ExpireLT); err != nil || ok {
		t.Errorf("ExpireAtIf on an absent key = %v, %v; want false", ok, err)
	}
}

// TestGetExGetDel checks GetEx and GetDel.
func TestGetExGetDel(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	must(t, b.Set(ctx, "k", "v"))
	must(t, b.ZAdd(ctx, "k", "m", 1))
	ttl := func() time.Duration {
		t.Helper()
		d, err := b.TTL(ctx, "k")
		must(t, err)
		return d
	}
	if v, err := b.GetEx(ctx, "k", kvstore.GetExArgs{}); err != nil || v == nil || *v != "v" || ttl() != kvstore.NoExpiry {
		t.Errorf("GetEx without options = %v, %v", v, err)
	}
	if v, err := b.GetEx(ctx, "k", kvstore.GetExArgs{TTL: time.Hour}); err != nil || v == nil || *v != "v" {
		t.Errorf("GetEx TTL = %v, %v", v, err)
	}
	if d := ttl(); d <= 0 || d > time.Hour {
		t.Errorf("after GetEx TTL: TTL = %v", d)
	}
	if e := expireTimes(t, raw, rk("k", ":z")); e[0] != -1 {
		t.Errorf("GetEx changed the sorted data's expiry: %d", e[0])
	}
	at := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	_, err := b.GetEx(ctx, "k", kvstore.GetExArgs{ExpireAt: at})
	must(t, err)
	if e := expireTimes(t, raw, rk("k", "")); e[0] != at.UnixMilli() {
		t.Errorf("after GetEx ExpireAt: PEXPIRETIME = %d, want %d", e[0], at.UnixMilli())
	}
	_, err = b.GetEx(ctx, "k", kvstore.GetExArgs{Persist: true})
	must(t, err)
	if d := ttl(); d != kvstore.NoExpiry {
		t.Errorf("after GetEx Persist: TTL = %v", d)
	}
	if v, err := b.GetEx(ctx, "k", kvstore.GetExArgs{ExpireAt: time.Now().Add(-time.Second)}); err != nil || v == nil || *v != "v" {
		t.Errorf("GetEx with a passed time = %v, %v", v, err)
	}
	if v, _ := b.Get(ctx, "k"); v != nil {
		t.Errorf("GetEx with a passed time left %q", *v)
	}
	if s, _ := b.ZScore(ctx, "k", "m"); s == nil {
		t.Error("GetEx with a passed time deleted the sorted data")
	}
	if v, err := b.GetEx(ctx, "k", kvstore.GetExArgs{TTL: time.Hour}); err != nil || v != nil {
		t.Errorf("GetEx of an absent value = %v, %v", v, err)
	}

	must(t, b.Set(ctx, "k", "w"))
	if v, err := b.GetDel(ctx, "k"); err != nil || v == nil || *v != "w" {
		t.Errorf("GetDel = %v, %v", v, err)
	}
	if v, err := b.GetDel(ctx, "k"); err != nil || v != nil {
		t.Errorf("second GetDel = %v, %v", v, err)
	}
	if s, _ := b.ZScore(ctx, "k", "m"); s == nil {
		t.Error("GetDel deleted the sorted data")
	}

	must(t, b.HSet(ctx, "h", "f", "v"))
	if _, err := b.GetEx(ctx, "h", kvstore.GetExArgs{TTL: time.Hour}); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("GetEx of a hash = %v, want ErrWrongType", err)
	}
	if _, err := b.GetDel(ctx, "h"); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("GetDel of a hash = %v, want ErrWrongType", err)
	}
	if n, _ := raw.Exists(ctx, rk("h", ""), rk("h", ":n")).Result(); n != 2 {
		t.Errorf("refused GetEx/GetDel changed the hash: %d of its 2 Redis keys left", n)
	}
	if e := expireTimes(t, raw, rk("h", "")); e[0] != -1 {
		t.Errorf("refused GetEx gave the hash an expiry")
	}
}

// TestAtomicExpiry checks the atomic SetEX, SetNXEX and Expire.
func TestAtomicExpiry(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	must(t, b.Set(ctx, "lock", "me"))
	must(t, b.SAdd(ctx, "held", "x"))

	// Expire's condition: the key is present. Combined with SetEQ: extend the lock
	// only while holding it.
	w := b.AtomicWrite()
	eq := w.SetEQ("lock", "me", "me")
	ex := w.Expire("held", time.Hour)
	nx := w.SetNXEX("new", "v", time.Hour)
	gone := w.Expire("absent", time.Hour)
	ok, err := w.Exec(ctx)
	if err != nil || ok {
		t.Fatalf("atomic write = %v, %v; want a failed condition", ok, err)
	}
	if eq.ConditionalFailed() || ex.ConditionalFailed() || nx.ConditionalFailed() || !gone.ConditionalFailed() {
		t.Errorf("failed conditions: SetEQ %v, Expire %v, SetNXEX %v, Expire absent %v; want only the last",
			eq.ConditionalFailed(), ex.ConditionalFailed(), nx.ConditionalFailed(), gone.ConditionalFailed())
	}
	if n, _ := raw.Exists(ctx, rk("new", "")).Result(); n != 0 {
		t.Error("a failed atomic write set a key")
	}

	w = b.AtomicWrite()
	w.Expire("held", time.Hour)
	w.SetEX("lock", "you", time.Minute)
	w.SetNXEX("new", "v", time.Minute)
	w.ZHAdd("held", "f", "member", 1) // sorted data created beside: no expiry yet
	ok, err = w.Exec(ctx)
	if err != nil || !ok {
		t.Fatalf("atomic write = %v, %v", ok, err)
	}
	e := expireTimes(t, raw, rk("held", ""), rk("held", ":n"), rk("lock", ""), rk("new", ""), rk("held", ":z"), rk("held", ":zh"))
	if e[0] <= 0 || e[1] != e[0] || e[2] <= 0 || e[2] >= e[0] || e[3] != e[2] || e[4] != -1 || e[5] != -1 {
		t.Errorf("PEXPIRETIME held, its size, lock, new, held's zset and zmembers = %v", e)
	}
	if v, _ := b.Get(ctx, "lock"); v == nil || *v != "you" {
		t.Errorf("lock = %v, want you", v)
	}

	// SetNXEX fails on a present key; Expire then covers sorted data too.
	w = b.AtomicWrite()
	nx = w.SetNXEX("new", "w", time.Minute)
	_, err = w.Exec(ctx)
	must(t, err)
	if !nx.ConditionalFailed() {
		t.Error("SetNXEX on a present key did not fail")
	}
	w = b.AtomicWrite()
	w.Expire("held", time.Minute)
	_, err = w.Exec(ctx)
	must(t, err)
	e = expireTimes(t, raw, rk("held", ""), rk("held", ":n"), rk("held", ":z"), rk("held", ":zh"))
	if e[0] <= 0 || e[1] != e[0] || e[2] != e[0] || e[3] != e[0] {
		t.Errorf("PEXPIRETIME of held's four keys = %v, want one time", e)
	}

	// SetEX over a set drops its size counter.
	must(t, b.SAdd(ctx, "s", "a"))
	w = b.AtomicWrite()
	w.SetEX("s", "v", time.Minute)
	_, err = w.Exec(ctx)
	must(t, err)
	if n, _ := raw.Exists(ctx, rk("s", ":n")).Result(); n != 0 {
		t.Error("atomic SetEX over a set left its size counter")
	}
}

// TestExpiryForReal waits for keys to expire on the server: they are then absent to
// everything, and writes start afresh.
func TestExpiryForReal(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	const ttl = 50 * time.Millisecond
	must(t, b.SetEX(ctx, "str", "v", ttl))
	must(t, b.SAdd(ctx, "set", "a", "b"))
	must(t, b.ZHAdd(ctx, "set", "f", "m", 1))
	_, err := b.Expire(ctx, "set", ttl)
	must(t, err)
	_, err = b.NIncrBy(ctx, "n", 5)
	must(t, err)
	w := b.AtomicWrite()
	w.Expire("n", ttl)
	w.SetNXEX("lock", "me", ttl)
	_, err = w.Exec(ctx)
	must(t, err)

	time.Sleep(3 * ttl)

	for _, k := range []string{"str", "set", "n", "lock"} {
		if d, err := b.TTL(ctx, k); err != nil || d != kvstore.KeyAbsent {
			t.Errorf("TTL %s = %v, %v; want KeyAbsent", k, d, err)
		}
	}
	if v, _ := b.Get(ctx, "str"); v != nil {
		t.Errorf("expired string = %q", *v)
	}
	if m, _ := b.SMembers(ctx, "set"); len(m) != 0 {
		t.Errorf("expired set = %q", m)
	}
	if r, _ := b.ZHRangeByScore(ctx, "set", 0, 10, 0); len(r) != 0 {
		t.Errorf("expired sorted hash = %q", r)
	}
	if ok, err := b.SetNXEX(ctx, "lock", "you", time.Minute); err != nil || !ok {
		t.Errorf("SetNXEX on an expired lock = %v, %v", ok, err)
	}
	if n, err := b.NIncrBy(ctx, "n", 1); err != nil || n != 1 {
		t.Errorf("NIncrBy on an expired counter = %d, %v; want 1", n, err)
	}
	must(t, b.SAdd(ctx, "set", "c"))
	if m, _ := b.SMembers(ctx, "set"); len(m) != 1 {
		t.Errorf("SAdd on an expired set = %q, want a new set", m)
	}
	if v, _ := raw.Get(ctx, rk("set", ":n")).Result(); v != "1" {
		t.Errorf("size counter of the new set = %q, want 1", v)
	}
	for _, k := range []string{"n", "set"} {
		if d, _ := b.TTL(ctx, k); d != kvstore.NoExpiry {
			t.Errorf("TTL of %s written after expiry = %v, want NoExpiry", k, d)
		}
	}
}

// TestExpiryScriptNotCached checks the expiry calls after SCRIPT FLUSH (EVALSHA
// answers NOSCRIPT; the call is sent again as EVAL).
func TestExpiryScriptNotCached(t *testing.T) {
	b, raw, _ := expiryBackend(t)
	must(t, b.Set(ctx, "k", "v"))
	must(t, raw.ScriptFlush(ctx).Err())
	if ok, err := b.Expire(ctx, "k", time.Minute); err != nil || !ok {
		t.Errorf("Expire after SCRIPT FLUSH = %v, %v", ok, err)
	}
	must(t, raw.ScriptFlush(ctx).Err())
	if r, err := b.SetArgs(ctx, "k", "w", kvstore.SetArgs{Get: true, KeepTTL: true}); err != nil || !r.Done || r.Old == nil || *r.Old != "v" {
		t.Errorf("SetArgs after SCRIPT FLUSH = %+v, %v", r, err)
	}
}

// TestExpiryFarFuture checks expiries far in the future, beyond the digits a Lua
// number prints by default, and times beyond what the backend sends (2^52 ms).
func TestExpiryFarFuture(t *testing.T) {
	b, raw, rk := expiryBackend(t)
	must(t, b.SAdd(ctx, "s", "a"))
	must(t, b.ZAdd(ctx, "s", "a", 1))
	far := time.Date(99999, 1, 1, 0, 0, 0, 0, time.UTC)
	if ok, err := b.ExpireAt(ctx, "s", far); err != nil || !ok {
		t.Fatalf("ExpireAt year 99999 = %v, %v", ok, err)
	}
	must(t, b.SAdd(ctx, "s", "b"))
	must(t, b.ZHAdd(ctx, "s", "f", "m", 2))
	e := expireTimes(t, raw, rk("s", ""), rk("s", ":n"), rk("s", ":z"), rk("s", ":zh"))
	for _, x := range e {
		if x != far.UnixMilli() {
			t.Errorf("PEXPIRETIME of the four keys = %v, want %d", e, far.UnixMilli())
			break
		}
	}
	if ok, err := b.ExpireAtIf(ctx, "s", far.Add(time.Millisecond), kvstore.ExpireGT); err != nil || !ok {
		t.Errorf("ExpireAtIf GT by a millisecond = %v, %v", ok, err)
	}
	if ok, err := b.Expire(ctx, "s", time.Duration(1<<63-1)); err != nil || !ok {
		t.Errorf("Expire with the longest Duration = %v, %v", ok, err)
	}
	if ttl, err := b.TTL(ctx, "s"); err != nil || ttl < 100*365*24*time.Hour {
		t.Errorf("TTL after the longest Expire = %v, %v", ttl, err)
	}
	must(t, b.SetEX(ctx, "v", "x", time.Duration(1<<63-1)))
	if _, err := b.SetArgs(ctx, "v", "y", kvstore.SetArgs{ExpireAt: time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Errorf("SetArgs with ExpireAt in the year 300000: %v", err)
	}
	w := b.AtomicWrite()
	w.SetEX("v", "z", time.Duration(1<<63-1))
	w.Expire("s", time.Duration(1<<63-1))
	if ok, err := w.Exec(ctx); err != nil || !ok {
		t.Errorf("atomic write with the longest TTLs = %v, %v", ok, err)
	}
}
