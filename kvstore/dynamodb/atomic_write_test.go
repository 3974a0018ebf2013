package dynamodb_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

func TestAtomicWriteReportsEveryFailedCondition(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.Set(ctx, "taken", "x"))
	must(t, b.Set(ctx, "eq", "old"))
	must(t, b.ZAdd(ctx, "z", "m", 1))
	must(t, b.HSet(ctx, "h", "f", "v"))
	w := b.AtomicWrite()
	nx := w.SetNX("taken", "y")
	xx := w.SetXX("absent", "y")
	eq := w.SetEQ("eq", "new", "other")
	plain := w.Set("free", "z")
	znx := w.ZAddNX("z", "m", 2)
	hnx := w.HSetNX("h", "f", "w")
	dxx := w.DeleteXX("absent2")
	okEq := w.SetEQ("eq2", "v", "nothing") // absent: fails too
	ok, err := w.Exec(ctx)
	if ok || err != nil {
		t.Fatalf("Exec = %v, %v; want false, nil", ok, err)
	}
	for name, r := range map[string]kvstore.AtomicWriteResult{"SetNX": nx, "SetXX": xx, "SetEQ": eq,
		"ZAddNX": znx, "HSetNX": hnx, "DeleteXX": dxx, "SetEQ of an absent key": okEq} {
		if !r.ConditionalFailed() {
			t.Errorf("%s: ConditionalFailed() = false, want true", name)
		}
	}
	if plain.ConditionalFailed() {
		t.Error("Set reports ConditionalFailed")
	}
	eqString(t, b, "free", nil)
	eqString(t, b, "eq", "old")
}

func TestAtomicWriteWrongTypeAndNotInteger(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.Set(ctx, "s", "text"))
	must(t, b.SAdd(ctx, "set", "m"))
	must(t, b.Set(ctx, "taken", "x"))
	for name, build := range map[string]func(w kvstore.AtomicWriteOperation){
		"SAdd on a string":    func(w kvstore.AtomicWriteOperation) { w.SAdd("s", "m") },
		"HSet on a set":       func(w kvstore.AtomicWriteOperation) { w.HSet("set", "f", "v") },
		"HSetNX on a string":  func(w kvstore.AtomicWriteOperation) { w.HSetNX("s", "f", "v") },
		"SRem on a string":    func(w kvstore.AtomicWriteOperation) { w.SRem("s", "m") },
		"HDel on a set":       func(w kvstore.AtomicWriteOperation) { w.HDel("set", "f") },
		"NIncrBy on a set":    func(w kvstore.AtomicWriteOperation) { w.NIncrBy("set", 1) },
		"NIncrBy on a string": func(w kvstore.AtomicWriteOperation) { w.NIncrBy("s", 1) },
	} {
		w := b.AtomicWrite()
		w.Set("other", "must not be written")
		failing := w.SetNX("taken", "condition fails too")
		build(w)
		ok, err := w.Exec(ctx)
		want := kvstore.ErrWrongType
		if name == "NIncrBy on a string" {
			want = kvstore.ErrNotInteger
		}
		if ok || !errors.Is(err, want) {
			t.Errorf("%s: Exec = %v, %v; want an error matching %v", name, ok, err, want)
		}
		if failing.ConditionalFailed() {
			t.Errorf("%s: an operation reports ConditionalFailed although Exec returned an error", name)
		}
	}
	eqString(t, b, "other", nil)
}

func TestAtomicWriteEmptiesSetsAndHashes(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	must(t, b.SAdd(ctx, "s", "a", "b"))
	must(t, b.HSet(ctx, "h", "f", "v", kvstore.KeyValue{Key: "g", Value: "w"}))
	must(t, b.SAdd(ctx, "keep", "a", "b"))
	w := b.AtomicWrite()
	w.SRem("s", "a", "b")
	w.HDel("h", "f", "g")
	w.SRem("keep", "a")
	w.SRem("absent", "a")
	w.HDel("absent2", "f")
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Fatalf("Exec = %v, %v", ok, err)
	}
	// The emptied set and hash are gone: SetNX sees an absent key.
	for _, k := range []string{"s", "h"} {
		if ok, err := b.SetNX(ctx, k, "x"); !ok || err != nil {
			t.Errorf("SetNX(%q) after emptying it = %v, %v; want true", k, ok, err)
		}
	}
	if m, err := b.SMembers(ctx, "keep"); err != nil || len(m) != 1 || m[0] != "b" {
		t.Errorf("SMembers(keep) = %v, %v; want [b]", m, err)
	}
	for _, k := range []string{"absent", "absent2"} {
		eqString(t, b, k, nil)
	}
}

func TestAtomicWriteConflict(t *testing.T) {
	b, p := proxied(t, 3, fastRetries)
	// DynamoDB Local serializes transactions; the proxy answers as DynamoDB does when
	// another transaction holds an item.
	p.set(func(api string, n int, body []byte) ([]byte, int, []byte, bool) {
		if api != "TransactWriteItems" {
			return nil, 0, nil, false
		}
		reply, _ := json.Marshal(map[string]any{
			"__type":  "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
			"Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
			"CancellationReasons": []map[string]any{
				{"Code": "None"},
				{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
			},
		})
		return nil, 400, reply, true
	}, nil)
	w := b.AtomicWrite()
	w.Set("a", "1")
	w.SetNX("b", "2")
	ok, err := w.Exec(t.Context())
	if ok || !kvstore.IsAtomicWriteConflict(err) {
		t.Fatalf("Exec = %v, %v; want an atomic write conflict", ok, err)
	}
}

func TestAtomicWriteIsIdempotentAcrossSDKRetries(t *testing.T) {
	b, p := proxied(t, 3, fastRetries)
	// The first attempt reaches DynamoDB and commits, but its answer is lost (a 500):
	// the SDK retries with the same client request token, and the increment is applied
	// once.
	p.setLost(func(api string, n int) bool { return api == "TransactWriteItems" && n == 1 })
	w := b.AtomicWrite()
	w.NIncrBy("n", 5)
	w.SAdd("s", "m")
	if ok, err := w.Exec(t.Context()); !ok || err != nil {
		t.Fatalf("Exec = %v, %v", ok, err)
	}
	if got := p.count("TransactWriteItems"); got != 2 {
		t.Errorf("TransactWriteItems requests = %d, want 2 (the lost one and the SDK's retry)", got)
	}
	reqs := p.requests("TransactWriteItems")
	if len(reqs) == 2 && string(extract(t, []byte(reqs[0]), "ClientRequestToken")) != string(extract(t, []byte(reqs[1]), "ClientRequestToken")) {
		t.Error("the SDK's retry carried another client request token")
	}
	if n, err := b.NIncrBy(t.Context(), "n", 0); n != 5 || err != nil {
		t.Errorf("counter = %d, %v; want 5 (applied once)", n, err)
	}
}

func TestWriteRetriesConflictWithTransaction(t *testing.T) {
	b, p := proxied(t, 3, fastRetries)
	// A single-item write to an item a transaction holds is refused with
	// TransactionConflictException: it is retried, not returned.
	p.set(func(api string, n int, body []byte) ([]byte, int, []byte, bool) {
		if api == "PutItem" && n <= 2 {
			return nil, 400, apiError("TransactionConflictException"), true
		}
		return nil, 0, nil, false
	}, nil)
	must(t, b.Set(t.Context(), "k", "v"))
	if p.count("PutItem") != 3 {
		t.Errorf("PutItem requests = %d, want 3", p.count("PutItem"))
	}
	eqString(t, b, "k", "v")
}
