package dynamodb_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// apiCounts renders the proxy's request counts, sorted by API, as "n API, ...".
func apiCounts(p *proxy) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var parts []string
	for _, api := range slices.Sorted(maps.Keys(p.counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", p.counts[api], api))
	}
	return strings.Join(parts, ", ")
}

// TestExpiryCosts checks the exact requests of each expiry operation, and of the
// operations whose cost expiry changed, and logs the capacity they consumed.
func TestExpiryCosts(t *testing.T) {
	raw, p := proxied(t, 3)
	prof := &capacity{}
	b := raw.WithProfiler(prof)
	ctx := t.Context()
	must(t, b.SetEX(ctx, "v", "1", time.Hour))
	for _, k := range []string{"z", "z2", "z3", "both"} {
		must(t, b.ZAdd(ctx, k, "a", 1))
		must(t, b.ZAdd(ctx, k, "b", 2))
	}
	must(t, b.Set(ctx, "both", "x"))
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"SetEX", func() error { return b.SetEX(ctx, "k", "v", time.Hour) }, "1 PutItem"},
		{"SetNXEX", func() error { _, err := b.SetNXEX(ctx, "l", "v", time.Hour); return err }, "1 PutItem"},
		{"SetArgs KeepTTL", func() error {
			_, err := b.SetArgs(ctx, "k", "w", kvstore.SetArgs{KeepTTL: true})
			return err
		}, "1 GetItem, 1 PutItem"},
		{"SetArgs Get", func() error {
			_, err := b.SetArgs(ctx, "k", "u", kvstore.SetArgs{Get: true, TTL: time.Hour})
			return err
		}, "1 PutItem"},
		{"GetEx TTL", func() error { _, err := b.GetEx(ctx, "k", kvstore.GetExArgs{TTL: time.Hour}); return err }, "1 UpdateItem"},
		{"GetEx", func() error { _, err := b.GetEx(ctx, "k", kvstore.GetExArgs{}); return err }, "1 GetItem"},
		{"GetDel", func() error { _, err := b.GetDel(ctx, "l"); return err }, "1 DeleteItem"},
		{"TTL value", func() error { _, err := b.TTL(ctx, "v"); return err }, "1 GetItem"},
		{"Expire value", func() error { _, err := b.Expire(ctx, "v", time.Hour); return err }, "1 Query, 1 UpdateItem"},
		{"Persist value", func() error { _, err := b.Persist(ctx, "v"); return err }, "1 Query, 1 UpdateItem"},
		{"TTL absent", func() error { _, err := b.TTL(ctx, "absent"); return err }, "1 GetItem, 1 Query"},
		{"TTL sorted", func() error { _, err := b.TTL(ctx, "z"); return err }, "1 GetItem, 1 Query"},
		// The first Expire of sorted data writes its reclaim marker (PutItem); the next
		// ones find it armed.
		{"Expire sorted", func() error { _, err := b.Expire(ctx, "z", time.Hour); return err }, "1 PutItem, 1 Query, 2 UpdateItem"},
		{"Expire sorted again", func() error { _, err := b.Expire(ctx, "z", 2*time.Hour); return err }, "1 Query, 2 UpdateItem"},
		{"TTL sorted with meta", func() error { _, err := b.TTL(ctx, "z"); return err }, "1 GetItem, 1 Query"},
		{"Persist sorted", func() error { _, err := b.Persist(ctx, "z"); return err }, "1 Query, 2 UpdateItem"},
		{"Expire both", func() error { _, err := b.Expire(ctx, "both", time.Hour); return err }, "1 PutItem, 1 Query, 2 UpdateItem"},
		{"TTL both", func() error { _, err := b.TTL(ctx, "both"); return err }, "1 GetItem"},
		{"Persist both", func() error { _, err := b.Persist(ctx, "both"); return err }, "1 Query, 2 UpdateItem"},
		{"ZRangeByScore without meta", func() error { _, err := b.ZRangeByScore(ctx, "z2", 0, 10, 10); return err }, "1 GetItem, 1 Query"},
		{"ZRangeByScore with meta", func() error { _, err := b.ZRangeByScore(ctx, "z", 0, 10, 10); return err }, "1 GetItem, 1 Query"},
		{"ZCount with meta", func() error { _, err := b.ZCount(ctx, "z", 0, 10); return err }, "1 GetItem, 1 Query"},
		{"ZScore", func() error { _, err := b.ZScore(ctx, "z", "a"); return err }, "1 BatchGetItem"},
		{"ZRem without meta", func() error { return b.ZRem(ctx, "z2", "a") }, "1 DeleteItem, 1 GetItem"},
		{"ZRem, meta without x", func() error { return b.ZRem(ctx, "z", "a") }, "1 DeleteItem, 1 GetItem"},
		{"Expire z3", func() error { _, err := b.Expire(ctx, "z3", time.Hour); return err }, "1 PutItem, 1 Query, 2 UpdateItem"},
		{"ZRem, x, a member left", func() error { return b.ZRem(ctx, "z3", "a") }, "1 DeleteItem, 1 GetItem, 1 Query"},
		{"ZRem, x, the last member", func() error { return b.ZRem(ctx, "z3", "b") }, "1 DeleteItem, 1 GetItem, 1 Query, 1 UpdateItem"},
		{"batch ZRem without x", func() error {
			bt := b.Batch()
			bt.ZRem("z2", "b")
			return bt.Exec(ctx)
		}, "1 BatchWriteItem, 1 GetItem"},
		{"atomic ZRem without x", func() error {
			w := b.AtomicWrite()
			w.ZRem("z", "b")
			_, err := w.Exec(ctx)
			return err
		}, "1 GetItem, 1 TransactWriteItems"},
	}
	for _, c := range cases {
		p.reset()
		prof.take()
		if err := c.run(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r, w := prof.take()
		got := apiCounts(p)
		t.Logf("%-28s %-48s %.1f RCU, %.1f WCU", c.name, got, r, w)
		if got != c.want {
			t.Errorf("%s: %s; want %s", c.name, got, c.want)
		}
	}
	eqTTL(t, b, "z3", kvstore.KeyAbsent, kvstore.KeyAbsent)
}

// TestExpiryReport checks that reads record the expiry of what they read in the
// context's expiryreport.Report, and that without one they cost nothing more.
func TestExpiryReport(t *testing.T) {
	b, p := proxied(t, 3)
	ctx := t.Context()
	must(t, b.SetEX(ctx, "s", "v", time.Hour))
	must(t, b.Set(ctx, "plain", "v"))
	must(t, b.HSet(ctx, "h", "f", "1"))
	must(t, b.SAdd(ctx, "set", "m"))
	for _, k := range []string{"h", "set"} {
		if ok, err := b.Expire(ctx, k, time.Hour); !ok || err != nil {
			t.Fatalf("Expire(%q) = %v, %v", k, ok, err)
		}
	}
	must(t, b.ZAdd(ctx, "z", "a", 1))
	must(t, b.ZAdd(ctx, "zp", "a", 1))
	if ok, err := b.Expire(ctx, "z", time.Hour); !ok || err != nil {
		t.Fatalf("Expire(z) = %v, %v", ok, err)
	}
	lo, hi := time.Now().Add(59*time.Minute).UnixMilli(), time.Now().Add(time.Hour).UnixMilli()
	check := func(name string, key string, sorted, expires bool, read func(ctx context.Context) error) {
		t.Helper()
		r := &expiryreport.Report{}
		p.reset()
		if err := read(expiryreport.NewContext(ctx, r)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		with := p.total()
		exp, ok := r.Lookup(key, sorted)
		switch {
		case !ok:
			t.Errorf("%s recorded nothing for %q", name, key)
		case expires && (exp < lo || exp > hi):
			t.Errorf("%s recorded %d for %q, want in [%d, %d]", name, exp, key, lo, hi)
		case !expires && exp != 0:
			t.Errorf("%s recorded %d for %q, want 0", name, exp, key)
		}
		p.reset()
		if err := read(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.total() != with {
			t.Errorf("%s: %d requests with a report, %d without; want the same", name, with, p.total())
		}
	}
	get := func(k string) func(context.Context) error {
		return func(ctx context.Context) error { _, err := b.Get(ctx, k); return err }
	}
	check("Get", "s", false, true, get("s"))
	check("Get plain", "plain", false, false, get("plain"))
	check("Get absent", "absent", false, false, get("absent"))
	check("HGet", "h", false, true, func(ctx context.Context) error { _, err := b.HGet(ctx, "h", "f"); return err })
	check("HGet absent field", "h", false, true, func(ctx context.Context) error { _, err := b.HGet(ctx, "h", "g"); return err })
	check("HGetAll", "h", false, true, func(ctx context.Context) error { _, err := b.HGetAll(ctx, "h"); return err })
	check("SMembers", "set", false, true, func(ctx context.Context) error { _, err := b.SMembers(ctx, "set"); return err })
	check("ZScore", "z", true, true, func(ctx context.Context) error { _, err := b.ZScore(ctx, "z", "a"); return err })
	check("ZScore absent member", "z", true, true, func(ctx context.Context) error { _, err := b.ZScore(ctx, "z", "q"); return err })
	check("ZScore without expiry", "zp", true, false, func(ctx context.Context) error { _, err := b.ZScore(ctx, "zp", "a"); return err })
	check("ZRangeByScore", "z", true, true, func(ctx context.Context) error { _, err := b.ZRangeByScore(ctx, "z", 0, 5, 0); return err })
	check("ZRevRangeByScoreWithScores", "z", true, true, func(ctx context.Context) error {
		_, err := b.ZRevRangeByScoreWithScores(ctx, "z", 0, 5, 1)
		return err
	})
	check("ZRangeByLex", "z", true, true, func(ctx context.Context) error { _, err := b.ZRangeByLex(ctx, "z", "-", "+", 0); return err })
	check("ZHRangeByScore", "zp", true, false, func(ctx context.Context) error { _, err := b.ZHRangeByScore(ctx, "zp", 0, 5, 0); return err })
	check("ZCount", "z", true, true, func(ctx context.Context) error { _, err := b.ZCount(ctx, "z", 0, 5); return err })
	check("ZLexCount", "z", true, true, func(ctx context.Context) error { _, err := b.ZLexCount(ctx, "z", "-", "+"); return err })
	check("ZRangeByScore absent", "none", true, false, func(ctx context.Context) error { _, err := b.ZRangeByScore(ctx, "none", 0, 5, 0); return err })
	check("batch Get", "s", false, true, func(ctx context.Context) error {
		bt := b.Batch()
		bt.Get("s")
		bt.SMembers("set")
		return bt.Exec(ctx)
	})

	// A batch ZScore of a member that is absent reads the meta item only with a report.
	r := &expiryreport.Report{}
	p.reset()
	bt := b.Batch()
	bt.ZScore("z", "q")
	bt.HGetAll("h")
	must(t, bt.Exec(expiryreport.NewContext(ctx, r)))
	if exp, ok := r.Lookup("z", true); !ok || exp < lo || exp > hi {
		t.Errorf("batch ZScore of an absent member recorded %d, %v; want the sorted data's expiry", exp, ok)
	}
	if exp, ok := r.Lookup("h", false); !ok || exp < lo || exp > hi {
		t.Errorf("batch HGetAll recorded %d, %v; want the hash's expiry", exp, ok)
	}
	if p.count("BatchGetItem") != 2 {
		t.Errorf("batch with a report: %d BatchGetItem, want 2 (the items, then the meta item)", p.count("BatchGetItem"))
	}
	p.reset()
	bt = b.Batch()
	bt.ZScore("z", "q")
	must(t, bt.Exec(ctx))
	if p.total() != 1 {
		t.Errorf("batch ZScore of an absent member without a report: %d requests, want 1", p.total())
	}
}

// TestSortedStateSkipsOtherItems checks that Expire, TTL and ZRem's end of an
// incarnation, which read the meta item and the members with one Query from rk "y",
// skip the items that are neither: reclamation markers (rk "x" and 8 bytes, before
// "y") and anything between "y" and the members.
func TestSortedStateSkipsOtherItems(t *testing.T) {
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	put := func(key string, rk []byte) {
		t.Helper()
		_, err := client.PutItem(ctx, &awsdynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"hk": &types.AttributeValueMemberB{Value: []byte(key)}, "rk": &types.AttributeValueMemberB{Value: rk},
			"wt": &types.AttributeValueMemberN{Value: "1"},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"z", "other"} {
		put(k, []byte("x\x00\x00\x00\x00\x00\x00\x00\x01"))
		put(k, []byte("y\x00"))
		put(k, []byte("yy"))
	}
	eqTTL(t, b, "other", kvstore.KeyAbsent, kvstore.KeyAbsent)
	if ok, err := b.Expire(ctx, "other", time.Hour); ok || err != nil {
		t.Errorf("Expire of a key with foreign items only = %v, %v; want false", ok, err)
	}
	must(t, b.ZAdd(ctx, "z", "a", 1))
	if ok, err := b.Expire(ctx, "z", time.Hour); !ok || err != nil {
		t.Fatalf("Expire = %v, %v; want true", ok, err)
	}
	eqTTL(t, b, "z", 59*time.Minute, time.Hour)
	must(t, b.ZRem(ctx, "z", "a"))
	eqTTL(t, b, "z", kvstore.KeyAbsent, kvstore.KeyAbsent)
	must(t, b.ZAdd(ctx, "z", "b", 2))
	eqTTL(t, b, "z", kvstore.NoExpiry, kvstore.NoExpiry)
	if m, err := b.ZRangeByLex(ctx, "z", "-", "+", 0); err != nil || !slices.Equal(m, []string{"b"}) {
		t.Errorf("ZRangeByLex = %v, %v; want [b]", m, err)
	}
}
