package linearizability_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/kvlambda/kvlambda/internal/linearizability"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

type L = linearizability.Input

func step(k linearizability.Kind, key int) linearizability.Step {
	return linearizability.Step{Kind: k, Key: key}
}

// op is one recorded call for hand-written histories.
type op struct {
	client    int
	in        L
	out       linearizability.Output
	call, ret int64
}

func check(t *testing.T, ops []op) porcupine.CheckResult {
	t.Helper()
	h := linearizability.NewHistory()
	for _, o := range ops {
		h.Record(o.client, o.in, o.out, o.call, o.ret)
	}
	return linearizability.Check(h, 10*time.Second).Result
}

func set(key int, v string) L {
	s := step(linearizability.Set, key)
	s.Value = v
	return L{Step: s}
}

func get(key int) L { return L{Step: step(linearizability.Get, key)} }

func incr(key int, n int64) L {
	s := step(linearizability.Incr, key)
	s.N = n
	return L{Step: s}
}

func value(v string) linearizability.Output { return linearizability.Output{Present: true, Value: v} }

func TestModelAcceptsAndRefuses(t *testing.T) {
	none := linearizability.Output{}
	cases := []struct {
		name string
		ops  []op
		want porcupine.CheckResult
	}{
		{"read your write", []op{
			{0, set(0, "1"), none, 0, 10},
			{0, get(0), value("1"), 20, 30},
		}, porcupine.Ok},
		{"stale read after the write returned", []op{
			{0, set(0, "1"), none, 0, 10},
			{0, set(0, "2"), none, 20, 30},
			{1, get(0), value("1"), 40, 50},
		}, porcupine.Illegal},
		{"concurrent read may see either", []op{
			{0, set(0, "1"), none, 0, 10},
			{0, set(0, "2"), none, 20, 60},
			{1, get(0), value("1"), 30, 50},
		}, porcupine.Ok},
		{"lost increment", []op{
			{0, incr(0, 1), linearizability.Output{N: 1}, 0, 10},
			{1, incr(0, 1), linearizability.Output{N: 1}, 5, 15},
		}, porcupine.Illegal},
		{"increment applied twice", []op{
			{0, incr(0, 1), linearizability.Output{N: 1}, 0, 10},
			{1, get(0), value("2"), 20, 30},
		}, porcupine.Illegal},
		{"unknown outcome may have applied", []op{
			{0, incr(0, 1), linearizability.Output{Outcome: linearizability.Unknown}, 0, 10},
			{1, get(0), value("1"), 20, 30},
		}, porcupine.Ok},
		{"unknown outcome may not have applied", []op{
			{0, incr(0, 1), linearizability.Output{Outcome: linearizability.Unknown}, 0, 10},
			{1, get(0), none, 20, 30},
			{1, get(0), value("1"), 40, 50},
		}, porcupine.Ok},
		{"a refused write must not apply", []op{
			{0, incr(0, 1), linearizability.Output{Outcome: linearizability.Refused}, 0, 10},
			{1, get(0), value("1"), 20, 30},
		}, porcupine.Illegal},
		{"atomic write is all or nothing", []op{
			{0, L{Step: step(linearizability.Atomic, 0), Ops: []linearizability.Step{
				{Kind: linearizability.Set, Key: 0, Value: "a"}, {Kind: linearizability.Incr, Key: 1, N: 1},
			}}, linearizability.Output{OK: true}, 0, 10},
			{1, get(0), value("a"), 20, 30},
			{1, get(1), none, 40, 50},
		}, porcupine.Illegal},
		{"atomic write reports the failed condition", []op{
			{0, set(0, "x"), none, 0, 5},
			{0, L{Step: step(linearizability.Atomic, 0), Ops: []linearizability.Step{
				{Kind: linearizability.Incr, Key: 1, N: 1}, {Kind: linearizability.SetNX, Key: 0, Value: "a"},
			}}, linearizability.Output{Failed: 0b10}, 10, 20},
			{1, get(1), none, 40, 50},
		}, porcupine.Ok},
	}
	for _, c := range cases {
		if got := check(t, c.ops); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestMemoryIsLinearizable runs the workload on the reference backend, bare and
// behind one read cache that every client shares.
func TestMemoryIsLinearizable(t *testing.T) {
	cfg := linearizability.Config{Clients: 8, OpsPerClient: 200, Atomic: true, Seed: 1}
	h := linearizability.Run(t.Context(), linearizability.NewBackendTarget(memory.NewBackend(), "k"), cfg)
	linearizability.Require(t, "memory", h)
	h = linearizability.Run(t.Context(), linearizability.NewBackendTarget(cache.New(memory.NewBackend()), "k"), cfg)
	linearizability.Require(t, "memory+cache", h)
}

// racyIncr is a broken backend: NIncrBy reads, then writes (a lost-update race).
type racyIncr struct {
	kvstore.Backend
}

func (r *racyIncr) NIncrBy(ctx context.Context, key string, n int64) (int64, error) {
	v, err := r.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	var cur int64
	if v != nil {
		if cur, err = kvstore.ParseCounter(*v); err != nil {
			return 0, err
		}
	}
	time.Sleep(200 * time.Microsecond)
	sum := cur + n
	return sum, r.Set(ctx, key, strconv.FormatInt(sum, 10))
}

// TestCheckerFindsALostUpdate shows the check has teeth: the same workload on a
// backend whose NIncrBy is not atomic is found not linearizable.
func TestCheckerFindsALostUpdate(t *testing.T) {
	for attempt := range 3 {
		target := linearizability.NewBackendTarget(&racyIncr{Backend: memory.NewBackend()}, "k")
		h := linearizability.Run(t.Context(), target, linearizability.Config{Clients: 8, OpsPerClient: 150, Keys: 2, Seed: uint64(attempt)})
		r := linearizability.Check(h, time.Minute)
		t.Logf("racy NIncrBy, attempt %d: %s", attempt+1, r)
		if r.Result == porcupine.Illegal {
			return
		}
	}
	t.Fatal("the checker accepted a backend whose NIncrBy loses updates, three times")
}
