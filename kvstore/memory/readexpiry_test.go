package memory

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// TestReadsRecordTheirTTL checks that every read a read cache sends records, in the
// expiry report of its context, when what it read expires.
func TestReadsRecordTheirTTL(t *testing.T) {
	ctx := context.Background()
	clk := new(testClock)
	b := NewBackend(WithClock(clk.now))
	for _, err := range []error{
		b.SetEX(ctx, "v", "x", time.Minute),
		b.SAdd(ctx, "s", "a"),
		b.HSet(ctx, "h", "f", "1"),
		b.ZAdd(ctx, "z", "m", 1),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Expire(ctx, "z", time.Hour); err != nil {
		t.Fatal(err)
	}
	vExp := b.shard("v").values["v"].exp
	zExp := b.shard("z").sorted["z"].exp
	inf := math.Inf(1)
	reads := []struct {
		name   string
		key    string
		sorted bool
		want   int64
		read   func(context.Context) error
	}{
		{"Get", "v", false, vExp, func(ctx context.Context) error { _, err := b.Get(ctx, "v"); return err }},
		{"Get absent", "nope", false, 0, func(ctx context.Context) error { _, err := b.Get(ctx, "nope"); return err }},
		{"HGet", "h", false, 0, func(ctx context.Context) error { _, err := b.HGet(ctx, "h", "f"); return err }},
		{"HGetAll", "h", false, 0, func(ctx context.Context) error { _, err := b.HGetAll(ctx, "h"); return err }},
		{"SMembers", "s", false, 0, func(ctx context.Context) error { _, err := b.SMembers(ctx, "s"); return err }},
		{"ZScore", "z", true, zExp, func(ctx context.Context) error { _, err := b.ZScore(ctx, "z", "m"); return err }},
		{"ZCount", "z", true, zExp, func(ctx context.Context) error { _, err := b.ZCount(ctx, "z", -inf, inf); return err }},
		{"ZLexCount", "z", true, zExp, func(ctx context.Context) error { _, err := b.ZLexCount(ctx, "z", "-", "+"); return err }},
		{"ZHRevRangeByScoreWithScores", "z", true, zExp, func(ctx context.Context) error {
			_, err := b.ZHRevRangeByScoreWithScores(ctx, "z", -inf, inf, 0)
			return err
		}},
		{"ZHRangeByLex", "z", true, zExp, func(ctx context.Context) error { _, err := b.ZHRangeByLex(ctx, "z", "-", "+", 1); return err }},
		{"Get, not a string", "s", false, 0, func(ctx context.Context) error {
			_, err := b.Get(ctx, "s")
			if err == nil {
				t.Error("Get of a set: no error")
			}
			return nil
		}},
	}
	for _, r := range reads {
		rep := new(expiryreport.Report)
		if err := r.read(expiryreport.NewContext(ctx, rep)); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if exp, ok := rep.Lookup(r.key, r.sorted); !ok || exp != r.want {
			t.Errorf("%s recorded %d, %v; want %d", r.name, exp, ok, r.want)
		}
		if _, ok := rep.Lookup(r.key, !r.sorted); ok {
			t.Errorf("%s recorded the other kind of data", r.name)
		}
	}

	// Batched reads record too.
	rep := new(expiryreport.Report)
	bt := b.Batch()
	bt.Get("v")
	bt.ZScore("z", "m")
	bt.HGetAll("h")
	if err := bt.Exec(expiryreport.NewContext(ctx, rep)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []expiryreport.Key{{Key: "v"}, {Key: "z", Sorted: true}, {Key: "h"}} {
		want := map[string]int64{"v": vExp, "z": zExp, "h": 0}[k.Key]
		if exp, ok := rep.Lookup(k.Key, k.Sorted); !ok || exp != want {
			t.Errorf("batch recorded %d, %v for %+v; want %d", exp, ok, k, want)
		}
	}

	// Expired data is absent: it records 0, and the read caches nothing stale.
	clk.advance(2 * time.Minute)
	rep = new(expiryreport.Report)
	if v, err := b.Get(expiryreport.NewContext(ctx, rep), "v"); err != nil || v != nil {
		t.Fatalf("Get of an expired value = %v, %v", v, err)
	}
	if exp, ok := rep.Lookup("v", false); !ok || exp != 0 {
		t.Errorf("Get of an expired value recorded %d, %v; want 0", exp, ok)
	}
}
