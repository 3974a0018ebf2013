package redis_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// TestReadsRecordTheirTTL checks that the reads a read cache sends (with an expiry
// report in their context) carry a PTTL in the same round trip and record the
// expiry of what they read, and that reads without a report send nothing more.
func TestReadsRecordTheirTTL(t *testing.T) {
	b, _ := newBackend(t)
	p := &roundTrips{}
	pb := b.WithProfiler(p)
	const ttl = time.Hour
	if err := pb.SetEX(ctx, "v", "x", ttl); err != nil {
		t.Fatal(err)
	}
	if err := pb.HSet(ctx, "h", "f", "1"); err != nil {
		t.Fatal(err)
	}
	if err := pb.ZAdd(ctx, "z", "m", 1); err != nil {
		t.Fatal(err)
	}
	if ok, err := pb.Expire(ctx, "z", ttl); err != nil || !ok {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	// Load the range script, so that each range read below is one EVALSHA.
	if _, err := pb.ZRangeByLex(ctx, "z", "-", "+", 0); err != nil {
		t.Fatal(err)
	}
	p.take()

	inf := math.Inf(1)
	reads := []struct {
		name   string
		key    string
		sorted bool
		expiry bool // whether the key has one
		cmds   []string
		read   func(context.Context) error
	}{
		{"Get", "v", false, true, []string{"get"}, func(ctx context.Context) error { _, err := pb.Get(ctx, "v"); return err }},
		{"Get absent", "absent", false, false, []string{"get"}, func(ctx context.Context) error { _, err := pb.Get(ctx, "absent"); return err }},
		{"HGet", "h", false, false, []string{"hget"}, func(ctx context.Context) error { _, err := pb.HGet(ctx, "h", "f"); return err }},
		{"HGetAll", "h", false, false, []string{"hgetall"}, func(ctx context.Context) error { _, err := pb.HGetAll(ctx, "h"); return err }},
		{"SMembers", "absent", false, false, []string{"smembers"}, func(ctx context.Context) error { _, err := pb.SMembers(ctx, "absent"); return err }},
		{"ZScore", "z", true, true, []string{"zscore"}, func(ctx context.Context) error { _, err := pb.ZScore(ctx, "z", "m"); return err }},
		{"ZCount", "z", true, true, []string{"zcount"}, func(ctx context.Context) error { _, err := pb.ZCount(ctx, "z", -inf, inf); return err }},
		{"ZLexCount", "z", true, true, []string{"zlexcount"}, func(ctx context.Context) error { _, err := pb.ZLexCount(ctx, "z", "-", "+"); return err }},
		{"ZRangeByScoreWithScores", "z", true, true, []string{"evalsha"}, func(ctx context.Context) error {
			r, err := pb.ZRangeByScoreWithScores(ctx, "z", -inf, inf, 0)
			if err == nil && (len(r) != 1 || r[0].Value != "m" || r[0].Score != 1) {
				t.Errorf("ZRangeByScoreWithScores = %v, want m=1", r)
			}
			return err
		}},
		{"ZHRevRangeByLex", "z", true, true, []string{"evalsha"}, func(ctx context.Context) error {
			r, err := pb.ZHRevRangeByLex(ctx, "z", "-", "+", 0)
			if err == nil && !slices.Equal(r, []string{"m"}) {
				t.Errorf("ZHRevRangeByLex = %q, want [m]", r)
			}
			return err
		}},
	}
	for _, r := range reads {
		// Without a report: the read alone.
		if err := r.read(ctx); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if got := p.take(); len(got) != 1 || !slices.Equal(got[0], r.cmds) {
			t.Errorf("%s without a report: round trips %q, want [%q]", r.name, got, r.cmds)
		}
		// With one: the same round trip carries a PTTL (the script runs it itself).
		rep := new(expiryreport.Report)
		before := time.Now().UnixMilli()
		if err := r.read(expiryreport.NewContext(ctx, rep)); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		after := time.Now().UnixMilli()
		want := r.cmds
		if r.cmds[0] != "evalsha" {
			want = append([]string{"pttl"}, r.cmds...)
		}
		if got := p.take(); len(got) != 1 || !slices.Equal(got[0], want) {
			t.Errorf("%s with a report: round trips %q, want [%q]", r.name, got, want)
		}
		exp, ok := rep.Lookup(r.key, r.sorted)
		switch {
		case !ok:
			t.Errorf("%s recorded nothing", r.name)
		case !r.expiry && exp != 0:
			t.Errorf("%s recorded expiry %d for a key without one", r.name, exp)
		case r.expiry && (exp < before || exp > after+ttl.Milliseconds()):
			t.Errorf("%s recorded expiry %d, want within [%d, %d]", r.name, exp, before, after+ttl.Milliseconds())
		}
		if _, ok := rep.Lookup(r.key, !r.sorted); ok {
			t.Errorf("%s recorded the other kind of data", r.name)
		}
	}

	// A batch: one PTTL per key and kind read, in the same pipeline.
	for _, withReport := range []bool{false, true} {
		rep := new(expiryreport.Report)
		bctx := ctx
		if withReport {
			bctx = expiryreport.NewContext(ctx, rep)
		}
		bt := pb.Batch()
		g1, g2, z := bt.Get("v"), bt.Get("v"), bt.ZScore("z", "m")
		bt.Set("w", "1")
		if err := bt.Exec(bctx); err != nil {
			t.Fatal(err)
		}
		for _, g := range []kvstore.GetResult{g1, g2} {
			if v, err := g.Result(); err != nil || v == nil || *v != "x" {
				t.Errorf("batched Get = %v, %v; want x", v, err)
			}
		}
		if v, err := z.Result(); err != nil || v == nil || *v != 1 {
			t.Errorf("batched ZScore = %v, %v; want 1", v, err)
		}
		want := []string{"get", "get", "zscore", "set"}
		if withReport {
			want = []string{"pttl", "get", "get", "pttl", "zscore", "set"}
		}
		if got := p.take(); len(got) != 1 || !slices.Equal(got[0], want) {
			t.Errorf("batch (report: %v): round trips %q, want [%q]", withReport, got, want)
		}
		if !withReport {
			continue
		}
		for _, sorted := range []bool{false, true} {
			key := "v"
			if sorted {
				key = "z"
			}
			if exp, ok := rep.Lookup(key, sorted); !ok || exp == 0 {
				t.Errorf("batch recorded %d, %v for %s, want its expiry", exp, ok, key)
			}
		}
		if _, ok := rep.Lookup("w", false); ok {
			t.Error("batch recorded an expiry for a key it only writes")
		}
	}
}
