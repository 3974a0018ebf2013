package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/kvlambda/kvlambda/events/bus"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// FuzzApply delivers an event with any id and detail twice to a fresh store: no
// panic; an event refused with an error leaves nothing written (no marker, no key
// any of its commands names); an accepted event has its marker, and its second
// delivery is a Duplicate that changes nothing.
func FuzzApply(f *testing.F) {
	for _, s := range []struct{ id, detail string }{
		{"e1", `{"commands":[["SET","k","v"],["INCR","n"]]}`},
		{"e2", `{"commands":[["SET","k","v","NX"],["HSETNX","h","f","v"],["ZADD","z","NX",1,"m"]]}`},
		{"e3", `{"commands":[["MSET","a","1","b","2"],["DEL","a","c"],["DECRBY","n","3"]]}`},
		{"e4", `{"commands":[["SET","k","v"],["INCR","k"]]}`}, // refused by the store: not an integer
		{"e5", `{"commands":[["SET","k","v"],["GET","k"]]}`},  // a read
		{"e6", `{"commands":[["SET","k","v"],["SET"`},         // truncated
		{"e7", `{"commands":[]}`},
		{"", `{"commands":[["SET","k","v"]]}`},
		{"e8", `{"commands":[["SET","kvlambda:event:x","v"]]}`},
		{"e9", `null`},
		{"e10", `{"commands":[["SET","k","v"]],"extra":1}`},
		{"e11", `{"commands":[["INCRBY","n","9223372036854775807"],["INCR","n"]]}`},
	} {
		f.Add(s.id, []byte(s.detail))
	}
	f.Fuzz(func(t *testing.T, id string, detail []byte) {
		ctx := context.Background()
		store := memory.NewBackend()
		h, err := bus.New(bus.Config{Backend: store})
		if err != nil {
			t.Fatal(err)
		}
		ev := lambdaevents.EventBridgeEvent{ID: id, DetailType: bus.DetailType, Source: "fuzz", Detail: json.RawMessage(detail)}
		res, err := h.Apply(ctx, ev)
		if err != nil {
			if !errors.Is(err, bus.ErrMalformed) {
				t.Fatalf("error that is not ErrMalformed on a memory store: %v", err)
			}
			for _, key := range append(namedKeys(detail), bus.MarkerKey(id)) {
				if written(ctx, t, store, key) {
					t.Fatalf("event refused (%v) but %q was written", err, key)
				}
			}
			return
		}
		if res.Outcome != bus.Applied && res.Outcome != bus.ConditionFailed {
			t.Fatalf("first delivery: outcome %v", res.Outcome)
		}
		if v, err := store.Get(ctx, bus.MarkerKey(id)); err != nil || v == nil {
			t.Fatalf("accepted event without its marker: %v, %v", v, err)
		}
		again, err := h.Apply(ctx, ev)
		if err != nil || again.Outcome != bus.Duplicate {
			t.Fatalf("second delivery: %v, %v; want Duplicate", again.Outcome, err)
		}
	})
}

// namedKeys returns every string in the detail's commands: the keys among them must
// stay unwritten when the event is refused.
func namedKeys(detail []byte) []string {
	var d struct {
		Commands []json.RawMessage `json:"commands"`
	}
	if json.Unmarshal(detail, &d) != nil {
		return nil
	}
	var keys []string
	for _, c := range d.Commands {
		var args []any
		if json.Unmarshal(c, &args) != nil {
			continue
		}
		for _, a := range args {
			if s, ok := a.(string); ok {
				keys = append(keys, s)
			}
		}
	}
	return keys
}

// written reports whether key holds anything: a value of any kind or sorted data.
func written(ctx context.Context, t *testing.T, store kvstore.Backend, key string) bool {
	if kvstore.ValidateKey(key) != nil {
		return false
	}
	v, err := store.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrWrongType):
		return true
	case err != nil:
		t.Fatalf("Get %q: %v", key, err)
	case v != nil:
		return true
	}
	n, err := store.ZCount(ctx, key, math.Inf(-1), math.Inf(1))
	if err != nil {
		t.Fatalf("ZCount %q: %v", key, err)
	}
	return n > 0
}
