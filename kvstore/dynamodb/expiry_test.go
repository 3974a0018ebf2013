package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// short is the expiry these tests wait out (for real: DynamoDB Local has no clock to
// move).
const short = 150 * time.Millisecond

// waitOut sleeps until keys set with short have expired.
func waitOut() { time.Sleep(short + 50*time.Millisecond) }

func eqTTL(t testing.TB, b kvstore.Backend, key string, lo, hi time.Duration) {
	t.Helper()
	got, err := b.TTL(context.Background(), key)
	if err != nil {
		t.Fatalf("TTL(%q): %v", key, err)
	}
	if got < lo || got > hi {
		t.Errorf("TTL(%q) = %v, want in [%v, %v]", key, got, lo, hi)
	}
}

func TestExpiryStrings(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	// Keys checked alive expire in an hour; keys checked expired, in short (these
	// tests never assert that a short expiry has not passed yet).
	must(t, b.SetEX(ctx, "h", "v", time.Hour))
	must(t, b.Set(ctx, "plain", "p"))
	eqString(t, b, "h", "v")
	eqTTL(t, b, "h", 59*time.Minute, time.Hour)
	eqTTL(t, b, "plain", kvstore.NoExpiry, kvstore.NoExpiry)
	eqTTL(t, b, "none", kvstore.KeyAbsent, kvstore.KeyAbsent)
	if ok, err := b.SetNXEX(ctx, "lock", "a", time.Hour); !ok || err != nil {
		t.Fatalf("SetNXEX(lock) = %v, %v; want true", ok, err)
	}
	if ok, err := b.SetNXEX(ctx, "lock", "b", short); ok || err != nil {
		t.Fatalf("second SetNXEX(lock) = %v, %v; want false", ok, err)
	}
	if r, err := b.SetArgs(ctx, "h", "h2", kvstore.SetArgs{KeepTTL: true, Get: true}); err != nil || !r.Done || deref(r.Old) != "v" {
		t.Fatalf("SetArgs KeepTTL Get = %+v (%v), %v", r, deref(r.Old), err)
	}
	eqTTL(t, b, "h", 59*time.Minute, time.Hour)
	must(t, b.SetEX(ctx, "s", "v", short))
	must(t, b.SetEX(ctx, "n", 5, short))
	if ok, err := b.Expire(ctx, "lock", short); !ok || err != nil {
		t.Fatalf("Expire(lock) = %v, %v", ok, err)
	}
	if _, err := b.SetArgs(ctx, "h", "h3", kvstore.SetArgs{ExpireAt: time.Now().Add(short)}); err != nil {
		t.Fatal(err)
	}
	waitOut()
	eqString(t, b, "s", nil)
	eqString(t, b, "h", nil)
	eqTTL(t, b, "s", kvstore.KeyAbsent, kvstore.KeyAbsent)
	eqString(t, b, "plain", "p")
	if ok, err := b.SetNXEX(ctx, "lock", "b", time.Minute); !ok || err != nil {
		t.Fatalf("SetNXEX(lock) after expiry = %v, %v; want true", ok, err)
	}
	eqString(t, b, "lock", "b")
	if ok, err := b.SetXX(ctx, "s", "x"); ok || err != nil {
		t.Errorf("SetXX on an expired key = %v, %v; want false", ok, err)
	}
	if ok, err := b.SetEQ(ctx, "s", "x", "v"); ok || err != nil {
		t.Errorf("SetEQ on an expired key = %v, %v; want false", ok, err)
	}
	if n, err := b.NIncrBy(ctx, "n", 2); n != 2 || err != nil {
		t.Errorf("NIncrBy on an expired counter = %v, %v; want 2", n, err)
	}
	eqTTL(t, b, "n", kvstore.NoExpiry, kvstore.NoExpiry)
	if ok, err := b.SetNX(ctx, "s", "new"); !ok || err != nil {
		t.Errorf("SetNX on an expired key = %v, %v; want true", ok, err)
	}
	eqTTL(t, b, "s", kvstore.NoExpiry, kvstore.NoExpiry)
}

func TestExpirySetArgs(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	for name, a := range map[string]kvstore.SetArgs{
		"sub-millisecond TTL":  {TTL: time.Microsecond},
		"negative TTL":         {TTL: -time.Second},
		"TTL and KeepTTL":      {TTL: time.Second, KeepTTL: true},
		"TTL and ExpireAt":     {TTL: time.Second, ExpireAt: time.Now().Add(time.Hour)},
		"unknown mode":         {Mode: "YY"},
		"ExpireAt and KeepTTL": {ExpireAt: time.Now(), KeepTTL: true},
	} {
		if _, err := b.SetArgs(ctx, "bad", "v", a); !errors.Is(err, kvstore.ErrInvalidArgument) {
			t.Errorf("SetArgs %s: %v, want ErrInvalidArgument", name, err)
		}
	}
	eqString(t, b, "bad", nil)
	must(t, b.SAdd(ctx, "set", "m"))
	if _, err := b.SetArgs(ctx, "set", "v", kvstore.SetArgs{Get: true}); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("SetArgs Get on a set: %v, want ErrWrongType", err)
	}
	if m, _ := b.SMembers(ctx, "set"); len(m) != 1 {
		t.Errorf("SetArgs Get on a set wrote it: SMembers = %v", m)
	}
	r, err := b.SetArgs(ctx, "k", "v", kvstore.SetArgs{Mode: kvstore.SetIfPresent})
	if err != nil || r.Done {
		t.Errorf("SetArgs XX on an absent key = %+v, %v; want not done", r, err)
	}
	r, err = b.SetArgs(ctx, "k", "v", kvstore.SetArgs{Mode: kvstore.SetIfAbsent, Get: true, ExpireAt: time.Now().Add(time.Hour)})
	if err != nil || !r.Done || r.Old != nil {
		t.Errorf("SetArgs NX Get on an absent key = %+v, %v; want done, no old value", r, err)
	}
	eqTTL(t, b, "k", 59*time.Minute, time.Hour)
	r, err = b.SetArgs(ctx, "k", "w", kvstore.SetArgs{Mode: kvstore.SetIfAbsent, Get: true})
	if err != nil || r.Done || deref(r.Old) != "v" {
		t.Errorf("SetArgs NX Get on a present key = %+v, %v; want not done, old v", r, err)
	}
	r, err = b.SetArgs(ctx, "k", "w", kvstore.SetArgs{Mode: kvstore.SetIfPresent, KeepTTL: true})
	if err != nil || !r.Done {
		t.Errorf("SetArgs XX KeepTTL = %+v, %v; want done", r, err)
	}
	eqTTL(t, b, "k", 59*time.Minute, time.Hour)
	must(t, b.Set(ctx, "k", "x"))
	eqTTL(t, b, "k", kvstore.NoExpiry, kvstore.NoExpiry) // a plain Set clears the expiry
	r, err = b.SetArgs(ctx, "past", "v", kvstore.SetArgs{ExpireAt: time.Now().Add(-time.Second)})
	if err != nil || !r.Done {
		t.Errorf("SetArgs with a passed ExpireAt = %+v, %v; want done", r, err)
	}
	eqString(t, b, "past", nil)
}

func TestExpiryGetExGetDel(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.Set(ctx, "k", "v"))
	must(t, b.SAdd(ctx, "set", "m"))
	if v, err := b.GetEx(ctx, "k", kvstore.GetExArgs{TTL: time.Hour}); err != nil || deref(v) != "v" {
		t.Fatalf("GetEx TTL = %v, %v", deref(v), err)
	}
	eqTTL(t, b, "k", 59*time.Minute, time.Hour)
	if v, err := b.GetEx(ctx, "k", kvstore.GetExArgs{Persist: true}); err != nil || deref(v) != "v" {
		t.Fatalf("GetEx Persist = %v, %v", deref(v), err)
	}
	eqTTL(t, b, "k", kvstore.NoExpiry, kvstore.NoExpiry)
	if _, err := b.GetEx(ctx, "k", kvstore.GetExArgs{Persist: true, TTL: time.Hour}); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("GetEx with two options: %v, want ErrInvalidArgument", err)
	}
	if _, err := b.GetEx(ctx, "set", kvstore.GetExArgs{TTL: time.Hour}); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("GetEx on a set: %v, want ErrWrongType", err)
	}
	if v, err := b.GetEx(ctx, "none", kvstore.GetExArgs{TTL: time.Hour}); err != nil || v != nil {
		t.Errorf("GetEx on an absent key = %v, %v; want nil", deref(v), err)
	}
	if v, err := b.GetEx(ctx, "k", kvstore.GetExArgs{ExpireAt: time.Now().Add(-time.Second)}); err != nil || deref(v) != "v" {
		t.Errorf("GetEx with a passed time = %v, %v", deref(v), err)
	}
	eqString(t, b, "k", nil)
	must(t, b.SetEX(ctx, "d", "dv", short))
	if v, err := b.GetDel(ctx, "d"); err != nil || deref(v) != "dv" {
		t.Errorf("GetDel = %v, %v", deref(v), err)
	}
	eqString(t, b, "d", nil)
	if _, err := b.GetDel(ctx, "set"); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("GetDel on a set: %v, want ErrWrongType", err)
	}
	must(t, b.SetEX(ctx, "e", "ev", short))
	waitOut()
	if v, err := b.GetDel(ctx, "e"); err != nil || v != nil {
		t.Errorf("GetDel of an expired key = %v, %v; want nil", deref(v), err)
	}
	if v, err := b.GetEx(ctx, "e", kvstore.GetExArgs{Persist: true}); err != nil || v != nil {
		t.Errorf("GetEx Persist of an expired key = %v, %v; want nil", deref(v), err)
	}
}

func TestExpiryExpireConditions(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	now := time.Now()
	must(t, b.Set(ctx, "k", "v"))
	expect := func(name string, ok bool, err error, want bool) {
		t.Helper()
		if err != nil || ok != want {
			t.Errorf("%s = %v, %v; want %v", name, ok, err, want)
		}
	}
	ok, err := b.ExpireAtIf(ctx, "k", now.Add(time.Hour), kvstore.ExpireXX)
	expect("XX without expiry", ok, err, false)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(time.Hour), kvstore.ExpireGT)
	expect("GT without expiry", ok, err, false)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(time.Hour), kvstore.ExpireNX)
	expect("NX without expiry", ok, err, true)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(2*time.Hour), kvstore.ExpireNX)
	expect("NX with expiry", ok, err, false)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(30*time.Minute), kvstore.ExpireGT)
	expect("GT earlier", ok, err, false)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(2*time.Hour), kvstore.ExpireGT)
	expect("GT later", ok, err, true)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(3*time.Hour), kvstore.ExpireLT)
	expect("LT later", ok, err, false)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(time.Hour), kvstore.ExpireLT)
	expect("LT earlier", ok, err, true)
	eqTTL(t, b, "k", 59*time.Minute, time.Hour)
	ok, err = b.ExpireAtIf(ctx, "k", now.Add(time.Hour), kvstore.ExpireCondition(99))
	if !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("unknown condition = %v, %v; want ErrInvalidArgument", ok, err)
	}
	ok, err = b.Persist(ctx, "k")
	expect("Persist", ok, err, true)
	ok, err = b.Persist(ctx, "k")
	expect("Persist without expiry", ok, err, false)
	ok, err = b.Persist(ctx, "none")
	expect("Persist absent", ok, err, false)
	ok, err = b.Expire(ctx, "none", time.Hour)
	expect("Expire absent", ok, err, false)
	ok, err = b.Expire(ctx, "k", 0)
	expect("Expire 0", ok, err, true)
	eqString(t, b, "k", nil)
	ok, err = b.ExpireAt(ctx, "k", now.Add(time.Hour))
	expect("ExpireAt of a deleted key", ok, err, false)
}

func TestExpiryMergingWritesStartOver(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.SAdd(ctx, "set", "old"))
	must(t, b.HSet(ctx, "hash", "old", "1"))
	must(t, b.SAdd(ctx, "srem", "a", "b"))
	must(t, b.HSet(ctx, "hdel", "a", "1", kvstore.KeyValue{Key: "b", Value: "2"}))
	for _, k := range []string{"set", "hash", "srem", "hdel"} {
		if ok, err := b.Expire(ctx, k, time.Hour); !ok || err != nil {
			t.Fatalf("Expire(%s) = %v, %v", k, ok, err)
		}
	}
	must(t, b.SAdd(ctx, "set", "kept"))       // keeps the expiry
	must(t, b.HSet(ctx, "hash", "kept", "2")) // keeps the expiry
	must(t, b.SRem(ctx, "srem", "a"))         // keeps the expiry
	must(t, b.HDel(ctx, "hdel", "a"))         // keeps the expiry
	for _, k := range []string{"set", "hash", "srem", "hdel"} {
		eqTTL(t, b, k, 59*time.Minute, time.Hour)
		if ok, err := b.Expire(ctx, k, short); !ok || err != nil {
			t.Fatalf("Expire(%s) = %v, %v", k, ok, err)
		}
	}
	waitOut()
	if m, err := b.SMembers(ctx, "set"); err != nil || len(m) != 0 {
		t.Errorf("SMembers of an expired set = %v, %v", m, err)
	}
	if h, err := b.HGet(ctx, "hash", "kept"); err != nil || h != nil {
		t.Errorf("HGet of an expired hash = %v, %v", deref(h), err)
	}
	must(t, b.SRem(ctx, "srem", "b"))
	must(t, b.HDel(ctx, "hdel", "b"))
	must(t, b.SAdd(ctx, "set", "new"))
	must(t, b.HSet(ctx, "hash", "new", "3"))
	if m, err := b.SMembers(ctx, "set"); err != nil || !slices.Equal(m, []string{"new"}) {
		t.Errorf("SMembers after SAdd on an expired set = %v, %v; want [new]", m, err)
	}
	if h, err := b.HGetAll(ctx, "hash"); err != nil || len(h) != 1 || h["new"] != "3" {
		t.Errorf("HGetAll after HSet on an expired hash = %v, %v; want new:3", h, err)
	}
	eqTTL(t, b, "set", kvstore.NoExpiry, kvstore.NoExpiry)
	eqTTL(t, b, "hash", kvstore.NoExpiry, kvstore.NoExpiry)
	// An expired key of another kind is absent: no ErrWrongType.
	must(t, b.SetEX(ctx, "str", "v", short))
	waitOut()
	must(t, b.SAdd(ctx, "str", "m"))
	if _, err := b.Get(ctx, "str"); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("Get of a set: %v, want ErrWrongType", err)
	}
}

func TestExpiryBatchAndAtomicWrite(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.SetEX(ctx, "s", "v", short))
	must(t, b.SAdd(ctx, "set", "m"))
	must(t, b.HSet(ctx, "hash", "f", "v"))
	w := b.AtomicWrite()
	ex := w.Expire("set", time.Hour)
	lock := w.SetNXEX("lock", "a", time.Hour)
	w.SetEX("sx", "v", time.Hour)
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Fatalf("atomic Expire/SetNXEX/SetEX = %v, %v (%v, %v)", ok, err, ex.ConditionalFailed(), lock.ConditionalFailed())
	}
	eqTTL(t, b, "set", 59*time.Minute, time.Hour)
	eqTTL(t, b, "sx", 59*time.Minute, time.Hour)
	eqTTL(t, b, "lock", 59*time.Minute, time.Hour)
	w = b.AtomicWrite()
	lock = w.SetNXEX("lock", "b", short)
	if ok, err := w.Exec(ctx); ok || err != nil || !lock.ConditionalFailed() {
		t.Fatalf("atomic SetNXEX on a held lock = %v, %v; want false", ok, err)
	}
	w = b.AtomicWrite()
	w.Expire("set", short)
	w.Expire("hash", short)
	w.Expire("lock", short)
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Fatalf("atomic Expire = %v, %v", ok, err)
	}
	waitOut()
	bt := b.Batch()
	get := bt.Get("s")
	members := bt.SMembers("set")
	all := bt.HGetAll("hash")
	if err := bt.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := get.Result(); err != nil || v != nil {
		t.Errorf("batch Get of an expired key = %v, %v", deref(v), err)
	}
	if m, err := members.Result(); err != nil || len(m) != 0 {
		t.Errorf("batch SMembers of an expired set = %v, %v", m, err)
	}
	if h, err := all.Result(); err != nil || len(h) != 0 {
		t.Errorf("batch HGetAll of an expired hash = %v, %v", h, err)
	}
	w = b.AtomicWrite()
	lock = w.SetNXEX("lock", "b", time.Minute)
	ex = w.Expire("s", time.Minute) // expired: its condition fails
	if ok, err := w.Exec(ctx); ok || err != nil || !ex.ConditionalFailed() || lock.ConditionalFailed() {
		t.Fatalf("atomic Expire of an expired key = %v, %v; want only Expire failed", ok, err)
	}
	w = b.AtomicWrite()
	w.SetNXEX("lock", "b", time.Minute)
	w.SAdd("set", "fresh")
	w.NIncrBy("s", 3)
	w.HSet("hash", "g", "w")
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Fatalf("atomic writes on expired keys = %v, %v; want true", ok, err)
	}
	eqString(t, b, "lock", "b")
	eqString(t, b, "s", "3")
	if m, err := b.SMembers(ctx, "set"); err != nil || !slices.Equal(m, []string{"fresh"}) {
		t.Errorf("SMembers = %v, %v; want [fresh]", m, err)
	}
	if h, err := b.HGetAll(ctx, "hash"); err != nil || len(h) != 1 {
		t.Errorf("HGetAll = %v, %v; want g only", h, err)
	}
}

func TestExpiryRequestCounts(t *testing.T) {
	b, p := proxied(t, 3)
	ctx := t.Context()
	must(t, b.SAdd(ctx, "set", "m"))
	cases := []struct {
		name string
		run  func() error
		api  string
		want int
	}{
		{"SetEX", func() error { return b.SetEX(ctx, "k", "v", time.Hour) }, "PutItem", 1},
		{"SetNXEX", func() error { _, err := b.SetNXEX(ctx, "l", "v", time.Hour); return err }, "PutItem", 1},
		// Expire and Persist: an UpdateItem of the value and one Query of the meta item
		// and the first sorted member (none here), concurrently.
		{"Expire", func() error { _, err := b.Expire(ctx, "set", time.Hour); return err }, "UpdateItem", 1},
		{"Persist", func() error { _, err := b.Persist(ctx, "k"); return err }, "UpdateItem", 1},
		{"TTL", func() error { _, err := b.TTL(ctx, "k"); return err }, "GetItem", 1},
		{"GetEx", func() error { _, err := b.GetEx(ctx, "k", kvstore.GetExArgs{TTL: time.Hour}); return err }, "UpdateItem", 1},
		{"GetDel", func() error { _, err := b.GetDel(ctx, "k"); return err }, "DeleteItem", 1},
	}
	for _, c := range cases {
		p.reset()
		if err := c.run(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := c.want
		if c.name == "Expire" || c.name == "Persist" {
			want++
			if p.count("GetItem") != 0 || p.count("Query") != 1 {
				t.Errorf("%s: %d GetItem, %d Query, want 0 and 1", c.name, p.count("GetItem"), p.count("Query"))
			}
		}
		if got, total := p.count(c.api), p.total(); got != c.want || total != want {
			t.Errorf("%s: %d %s of %d requests, want %d of %d", c.name, got, c.api, total, c.want, want)
		}
	}
	// The first SAdd after expiry: the failed ADD, a DeleteItem of the expired item,
	// the ADD again.
	must(t, b.SAdd(ctx, "e", "m"))
	if ok, err := b.Expire(ctx, "e", short); !ok || err != nil {
		t.Fatal(ok, err)
	}
	waitOut()
	p.reset()
	must(t, b.SAdd(ctx, "e", "n"))
	if u, d, total := p.count("UpdateItem"), p.count("DeleteItem"), p.total(); u != 2 || d != 1 || total != 3 {
		t.Errorf("SAdd on an expired set: %d UpdateItem, %d DeleteItem of %d requests; want 2, 1, 3", u, d, total)
	}
}

// capacity is a RequestProfiler summing consumed capacity.
type capacity struct {
	mu          sync.Mutex
	read, write float64
}

func (c *capacity) ProfileDynamoDBRequest(_ string, _ time.Duration, r, w float64, _ error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read += r
	c.write += w
}

func (c *capacity) take() (r, w float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, w, c.read, c.write = c.read, c.write, 0, 0
	return r, w
}

// TestExpiryLargeSortedSet expires a sorted set of 10,000 members: Expire writes the
// meta item only, not the members.
func TestExpiryLargeSortedSet(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10,000 items")
	}
	raw, p := proxied(t, 3, fastRetries)
	prof := &capacity{}
	b := raw.WithProfiler(prof)
	ctx := t.Context()
	const n = 10_000
	bt := b.Batch()
	for i := range n {
		bt.ZAdd("big", fmt.Sprintf("m%05d", i), float64(i))
	}
	must(t, bt.Exec(ctx))
	if c, err := b.ZCount(ctx, "big", 0, n); err != nil || c != n {
		t.Fatalf("ZCount = %d, %v; want %d", c, err, n)
	}

	p.reset()
	prof.take()
	if ok, err := b.Expire(ctx, "big", time.Hour); !ok || err != nil {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	// The value's UpdateItem (no value: its condition fails) and one Query of the meta
	// item and the first member, then the reclaim marker's PutItem (the first Expire
	// of the key) and the meta item's UpdateItem.
	r, w := prof.take()
	t.Logf("Expire of %d members: %d requests (%d UpdateItem, %d GetItem, %d Query, %d PutItem), %.1f RCU, %.1f WCU",
		n, p.total(), p.count("UpdateItem"), p.count("GetItem"), p.count("Query"), p.count("PutItem"), r, w)
	if p.total() != 4 || p.count("UpdateItem") != 2 || p.count("Query") != 1 || p.count("PutItem") != 1 {
		t.Errorf("Expire: %d requests, want 4: 2 UpdateItem, 1 Query, 1 PutItem", p.total())
	}
	if r > 1 {
		t.Errorf("Expire consumed %.1f RCU, want at most 1 (the meta item and one member)", r)
	}
	// A range of the live set: one Query (limit 10) and the meta item's GetItem.
	p.reset()
	if m, err := b.ZRangeByScore(ctx, "big", 0, n, 10); err != nil || len(m) != 10 {
		t.Errorf("ZRangeByScore of the live set = %d members, %v; want 10", len(m), err)
	}
	r, _ = prof.take()
	t.Logf("ZRangeByScore limit 10 of the live set with an expiry: %d requests, %.1f RCU", p.total(), r)
	if p.total() != 2 || p.count("Query") != 1 || p.count("GetItem") != 1 {
		t.Errorf("ZRangeByScore of the live set: %d requests, want 2: 1 Query, 1 GetItem", p.total())
	}
	if w > 3 {
		t.Errorf("Expire consumed %.1f WCU, want at most 3 (nothing per member)", w)
	}
	eqTTL(t, b, "big", 59*time.Minute, time.Hour)

	// Expire it now: the same requests, but the marker, which is armed.
	p.reset()
	if ok, err := b.Expire(ctx, "big", 0); !ok || err != nil {
		t.Fatalf("Expire 0 = %v, %v", ok, err)
	}
	if p.total() != 3 || p.count("DeleteItem") != 1 || p.count("Query") != 1 || p.count("UpdateItem") != 1 {
		t.Errorf("Expire 0: %d requests, want 3: DeleteItem (value), Query, UpdateItem (meta)", p.total())
	}
	eqTTL(t, b, "big", kvstore.KeyAbsent, kvstore.KeyAbsent)
	if c, err := b.ZCount(ctx, "big", 0, n); err != nil || c != 0 {
		t.Errorf("ZCount of the expired set = %d, %v; want 0", c, err)
	}
	if c, err := b.ZLexCount(ctx, "big", "-", "+"); err != nil || c != 0 {
		t.Errorf("ZLexCount of the expired set = %d, %v; want 0", c, err)
	}
	prof.take()
	p.reset()
	if m, err := b.ZRangeByScore(ctx, "big", 0, n, 10); err != nil || len(m) != 0 {
		t.Errorf("ZRangeByScore of the expired set = %d members, %v; want none", len(m), err)
	}
	// Dead members stay stored until removed: a score range reads them all from the
	// rk2 index (which projects wt), filtered on wt, in growing pages.
	r, _ = prof.take()
	t.Logf("ZRangeByScore of the expired set: %d requests, %.1f RCU", p.total(), r)
	if p.total() > 10 {
		t.Errorf("ZRangeByScore of the expired set: %d requests, want whole pages (a few)", p.total())
	}
	p.reset()
	if m, err := b.ZRangeByLex(ctx, "big", "-", "+", 10); err != nil || len(m) != 0 {
		t.Errorf("ZRangeByLex of the expired set = %d members, %v; want none", len(m), err)
	}
	r, _ = prof.take()
	t.Logf("ZRangeByLex of the expired set: %d requests, %.1f RCU", p.total(), r)
	if p.total() > 10 {
		t.Errorf("ZRangeByLex of the expired set: %d requests, want whole pages (a few)", p.total())
	}
	p.reset()
	if s, err := b.ZScore(ctx, "big", "m00001"); err != nil || s != nil {
		t.Errorf("ZScore of an expired member = %v, %v; want nil", s, err)
	}
	if p.total() != 1 || p.count("BatchGetItem") != 1 {
		t.Errorf("ZScore: %d requests, want 1 BatchGetItem", p.total())
	}
	// A new incarnation: a member written after the expiry is live, without expiry.
	must(t, b.ZAdd(ctx, "big", "new", 5))
	prof.take()
	p.reset()
	if c, err := b.ZCount(ctx, "big", 0, n); err != nil || c != 1 {
		t.Errorf("ZCount after a new ZAdd = %d, %v; want 1", c, err)
	}
	r, _ = prof.take()
	t.Logf("ZCount of 1 live and %d dead members: %d requests (%d Query, %d GetItem), %.1f RCU", n, p.total(), p.count("Query"), p.count("GetItem"), r)
	if p.count("GetItem") != 1 || p.count("Query") < 2 || p.total() > 6 {
		t.Errorf("ZCount: %d Query, %d GetItem; want the COUNT Query, the meta item's GetItem, the filtered COUNT", p.count("Query"), p.count("GetItem"))
	}
	if m, err := b.ZRangeByScore(ctx, "big", 0, n, 10); err != nil || !slices.Equal(m, []string{"new"}) {
		t.Errorf("ZRangeByScore after a new ZAdd = %v, %v; want [new]", m, err)
	}
	if c, err := b.ZCount(ctx, "big", 0, n); err != nil || c != 1 {
		t.Errorf("ZCount after a new ZAdd = %d, %v; want 1", c, err)
	}
	eqTTL(t, b, "big", kvstore.NoExpiry, kvstore.NoExpiry)
	if s, err := b.ZIncrBy(ctx, "big", "m00002", 1); err != nil || s != 1 {
		t.Errorf("ZIncrBy of a dead member = %v, %v; want 1 (from 0)", s, err)
	}
}

func TestExpirySortedLastMemberEndsExpiry(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.ZAdd(ctx, "z", "a", 1))
	must(t, b.ZAdd(ctx, "z", "b", 2))
	if ok, err := b.Expire(ctx, "z", time.Hour); !ok || err != nil {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	must(t, b.ZRem(ctx, "z", "a"))
	eqTTL(t, b, "z", 59*time.Minute, time.Hour)
	must(t, b.ZRem(ctx, "z", "b"))
	eqTTL(t, b, "z", kvstore.KeyAbsent, kvstore.KeyAbsent)
	must(t, b.ZAdd(ctx, "z", "c", 3))
	eqTTL(t, b, "z", kvstore.NoExpiry, kvstore.NoExpiry)
	if ok, err := b.Persist(ctx, "z"); ok || err != nil {
		t.Errorf("Persist without expiry = %v, %v; want false", ok, err)
	}
	if ok, err := b.ExpireAtIf(ctx, "z", time.Now().Add(time.Hour), kvstore.ExpireNX); !ok || err != nil {
		t.Errorf("ExpireAtIf NX = %v, %v; want true", ok, err)
	}
	if ok, err := b.Persist(ctx, "z"); !ok || err != nil {
		t.Errorf("Persist = %v, %v; want true", ok, err)
	}
	eqTTL(t, b, "z", kvstore.NoExpiry, kvstore.NoExpiry)
	bt := b.Batch()
	score := bt.ZScore("z", "c")
	must(t, bt.Exec(ctx))
	if s, err := score.Result(); err != nil || s == nil || *s != 3 {
		t.Errorf("batch ZScore = %v, %v; want 3", s, err)
	}
	// The same through a batch and an atomic write.
	for name, rem := range map[string]func(key string) error{
		"batch": func(key string) error {
			bt := b.Batch()
			bt.ZRem(key, "a")
			return bt.Exec(ctx)
		},
		"atomic write": func(key string) error {
			w := b.AtomicWrite()
			w.ZRem(key, "a")
			_, err := w.Exec(ctx)
			return err
		},
	} {
		key := "z-" + name
		must(t, b.ZAdd(ctx, key, "a", 1))
		if ok, err := b.Expire(ctx, key, time.Hour); !ok || err != nil {
			t.Fatalf("Expire = %v, %v", ok, err)
		}
		must(t, rem(key))
		eqTTL(t, b, key, kvstore.KeyAbsent, kvstore.KeyAbsent)
		must(t, b.ZAdd(ctx, key, "b", 2))
		eqTTL(t, b, key, kvstore.NoExpiry, kvstore.NoExpiry)
	}
}

func TestDecodeMetaItemRecords(t *testing.T) {
	bin, num := events.NewBinaryAttribute, events.NewNumberAttribute
	keys := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("z")), "rk": bin([]byte("y"))}
	item := func(attrs ...string) map[string]events.DynamoDBAttributeValue {
		m := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("z")), "rk": bin([]byte("y"))}
		for i := 0; i+1 < len(attrs); i += 2 {
			m[attrs[i]] = num(attrs[i+1])
		}
		return m
	}
	for name, rec := range map[string]events.DynamoDBEventRecord{
		"INSERT": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: keys, NewImage: item("x", "1700000000000")}},
		"MODIFY": {EventName: "MODIFY", Change: events.DynamoDBStreamRecord{Keys: keys,
			OldImage: item("x", "1700000000000"), NewImage: item("x", "1800000000000", "dead", "1700000000000")}},
		"REMOVE": {EventName: "REMOVE", Change: events.DynamoDBStreamRecord{Keys: keys, OldImage: item("x", "1700000000000")}},
	} {
		changes, err := dynamodb.DecodeStreamRecord(rec)
		if err != nil || len(changes) != 0 {
			t.Errorf("%s of a meta item decoded as %+v, %v; want no change", name, changes, err)
		}
	}
}
