package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/internal/faultproxy"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// fastRetries keeps the backoff of fault-injection tests short.
var fastRetries = dynamodb.WithBackoff(time.Millisecond, 20*time.Millisecond)

// fill writes n keys with one batch and checks it succeeded.
func fill(t *testing.T, b kvstore.Backend, prefix string, n int) {
	t.Helper()
	bt := b.Batch()
	for i := range n {
		bt.Set(prefix+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	if err := bt.Exec(t.Context()); err != nil {
		t.Fatalf("batch set: %v", err)
	}
}

// checkAll reads n keys back with one batch and checks every value.
func checkAll(t *testing.T, b kvstore.Backend, prefix string, n int) {
	t.Helper()
	bt := b.Batch()
	results := make([]kvstore.GetResult, n)
	for i := range n {
		results[i] = bt.Get(prefix + strconv.Itoa(i))
	}
	if err := bt.Exec(t.Context()); err != nil {
		t.Fatalf("batch get: %v", err)
	}
	for i, r := range results {
		v, err := r.Result()
		if err != nil || v == nil || *v != "v"+strconv.Itoa(i) {
			t.Fatalf("key %d: got %v, %v; want v%d", i, deref(v), err, i)
		}
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func TestBatchRetriesUnprocessed(t *testing.T) {
	b, p := proxied(t, 3, fastRetries)
	// Every batch request carries only half of its keys or items to DynamoDB Local,
	// and the response reports the other half as unprocessed.
	var halved atomic.Int64
	p.set(func(api string, n int, body []byte) ([]byte, int, []byte, bool) {
		if api != "BatchGetItem" && api != "BatchWriteItem" {
			return nil, 0, nil, false
		}
		forward, rest, err := faultproxy.HalveBatch(api, body)
		if err != nil {
			t.Errorf("halve %s: %v", api, err)
			return nil, 0, nil, false
		}
		if len(rest) > 0 {
			halved.Add(1)
		}
		return forward, 0, nil, false
	}, func(api string, n int, req, resp []byte) []byte {
		if api != "BatchGetItem" && api != "BatchWriteItem" {
			return resp
		}
		_, rest, _ := faultproxy.HalveBatch(api, req)
		return faultproxy.WithUnprocessed(api, resp, rest)
	})
	fill(t, b, "k", 300)
	checkAll(t, b, "k", 300)
	if halved.Load() == 0 {
		t.Fatal("the proxy never left anything unprocessed")
	}
	// 300 items in 12 chunks of 25, each sending what the last left unprocessed: 25,
	// 12, 6, 3 and 1 items, 5 requests per chunk.
	if got, want := p.count("BatchWriteItem"), 12*5; got != want {
		t.Errorf("BatchWriteItem requests = %d, want %d", got, want)
	}
}

func TestBatchRetriesThrottling(t *testing.T) {
	for _, code := range []string{"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"} {
		t.Run(code, func(t *testing.T) {
			// The SDK makes one attempt per request: the backend's own retries do the work.
			b, p := proxied(t, 1, fastRetries)
			p.set(func(api string, n int, body []byte) ([]byte, int, []byte, bool) {
				if n%2 == 1 { // every other request of each API is refused
					return nil, 400, apiError(code), true
				}
				return nil, 0, nil, false
			}, nil)
			fill(t, b, "k", 120)
			checkAll(t, b, "k", 120)
			if err := b.Set(t.Context(), "single", "x"); err != nil {
				t.Fatalf("Set through throttling: %v", err)
			}
			if v, err := b.Get(t.Context(), "single"); err != nil || v == nil || *v != "x" {
				t.Fatalf("Get through throttling = %v, %v", deref(v), err)
			}
			if ok, err := b.AtomicWrite().Exec(t.Context()); !ok || err != nil {
				t.Fatalf("empty atomic write = %v, %v", ok, err)
			}
			if p.count("BatchWriteItem") < 10 || p.count("GetItem") != 2 {
				t.Errorf("requests: %d BatchWriteItem, %d GetItem; want 2 per write chunk and 2 GetItem",
					p.count("BatchWriteItem"), p.count("GetItem"))
			}
		})
	}
}

func TestThrottlingStopsWithContext(t *testing.T) {
	b, p := proxied(t, 1, fastRetries)
	p.set(func(api string, n int, body []byte) ([]byte, int, []byte, bool) {
		return nil, 400, apiError("ThrottlingException"), true
	}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := b.Get(ctx, "k")
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get under endless throttling = %v, want an error matching context.DeadlineExceeded", err)
	}
	if p.count("GetItem") < 2 {
		t.Errorf("GetItem requests = %d, want several retries", p.count("GetItem"))
	}
}

func TestBatchNeverDropsUnreadKeys(t *testing.T) {
	b, p := proxied(t, 3, fastRetries)
	fill(t, b, "k", 10)
	// From now on DynamoDB "processes" nothing: every key comes back unprocessed.
	p.set(nil, func(api string, n int, req, resp []byte) []byte {
		if api != "BatchGetItem" {
			return resp
		}
		return []byte(`{"Responses":{},"UnprocessedKeys":` + string(extract(t, req, "RequestItems")) + `}`)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	bt := b.Batch()
	var results []kvstore.GetResult
	for i := range 10 {
		results = append(results, bt.Get("k"+strconv.Itoa(i)))
	}
	if err := bt.Exec(ctx); err == nil {
		t.Fatal("Exec succeeded although no key could be read")
	}
	for i, r := range results {
		if v, err := r.Result(); err == nil {
			t.Errorf("key %d: %v, nil error; want an error, not a silent absence", i, deref(v))
		}
	}
}

func TestBatchMergesWritesToOneItem(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.SAdd(ctx, "s", "x"))
	must(t, b.ZAdd(ctx, "z", "m", 1))
	bt := b.Batch()
	bt.Set("a", "1")
	bt.Delete("a")
	bt.Set("a", "3") // last wins: "3"
	bt.Set("b", "1")
	bt.Delete("b") // last wins: absent
	bt.Set("s", "str")
	bt.SAdd("s", "y") // a set on a string: ErrWrongType, queued after the Set
	bt.ZAdd("z", "m", 2)
	bt.ZAdd("z", "m", 5)
	bt.ZRem("z", "n")
	sadd := bt.SAdd("t", "p")
	srem := bt.SRem("t", "p")
	if err := bt.Exec(ctx); err == nil {
		t.Fatal("Exec = nil, want the SAdd's ErrWrongType")
	}
	if err := sadd.Result(); err != nil {
		t.Errorf("SAdd: %v", err)
	}
	if err := srem.Result(); err != nil {
		t.Errorf("SRem: %v", err)
	}
	eqString(t, b, "a", "3")
	eqString(t, b, "b", nil)
	eqString(t, b, "s", "str")
	if s, err := b.ZScore(ctx, "z", "m"); err != nil || s == nil || *s != 5 {
		t.Errorf("ZScore = %v, %v; want 5", s, err)
	}
	if m, err := b.SMembers(ctx, "t"); err != nil || len(m) != 0 {
		t.Errorf("SMembers(t) = %v, %v; want empty", m, err)
	}
	must(t, b.SAdd(ctx, "t2", "x"))
	must(t, b.HSet(ctx, "h2", "f", "v"))
	bt = b.Batch()
	getSet, getHash, membersOfString := bt.Get("t2"), bt.Get("h2"), bt.SMembers("a")
	_ = bt.Exec(ctx)
	if _, err := getSet.Result(); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("batch Get of a set: %v, want ErrWrongType", err)
	}
	if _, err := getHash.Result(); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("batch Get of a hash: %v, want ErrWrongType", err)
	}
	if _, err := membersOfString.Result(); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("batch SMembers of a string: %v, want ErrWrongType", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eqString checks the string at key; want is a string or nil.
func eqString(t testing.TB, b kvstore.Backend, key string, want any) {
	t.Helper()
	got, err := b.Get(context.Background(), key)
	if err != nil {
		t.Errorf("Get(%q): %v", key, err)
		return
	}
	if fmt.Sprint(deref(got)) != fmt.Sprint(want) || (got == nil) != (want == nil) {
		t.Errorf("Get(%q) = %v, want %v", key, deref(got), want)
	}
}

func TestRequestCounts(t *testing.T) {
	b, p := proxied(t, 3)
	ctx := t.Context()
	cases := []struct {
		name string
		run  func() error
		api  string
		want int
	}{
		{"Set", func() error { return b.Set(ctx, "k", "v") }, "PutItem", 1},
		{"Get", func() error { _, err := b.Get(ctx, "k"); return err }, "GetItem", 1},
		{"NIncrBy", func() error { _, err := b.NIncrBy(ctx, "n", 2); return err }, "UpdateItem", 1},
		{"AtomicWrite of 25", func() error {
			w := b.AtomicWrite()
			for i := range 25 {
				w.Set("a"+strconv.Itoa(i), "v")
			}
			_, err := w.Exec(ctx)
			return err
		}, "TransactWriteItems", 1},
		{"batch write of 1,000", func() error {
			bt := b.Batch()
			for i := range 1000 {
				bt.Set("b"+strconv.Itoa(i), "v"+strconv.Itoa(i))
			}
			return bt.Exec(ctx)
		}, "BatchWriteItem", 40},
		{"batch get of 1,000", func() error {
			bt := b.Batch()
			for i := range 1000 {
				bt.Get("b" + strconv.Itoa(i))
			}
			return bt.Exec(ctx)
		}, "BatchGetItem", 10},
		{"SAdd on a string (type check in the request)", func() error {
			if err := b.SAdd(ctx, "k", "m"); !errors.Is(err, kvstore.ErrWrongType) {
				return fmt.Errorf("SAdd on a string = %v, want ErrWrongType", err)
			}
			return nil
		}, "UpdateItem", 1},
	}
	for _, c := range cases {
		p.reset()
		if err := c.run(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := p.count(c.api); got != c.want || p.total() != c.want {
			t.Errorf("%s: %d %s requests (%d in all), want %d", c.name, got, c.api, p.total(), c.want)
		} else {
			t.Logf("%s: %d %s request(s)", c.name, got, c.api)
		}
	}
}
