package bus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/kvlambda/kvlambda/events/bus"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

var at = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func newHandler(t *testing.T) (*bus.Handler, kvstore.Backend, *bytes.Buffer) {
	t.Helper()
	b := memory.NewBackend()
	var logs bytes.Buffer
	h, err := bus.New(bus.Config{Backend: b, Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	return h, b, &logs
}

func event(id, detail string) lambdaevents.EventBridgeEvent {
	return lambdaevents.EventBridgeEvent{Version: "0", ID: id, DetailType: bus.DetailType, Source: "app", Detail: json.RawMessage(detail)}
}

func get(t *testing.T, b kvstore.Backend, key string) *string {
	t.Helper()
	v, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	return v
}

func wantValue(t *testing.T, b kvstore.Backend, key, want string) {
	t.Helper()
	if v := get(t, b, key); v == nil || *v != want {
		t.Errorf("%s = %v, want %q", key, v, want)
	}
}

func wantAbsent(t *testing.T, b kvstore.Backend, key string) {
	t.Helper()
	if v := get(t, b, key); v != nil {
		t.Errorf("%s = %q, want absent", key, *v)
	}
}

func marker(t *testing.T, b kvstore.Backend, id string) bus.Marker {
	t.Helper()
	v := get(t, b, bus.MarkerKey(id))
	if v == nil {
		t.Fatalf("no marker for %s", id)
	}
	m, err := bus.ParseMarker(*v)
	if err != nil {
		t.Fatalf("marker %q: %v", *v, err)
	}
	return m
}

func TestAppliedOnceWhenRedelivered(t *testing.T) {
	h, b, logs := newHandler(t)
	ctx := context.Background()
	ev := event("ev-1", `{"commands": [["SET","greeting","hello"], ["incr","visits"], ["INCRBY","visits2",5], ["MSET","a","1","b","2"]]}`)
	for i, want := range []bus.Outcome{bus.Applied, bus.Duplicate, bus.Duplicate} {
		res, err := h.Apply(ctx, ev)
		if err != nil {
			t.Fatalf("delivery %d: %v", i+1, err)
		}
		if res.Outcome != want {
			t.Fatalf("delivery %d: outcome %v, want %v", i+1, res.Outcome, want)
		}
		if err := h.Handle(ctx, ev); err != nil {
			t.Fatalf("Handle, delivery %d: %v", i+1, err)
		}
	}
	wantValue(t, b, "greeting", "hello")
	wantValue(t, b, "visits", "1")
	wantValue(t, b, "visits2", "5")
	wantValue(t, b, "a", "1")
	wantValue(t, b, "b", "2")
	if m := marker(t, b, "ev-1"); m.Outcome != "applied" || !m.At.Equal(at) || m.Commands != 4 {
		t.Errorf("marker %+v", m)
	}
	if got := *get(t, b, "kvlambda:event:ev-1"); !strings.HasPrefix(got, `{"outcome":"applied","at":"2025-01-02T03:04:05Z"`) {
		t.Errorf("marker value %s", got)
	}
	for _, want := range []string{`"event_id":"ev-1"`, `"outcome":"applied"`, `"outcome":"duplicate"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	// Another event with the same commands is applied again.
	if res, err := h.Apply(ctx, event("ev-2", `{"commands":[["INCR","visits"]]}`)); err != nil || res.Outcome != bus.Applied {
		t.Fatalf("ev-2: %+v %v", res, err)
	} else if len(res.Replies) != 1 || res.Replies[0] != int64(2) {
		t.Errorf("ev-2 replies %v", res.Replies)
	}
	wantValue(t, b, "visits", "2")
}

func TestConcurrentDeliveriesApplyOnce(t *testing.T) {
	h, b, _ := newHandler(t)
	ev := event("ev-c", `{"commands":[["INCR","n"],["SET","s","x"]]}`)
	var wg sync.WaitGroup
	outcomes := make([]bus.Outcome, 8)
	for i := range outcomes {
		wg.Go(func() {
			res, err := h.Apply(context.Background(), ev)
			if err != nil {
				t.Error(err)
			}
			outcomes[i] = res.Outcome
		})
	}
	wg.Wait()
	applied := 0
	for _, o := range outcomes {
		if o == bus.Applied {
			applied++
		} else if o != bus.Duplicate {
			t.Errorf("outcome %v", o)
		}
	}
	if applied != 1 {
		t.Errorf("%d deliveries applied, want 1: %v", applied, outcomes)
	}
	wantValue(t, b, "n", "1")
}

func TestConditionFailedIsFinal(t *testing.T) {
	h, b, logs := newHandler(t)
	ctx := context.Background()
	if err := b.Set(ctx, "lock", "someone"); err != nil {
		t.Fatal(err)
	}
	ev := event("ev-nx", `{"commands":[["SET","other","x"],["SET","lock","me","NX"],["INCR","n"]]}`)
	res, err := h.Apply(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != bus.ConditionFailed || fmt.Sprint(res.ConditionFailed) != "[2]" {
		t.Fatalf("result %+v", res)
	}
	wantValue(t, b, "lock", "someone")
	wantAbsent(t, b, "other")
	wantAbsent(t, b, "n")
	if m := marker(t, b, "ev-nx"); m.Outcome != "condition_failed" || m.Commands != 3 {
		t.Errorf("marker %+v", m)
	}
	if !strings.Contains(logs.String(), `"failed_commands":[2]`) {
		t.Errorf("log:\n%s", logs)
	}
	// Once the condition would hold, a redelivery still changes nothing: the
	// event's outcome was decided by its first delivery.
	if _, err := b.Delete(ctx, "lock"); err != nil {
		t.Fatal(err)
	}
	if res, err := h.Apply(ctx, ev); err != nil || res.Outcome != bus.Duplicate {
		t.Fatalf("redelivery: %+v %v", res, err)
	}
	wantAbsent(t, b, "lock")
	wantAbsent(t, b, "other")
}

func TestMalformedEventsWriteNothing(t *testing.T) {
	many := make([]string, bus.MaxCommands+1)
	for i := range many {
		many[i] = fmt.Sprintf(`["SET","k%d","v"]`, i)
	}
	tooLongID := strings.Repeat("x", kvstore.MaxKeySize)
	for _, tc := range []struct {
		name string
		ev   lambdaevents.EventBridgeEvent
		want string
	}{
		{"no id", event("", `{"commands":[["SET","k","v"]]}`), "no id"},
		{"long id", event(tooLongID, `{"commands":[["SET","k","v"]]}`), "too long"},
		{"detail-type", func() lambdaevents.EventBridgeEvent {
			ev := event("e", `{"commands":[["SET","k","v"]]}`)
			ev.DetailType = "kvstore.change"
			return ev
		}(), `detail-type is "kvstore.change"`},
		{"no detail", event("e", ``), "no detail"},
		{"null detail", event("e", `null`), "no detail"},
		{"bad JSON", event("e", `{"commands":[["SET","k","v"]`), "detail is not"},
		{"unknown field", event("e", `{"command":[["SET","k","v"]]}`), "detail is not"},
		{"not an array", event("e", `{"commands":{"SET":"k"}}`), "detail is not"},
		{"empty", event("e", `{"commands":[]}`), "no commands"},
		{"too many", event("e", `{"commands":[`+strings.Join(many, ",")+`]}`), "100 commands: at most 99"},
		{"unknown command", event("e", `{"commands":[["SET","k","v"],["FLUSHALL"]]}`), "command 2: ERR unknown command 'FLUSHALL'"},
		{"arity", event("e", `{"commands":[["SET","k"]]}`), "command 1: ERR wrong number of arguments for 'set' command"},
		{"null argument", event("e", `{"commands":[["SET","k",null]]}`), "command 1: ERR command arguments must be"},
		{"not a command", event("e", `{"commands":["SET"]}`), "command 1: ERR request body must be a JSON array"},
		{"read", event("e", `{"commands":[["SET","k","v"],["GET","k"]]}`), "command 2: GET is not a write command"},
		{"not atomic", event("e", `{"commands":[["SET","k","v"],["SET","k2","v","GET"]]}`), "command 2: SET cannot be part of an atomic write"},
		{"reserved key", event("e", `{"commands":[["SET","k","v"],["DEL","x","kvlambda:event:other"]]}`), `command 2: ERR DEL writes "kvlambda:event:other", under the reserved prefix`},
		{"reserved MSET key", event("e", `{"commands":[["MSET","k","v","kvlambda:event:e","v"]]}`), "reserved prefix"},
		{"syntax", event("e", `{"commands":[["SET","k","v"],["SET","k2","v","NX","XX"]]}`), "ERR syntax error"},
		{"same item twice", event("e", `{"commands":[["SET","k","v"],["SET","k","w"]]}`), "EXECABORT"},
		{"not an integer", event("e", `{"commands":[["SET","k","v"],["INCRBY","n","1.5"]]}`), "ERR value is not an integer"},
		{"expiry read", event("e", `{"commands":[["SET","k","v"],["TTL","k"]]}`), "command 2: TTL is not a write command"},
		{"expiry not atomic", event("e", `{"commands":[["SET","k","v"],["EXPIRE","x","10","NX"]]}`), "command 2: EXPIRE cannot be part of an atomic write"},
		{"expiry with XX", event("e", `{"commands":[["SET","k","v"],["SET","k2","v","XX","EX","10"]]}`), "command 2: SET cannot be part of an atomic write"},
		{"invalid expire time", event("e", `{"commands":[["SET","k","v"],["SETEX","k2","0","v"]]}`), "ERR invalid expire time in 'setex' command"},
		{"expire beside a write", event("e", `{"commands":[["SET","k","v"],["EXPIRE","k","10"]]}`), `two operations on key "k"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, b, logs := newHandler(t)
			err := h.Handle(context.Background(), tc.ev)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, bus.ErrMalformed) {
				t.Errorf("%v does not match ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if tc.ev.ID != "" && tc.ev.ID != tooLongID && !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.ev.ID)) {
				t.Errorf("error %q does not name the event", err)
			}
			if !strings.Contains(logs.String(), `"msg":"event refused"`) {
				t.Errorf("not logged:\n%s", logs)
			}
			for _, k := range []string{"k", "k2", "n", "x", bus.MarkerKey(tc.ev.ID)} {
				if len(k) <= kvstore.MaxKeySize {
					wantAbsent(t, b, k)
				}
			}
		})
	}
}

func TestStoreRefusal(t *testing.T) {
	h, b, _ := newHandler(t)
	ctx := context.Background()
	if err := b.SAdd(ctx, "c", "member"); err != nil {
		t.Fatal(err)
	}
	ev := event("ev-wt", `{"commands":[["SET","k","v"],["INCR","c"]]}`)
	err := h.Handle(ctx, ev)
	if !errors.Is(err, bus.ErrMalformed) || !strings.Contains(err.Error(), "WRONGTYPE") || !strings.Contains(err.Error(), `"ev-wt"`) {
		t.Fatalf("error %v", err)
	}
	wantAbsent(t, b, "k")
	wantAbsent(t, b, bus.MarkerKey("ev-wt"))

	// An event applied before the data changed is a duplicate, not an error, when
	// it is delivered again.
	if _, err := b.Delete(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if res, err := h.Apply(ctx, ev); err != nil || res.Outcome != bus.Applied {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if _, err := b.Delete(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := b.SAdd(ctx, "c", "member"); err != nil {
		t.Fatal(err)
	}
	if res, err := h.Apply(ctx, ev); err != nil || res.Outcome != bus.Duplicate {
		t.Fatalf("redelivery: %+v %v", res, err)
	}
}

func TestStoreFailureIsRetriable(t *testing.T) {
	h, b, logs := newHandler(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := h.Handle(ctx, event("ev-x", `{"commands":[["SET","k","v"]]}`))
	if err == nil || errors.Is(err, bus.ErrMalformed) || !strings.Contains(err.Error(), `event "ev-x"`) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(logs.String(), "to be retried") {
		t.Errorf("log:\n%s", logs)
	}
	wantAbsent(t, b, "k")
	wantAbsent(t, b, bus.MarkerKey("ev-x"))
}

// TestExpiryCommands applies the expiry commands an atomic write can hold, and the
// lock idiom's failed condition.
func TestExpiryCommands(t *testing.T) {
	h, b, _ := newHandler(t)
	ctx := context.Background()
	if err := b.Set(ctx, "session", "s"); err != nil {
		t.Fatal(err)
	}
	ev := event("ev-ttl", `{"commands":[["SETEX","a",100,"1"],["PSETEX","b",100000,"2"],["SET","lock","me","NX","PX",100000],["SET","c","3","EX",100],["EXPIRE","session",100],["PEXPIRE","nope",100]]}`)
	res, err := h.Apply(ctx, ev)
	if err != nil || res.Outcome != bus.Applied {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if got := fmt.Sprint(res.Replies); got != "[OK OK OK OK 1 0]" {
		t.Errorf("replies %s", got)
	}
	for _, k := range []string{"a", "b", "lock", "c", "session"} {
		ttl, err := b.TTL(ctx, k)
		if err != nil || ttl <= 0 || ttl > 100*time.Second {
			t.Errorf("TTL(%s) = %v, %v; want at most 100s", k, ttl, err)
		}
	}
	if ttl, err := b.TTL(ctx, "nope"); err != nil || ttl != kvstore.KeyAbsent {
		t.Errorf("TTL(nope) = %v, %v", ttl, err)
	}
	if ttl, err := b.TTL(ctx, bus.MarkerKey("ev-ttl")); err != nil || ttl != kvstore.NoExpiry {
		t.Errorf("the marker's TTL = %v, %v; want none", ttl, err)
	}
	// The lock is taken: the second event's condition fails and it writes nothing.
	res, err = h.Apply(ctx, event("ev-lock", `{"commands":[["SET","d","4"],["SET","lock","you","NX","PX",500]]}`))
	if err != nil || res.Outcome != bus.ConditionFailed || fmt.Sprint(res.ConditionFailed) != "[2]" {
		t.Fatalf("second lock: %+v %v", res, err)
	}
	wantValue(t, b, "lock", "me")
	wantAbsent(t, b, "d")
}

func TestNewNeedsBackend(t *testing.T) {
	if _, err := bus.New(bus.Config{}); err == nil {
		t.Error("no error")
	}
}
