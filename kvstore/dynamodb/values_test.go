package dynamodb_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

func bin(s string) types.AttributeValue { return &types.AttributeValueMemberB{Value: []byte(s)} }

// putRaw writes an item as another tool (or an older kvstore) might have.
func putRaw(t *testing.T, client *awsdynamodb.Client, table string, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := client.PutItem(t.Context(), &awsdynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

// getRaw reads an item of the table.
func getRaw(t *testing.T, client *awsdynamodb.Client, table, hk, rk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := client.GetItem(t.Context(), &awsdynamodb.GetItemInput{TableName: aws.String(table),
		Key: map[string]types.AttributeValue{"hk": bin(hk), "rk": bin(rk)}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func TestCountersAreNumbers(t *testing.T) {
	b, p := proxied(t, 3)
	ctx := t.Context()
	must(t, b.Set(ctx, "n", "41"))
	p.reset()
	if n, err := b.NIncrBy(ctx, "n", 1); n != 42 || err != nil {
		t.Fatalf("NIncrBy after Set(\"41\") = %d, %v", n, err)
	}
	if p.total() != 1 {
		t.Errorf("NIncrBy of a counter written by Set took %d requests, want 1", p.total())
	}
	eqString(t, b, "n", "42")
	if ok, err := b.SetEQ(ctx, "n", "x", "42"); !ok || err != nil {
		t.Errorf("SetEQ of a counter = %v, %v; want true", ok, err)
	}

	must(t, b.Set(ctx, "max", strconv.FormatInt(math.MaxInt64, 10)))
	if _, err := b.NIncrBy(ctx, "max", 1); !errors.Is(err, kvstore.ErrNotInteger) {
		t.Errorf("NIncrBy past MaxInt64 = %v, want ErrNotInteger", err)
	}
	must(t, b.Set(ctx, "min", strconv.FormatInt(math.MinInt64, 10)))
	if _, err := b.NIncrBy(ctx, "min", -1); !errors.Is(err, kvstore.ErrNotInteger) {
		t.Errorf("NIncrBy past MinInt64 = %v, want ErrNotInteger", err)
	}
	eqString(t, b, "min", strconv.FormatInt(math.MinInt64, 10))
	for _, s := range []string{"007", "+1", " 1", "-0", "1.0", ""} {
		must(t, b.Set(ctx, "s", s))
		if _, err := b.NIncrBy(ctx, "s", 1); !errors.Is(err, kvstore.ErrNotInteger) {
			t.Errorf("NIncrBy of %q = %v, want ErrNotInteger", s, err)
		}
		eqString(t, b, "s", s)
	}
}

func TestCounterStoredAsString(t *testing.T) {
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	// A counter kept in v, as a string: NIncrBy's ADD fails, and it falls back to a
	// conditional rewrite into the Number attribute.
	putRaw(t, client, table, map[string]types.AttributeValue{"hk": bin("n"), "rk": bin("_"), "t": bin("str"), "v": bin("10")})
	if n, err := b.NIncrBy(ctx, "n", 5); n != 15 || err != nil {
		t.Fatalf("NIncrBy of a string counter = %d, %v; want 15", n, err)
	}
	item := getRaw(t, client, table, "n", "_")
	if num, ok := item["n"].(*types.AttributeValueMemberN); !ok || num.Value != "15" || item["v"] != nil {
		t.Errorf("item after NIncrBy = %v; want n = 15 and no v", item)
	}
	putRaw(t, client, table, map[string]types.AttributeValue{"hk": bin("m"), "rk": bin("_"), "t": bin("str"), "v": bin("7")})
	w := b.AtomicWrite()
	w.NIncrBy("m", 3)
	w.Set("other", "x")
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Fatalf("atomic NIncrBy of a string counter = %v, %v", ok, err)
	}
	eqString(t, b, "m", "10")
}

func TestShellsReadAsAbsent(t *testing.T) {
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	// What a crash between SRem's (or HDel's) two requests leaves behind: an emptied
	// set or hash whose item was not deleted.
	shells := func() {
		putRaw(t, client, table, map[string]types.AttributeValue{"hk": bin("s"), "rk": bin("_"), "t": bin("set"), "ver": bin("12345678")})
		putRaw(t, client, table, map[string]types.AttributeValue{"hk": bin("h"), "rk": bin("_"), "t": bin("hash"), "ver": bin("12345678")})
	}
	shells()
	for _, k := range []string{"s", "h"} {
		eqString(t, b, k, nil)
		if m, err := b.SMembers(ctx, k); err != nil || len(m) != 0 {
			t.Errorf("SMembers(%s shell) = %v, %v", k, m, err)
		}
		if m, err := b.HGetAll(ctx, k); err != nil || len(m) != 0 {
			t.Errorf("HGetAll(%s shell) = %v, %v", k, m, err)
		}
		if n, err := b.NIncrBy(ctx, k, 0); n != 0 || err != nil {
			t.Errorf("NIncrBy(%s shell, 0) = %d, %v", k, n, err)
		}
	}
	if ok, err := b.Delete(ctx, "s"); ok || err != nil {
		t.Errorf("Delete(set shell) = %v, %v; want false", ok, err)
	}
	shells()
	if ok, err := b.SetXX(ctx, "s", "x"); ok || err != nil {
		t.Errorf("SetXX(set shell) = %v, %v; want false", ok, err)
	}
	for _, k := range []string{"s", "h"} {
		if ok, err := b.SetNX(ctx, k, "x"); !ok || err != nil {
			t.Errorf("SetNX(%s shell) = %v, %v; want true", k, ok, err)
		}
	}
	shells()
	must(t, b.HSet(ctx, "s", "f", "v")) // a hash over a set shell
	must(t, b.SAdd(ctx, "h", "m"))      // a set over a hash shell
	if n, err := b.NIncrBy(ctx, "h", 0); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("NIncrBy of a set = %d, %v; want ErrWrongType", n, err)
	}
	shells()
	if n, err := b.NIncrBy(ctx, "s", 2); n != 2 || err != nil {
		t.Errorf("NIncrBy(set shell, 2) = %d, %v", n, err)
	}
	w := b.AtomicWrite()
	w.SetNX("h", "x")
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Errorf("atomic SetNX over a hash shell = %v, %v; want true", ok, err)
	}
	eqString(t, b, "h", "x")
}

func TestEmptiedSetsAndHashesLeaveNoItem(t *testing.T) {
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	must(t, b.SAdd(ctx, "s", "a", "b"))
	must(t, b.SRem(ctx, "s", "a", "b"))
	must(t, b.HSet(ctx, "h", "f", "v"))
	must(t, b.HDel(ctx, "h", "f"))
	for _, k := range []string{"s", "h"} {
		if item := getRaw(t, client, table, k, "_"); item != nil {
			t.Errorf("item of %s after removing its last member: %v", k, item)
		}
	}
}

func TestHashWithManyFields(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	// 1,000 fields need more than one update expression's 4 KB: HSet and HDel fall
	// back to a conditional read-modify-write.
	var kvs []kvstore.KeyValue
	want := map[string]string{"first": "1"}
	for i := range 1000 {
		f := "field-" + strconv.Itoa(i)
		kvs = append(kvs, kvstore.KeyValue{Key: f, Value: f + "-value"})
		want[f] = f + "-value"
	}
	must(t, b.HSet(ctx, "h", "first", "1", kvs...))
	got, err := b.HGetAll(ctx, "h")
	if err != nil || len(got) != len(want) {
		t.Fatalf("HGetAll = %d fields, %v; want %d", len(got), err, len(want))
	}
	for f, v := range want {
		if got[f] != v {
			t.Fatalf("field %q = %q, want %q", f, got[f], v)
		}
	}
	var names []string
	for _, kv := range kvs {
		names = append(names, kv.Key)
	}
	must(t, b.HDel(ctx, "h", "first", names...))
	if got, err := b.HGetAll(ctx, "h"); err != nil || len(got) != 0 {
		t.Errorf("HGetAll after HDel of every field = %d fields, %v", len(got), err)
	}
	// Fields that are not UTF-8 are stored base64-encoded.
	must(t, b.HSet(ctx, "bin", "\xff\x00", "a", kvstore.KeyValue{Key: "", Value: "empty field"}))
	if v, err := b.HGet(ctx, "bin", "\xff\x00"); err != nil || v == nil || *v != "a" {
		t.Errorf("HGet of a binary field = %v, %v", deref(v), err)
	}
	if v, err := b.HGet(ctx, "bin", ""); err != nil || v == nil || *v != "empty field" {
		t.Errorf("HGet of the empty field = %v, %v", deref(v), err)
	}
}

func TestLargeSortedHashMembers(t *testing.T) {
	b, p := proxied(t, 3)
	ctx := t.Context()
	small := strings.Repeat("s", 1024)
	large := strings.Repeat("L", 5000)
	must(t, b.ZHAdd(ctx, "z", "a", small, 1))
	must(t, b.ZHAdd(ctx, "z", "b", large, 2))
	must(t, b.ZAdd(ctx, "z", "c", 3))
	p.reset()
	got, err := b.ZHRangeByScore(ctx, "z", 0, 10, 0)
	if err != nil || len(got) != 3 || got[0] != small || got[1] != large || got[2] != "c" {
		t.Fatalf("ZHRangeByScore = %d members, %v", len(got), err)
	}
	if p.count("Query") != 1 || p.count("BatchGetItem") != 1 {
		t.Errorf("range of a large member: %d Query, %d BatchGetItem; want 1 and 1 (the large member is outside the index)",
			p.count("Query"), p.count("BatchGetItem"))
	}
	p.reset()
	if got, err := b.ZRangeByScore(ctx, "z", 3, 3, 0); err != nil || len(got) != 1 || p.count("BatchGetItem") != 0 {
		t.Errorf("range of small members only: %v, %v, %d BatchGetItem", got, err, p.count("BatchGetItem"))
	}
	if got, err := b.ZHRevRangeByLex(ctx, "z", "-", "+", 2); err != nil || len(got) != 2 || got[0] != "c" || got[1] != large {
		t.Errorf("ZHRevRangeByLex = %d members, %v", len(got), err)
	}
	if s, err := b.ZIncrBy(ctx, "z", "b", 10); s != 12 || err != nil {
		t.Errorf("ZIncrBy of a large member = %v, %v", s, err)
	}
	if got, err := b.ZHRevRangeByScore(ctx, "z", 0, 100, 1); err != nil || len(got) != 1 || got[0] != large {
		t.Errorf("ZIncrBy lost the large member: %d members, %v", len(got), err)
	}
}

// profiler records what the backend reports.
type profiler struct {
	mu    sync.Mutex
	calls []string
	read  float64
	write float64
}

func (p *profiler) ProfileDynamoDBRequest(op string, d time.Duration, r, w float64, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, op)
	p.read += r
	p.write += w
}

func TestProfilerAndConsistency(t *testing.T) {
	b, px := proxied(t, 3)
	ctx := t.Context()
	prof := &profiler{}
	v := b.WithProfiler(prof)
	must(t, v.Set(ctx, "k", "v"))
	if _, err := v.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	must(t, v.ZAdd(ctx, "z", "m", 1))
	if _, err := v.ZRangeByScore(ctx, "z", 0, 1, 0); err != nil {
		t.Fatal(err)
	}
	// The range reads the meta item (GetItem) concurrently with its Query.
	if c := strings.Join(prof.calls, ","); c != "PutItem,GetItem,PutItem,Query,GetItem" && c != "PutItem,GetItem,PutItem,GetItem,Query" {
		t.Errorf("profiled requests = %v", prof.calls)
	}
	if prof.read <= 0 || prof.write <= 0 {
		t.Errorf("consumed capacity = %v read, %v write; want both positive", prof.read, prof.write)
	}
	for _, body := range px.requests("GetItem") {
		if !strings.Contains(body, `"ReturnConsumedCapacity":"TOTAL"`) || !strings.Contains(body, `"ConsistentRead":true`) {
			t.Errorf("profiled GetItem request: %s", body)
		}
	}
	if b.WithProfiler("not a profiler") != kvstore.Backend(b) {
		t.Error("WithProfiler of an unknown profiler type did not return the backend itself")
	}
	px.reset()
	ev := b.WithEventuallyConsistentReads()
	if _, err := ev.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.ZRangeByScore(ctx, "z", 0, 1, 0); err != nil {
		t.Fatal(err)
	}
	for _, api := range []string{"GetItem", "Query"} {
		for _, body := range px.requests(api) {
			if !strings.Contains(body, `"ConsistentRead":false`) || strings.Contains(body, "ReturnConsumedCapacity\":\"TOTAL") {
				t.Errorf("eventually consistent, unprofiled %s: %s", api, body)
			}
		}
	}
	if ev.Unwrap() != nil {
		t.Error("Unwrap of a view is not nil")
	}
}
