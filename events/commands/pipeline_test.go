package commands_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// counting is a memory backend that counts batches and single Gets, to see how a
// pipeline was run.
type counting struct {
	kvstore.Backend
	batches, gets atomic.Int64
}

func (c *counting) Batch() kvstore.BatchOperation {
	c.batches.Add(1)
	return c.Backend.Batch()
}

func (c *counting) Get(ctx context.Context, key string) (*string, error) {
	c.gets.Add(1)
	return c.Backend.Get(ctx, key)
}

func parseAll(t *testing.T, cmds ...[]string) []commands.Command {
	t.Helper()
	out := make([]commands.Command, len(cmds))
	for i, a := range cmds {
		var e *commands.Error
		if out[i], e = commands.Parse(a); e != nil {
			t.Fatalf("parse %q: %v", a, e)
		}
	}
	return out
}

func TestPipelineBatchesExactly(t *testing.T) {
	b := &counting{Backend: memory.NewBackend()}
	x := commands.NewExecutor(b)
	ctx := context.Background()
	cmds := parseAll(t,
		c("SET", "a", "1"), c("SET", "b", "2"), c("SADD", "s", "x"), // SADD runs singly
		c("GET", "a"), c("GET", "b"), c("GET", "c"), c("SMEMBERS", "s"), c("HGETALL", "h"), c("ZSCORE", "z", "m"),
		c("SET", "a", "3"), // writes a key the run read: starts a new run
		c("GET", "a"),      // reads a key the run wrote: starts another
		c("MGET", "a", "b"), c("ZMSCORE", "z", "m", "n"),
		c("INCR", "a"), c("GET", "s"),
	)
	replies := x.ExecPipeline(ctx, cmds)
	want := []any{okStatus, okStatus, i64(1),
		"1", "2", nil, arr("x"), arr(), nil,
		okStatus,
		"3", arr("3", "2"), arr(nil, nil),
		i64(4), wrongType}
	for i := range cmds {
		check(t, i, append([]string{cmds[i].Name}, cmds[i].Args...), replies[i], want[i])
	}
	// Runs: [SET a, SET b] [GET a..ZSCORE] [SET a] single, [GET a, MGET, ZMSCORE], GET s single.
	// SADD's read and the singles use no batch; MGET and ZMSCORE joined the run's batch.
	if got := b.batches.Load(); got != 3 {
		t.Errorf("pipeline used %d batches, want 3", got)
	}
}

func TestPipelineInvalidBatchFallsBack(t *testing.T) {
	x := commands.NewExecutor(memory.NewBackend())
	replies := x.ExecPipeline(context.Background(), parseAll(t, c("SET", "a", "1"), c("GET", ""), c("GET", "a"), c("SET", "", "x")))
	want := []any{okStatus, errT("ERR invalid argument: empty key"), "1", errT("ERR invalid argument: empty key")}
	for i, r := range replies {
		check(t, i, nil, r, want[i])
	}
}

func TestExecAtomic(t *testing.T) {
	ctx := context.Background()
	x := commands.NewExecutor(memory.NewBackend())
	setup := parseAll(t, c("SET", "taken", "old"), c("SET", "n", "10"), c("HSET", "h", "f", "v"), c("ZADD", "z", "1", "m"))
	for _, r := range x.ExecPipeline(ctx, setup) {
		if commands.IsError(r) {
			t.Fatal(r)
		}
	}

	t.Run("committed", func(t *testing.T) {
		res, e := x.ExecAtomic(ctx, parseAll(t,
			c("SET", "a", "1"), c("SET", "b", "2", "NX"), c("SET", "taken", "new", "XX"), c("SET", "taken2", "x", "IFEQ", "y"),
		)[:3], nil)
		if e != nil || !res.Committed {
			t.Fatalf("got %+v, %v", res, e)
		}
		for i, w := range []any{okStatus, okStatus, okStatus} {
			check(t, i, nil, res.Replies[i], w)
		}
		res, e = x.ExecAtomic(ctx, parseAll(t,
			c("INCR", "n"), c("DECRBY", "cnt", "5"), c("SETNX", "c", "1"), c("MSET", "m1", "1", "m2", "2"),
			c("HSETNX", "h", "g", "w"), c("ZADD", "z", "NX", "2", "m2", "3", "m3"), c("DEL", "b", "nope", "b"),
			c("SET", "taken", "newer", "IFEQ", "new"),
		), nil)
		if e != nil || !res.Committed {
			t.Fatalf("got %+v, %v", res, e)
		}
		for i, w := range []any{i64(11), i64(-5), i64(1), okStatus, i64(1), i64(2), i64(1), okStatus} {
			check(t, i, nil, res.Replies[i], w)
		}
		check(t, 0, nil, exec(x, c("MGET", "n", "cnt", "c", "m1", "b", "taken")), arr("11", "-5", "1", "1", nil, "newer"))
	})

	t.Run("aborted by a condition", func(t *testing.T) {
		res, e := x.ExecAtomic(ctx, parseAll(t, c("SET", "x", "1"), c("SET", "taken", "y", "NX"), c("INCR", "n"), c("HSETNX", "h", "f", "z")), nil)
		if e != nil || res.Committed {
			t.Fatalf("got %+v, %v", res, e)
		}
		abort := errT("EXECABORT Transaction discarded because a condition failed")
		for i, w := range []any{abort, nil, abort, nil} {
			check(t, i, nil, res.Replies[i], w)
		}
		if !res.ConditionFailed[1] || !res.ConditionFailed[3] || res.ConditionFailed[0] {
			t.Errorf("ConditionFailed = %v", res.ConditionFailed)
		}
		check(t, 0, nil, exec(x, c("MGET", "x", "n")), arr(nil, "11"))
	})

	t.Run("extra operations share the write", func(t *testing.T) {
		var marker kvstore.AtomicWriteResult
		addMarker := func(w kvstore.AtomicWriteOperation) { marker = w.SetNX("marker:1", "1") }
		res, e := x.ExecAtomic(ctx, parseAll(t, c("INCR", "n")), addMarker)
		if e != nil || !res.Committed || marker.ConditionalFailed() {
			t.Fatalf("first delivery: %+v, %v", res, e)
		}
		res, e = x.ExecAtomic(ctx, parseAll(t, c("INCR", "n")), addMarker)
		if e != nil || res.Committed || !marker.ConditionalFailed() {
			t.Fatalf("redelivery: %+v, %v", res, e)
		}
		check(t, 0, nil, res.Replies[0], errT("EXECABORT*"))
		check(t, 0, nil, exec(x, c("GET", "n")), "12")
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			cmds [][]string
			want errT
		}{
			{[][]string{c("SET", "a", "1"), c("GET", "a")}, "EXECABORT Transaction discarded because of: ERR 'get' cannot be part of an atomic write*"},
			{[][]string{c("SADD", "s", "a")}, "EXECABORT Transaction discarded because of: ERR 'sadd' cannot*"},
			{[][]string{c("SET", "a", "1", "GET")}, "EXECABORT Transaction discarded because of: ERR 'set' cannot*"},
			{[][]string{c("ZADD", "z", "1", "a")}, "EXECABORT Transaction discarded because of: ERR 'zadd' cannot*"},
			{[][]string{c("ZADD", "z", "NX", "INCR", "1", "a")}, "EXECABORT Transaction discarded because of: ERR 'zadd' cannot*"},
			{[][]string{c("SET", "a", "1", "BOGUS")}, "EXECABORT Transaction discarded because of: ERR syntax error"},
			{[][]string{c("SET", "a", "1"), c("INCR", "a")}, "EXECABORT Transaction discarded because of: ERR invalid argument: atomic write has two operations on key*"},
			{[][]string{c("INCR", "taken")}, "EXECABORT Transaction discarded because of: ERR value is not an integer or out of range"},
			{[][]string{c("SET", "k", "v"), c("INCR", "h")}, "EXECABORT Transaction discarded because of: WRONGTYPE*"},
			{[][]string{c("SET", "", "v")}, "EXECABORT Transaction discarded because of: ERR invalid argument: empty key"},
		} {
			_, e := x.ExecAtomic(ctx, parseAll(t, tc.cmds...), nil)
			check(t, 0, tc.cmds[0], e, tc.want)
		}
		check(t, 0, nil, exec(x, c("MGET", "k", "z2")), arr(nil, nil))
		check(t, 0, nil, exec(x, c("SMEMBERS", "s")), arr())
	})
}
