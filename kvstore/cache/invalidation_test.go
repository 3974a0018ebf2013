package cache_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// write is one write through the cache, with what it needs first.
type write struct {
	name  string
	setup func(t *testing.T, mem *memory.Backend)
	do    func(t *testing.T, c kvstore.Backend) error
}

func deleteStr(t *testing.T, mem *memory.Backend) {
	if _, err := mem.Delete(t.Context(), kStr); err != nil {
		t.Fatal(err)
	}
}

func singleWrites() []write {
	ok := func(_ any, err error) error { return err }
	return []write{
		{"Set", nil, func(t *testing.T, c kvstore.Backend) error { return c.Set(t.Context(), kStr, "2") }},
		{"SetNX", deleteStr, func(t *testing.T, c kvstore.Backend) error { return ok(c.SetNX(t.Context(), kStr, "n")) }},
		{"SetXX", nil, func(t *testing.T, c kvstore.Backend) error { return ok(c.SetXX(t.Context(), kStr, "x")) }},
		{"SetEQ", nil, func(t *testing.T, c kvstore.Backend) error { return ok(c.SetEQ(t.Context(), kStr, "y", "1")) }},
		{"Delete string", nil, func(t *testing.T, c kvstore.Backend) error { return ok(c.Delete(t.Context(), kStr)) }},
		{"Delete set", nil, func(t *testing.T, c kvstore.Backend) error { return ok(c.Delete(t.Context(), kSet)) }},
		{"Delete hash", nil, func(t *testing.T, c kvstore.Backend) error { return ok(c.Delete(t.Context(), kHash)) }},
		{"Set over a hash", nil, func(t *testing.T, c kvstore.Backend) error { return c.Set(t.Context(), kHash, "s") }},
		{"NIncrBy", nil, func(t *testing.T, c kvstore.Backend) error { return ok(c.NIncrBy(t.Context(), kStr, 5)) }},
		{"SAdd", nil, func(t *testing.T, c kvstore.Backend) error { return c.SAdd(t.Context(), kSet, "c") }},
		{"SRem", nil, func(t *testing.T, c kvstore.Backend) error { return c.SRem(t.Context(), kSet, "a") }},
		{"HSet", nil, func(t *testing.T, c kvstore.Backend) error { return c.HSet(t.Context(), kHash, "f", "9") }},
		{"HDel", nil, func(t *testing.T, c kvstore.Backend) error { return c.HDel(t.Context(), kHash, "g") }},
		{"ZAdd", nil, func(t *testing.T, c kvstore.Backend) error { return c.ZAdd(t.Context(), kZ, "c", 3) }},
		{"ZAdd rescores", nil, func(t *testing.T, c kvstore.Backend) error { return c.ZAdd(t.Context(), kZ, "a", 5) }},
		{"ZRem", nil, func(t *testing.T, c kvstore.Backend) error { return c.ZRem(t.Context(), kZ, "a") }},
		{"ZIncrBy", nil, func(t *testing.T, c kvstore.Backend) error { return ok(c.ZIncrBy(t.Context(), kZ, "b", 10)) }},
		{"ZHAdd", nil, func(t *testing.T, c kvstore.Backend) error { return c.ZHAdd(t.Context(), kZH, "c", "m", 0) }},
		{"ZHRem", nil, func(t *testing.T, c kvstore.Backend) error { return c.ZHRem(t.Context(), kZH, "a") }},
	}
}

func batchWrites() []write {
	run := func(t *testing.T, c kvstore.Backend, queue func(kvstore.BatchOperation)) error {
		b := c.Batch()
		queue(b)
		return b.Exec(t.Context())
	}
	return []write{
		{"Batch Set", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) { b.Set(kStr, "2") })
		}},
		{"Batch Delete", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) { b.Delete(kHash) })
		}},
		{"Batch SAdd", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) { b.SAdd(kSet, "c", "d") })
		}},
		{"Batch SRem", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) { b.SRem(kSet, "a") })
		}},
		{"Batch ZAdd", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) { b.ZAdd(kZ, "c", 0.5) })
		}},
		{"Batch ZRem", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) { b.ZRem(kZ, "b") })
		}},
		{"Batch reading and writing one key", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) {
				b.Get(kStr)
				b.Set(kStr, "2")
				b.Get(kStr)
				b.ZScore(kZ, "a")
				b.ZAdd(kZ, "a", 7)
			})
		}},
		{"Batch of everything", nil, func(t *testing.T, c kvstore.Backend) error {
			return run(t, c, func(b kvstore.BatchOperation) {
				b.Set(kStr, "3")
				b.SAdd(kSet, "z")
				b.Delete(kHash)
				b.ZRem(kZ, "a")
				b.HGetAll(kHash)
				b.SMembers(kSet)
			})
		}},
	}
}

func atomicWrites() []write {
	run := func(t *testing.T, c kvstore.Backend, queue func(kvstore.AtomicWriteOperation)) error {
		a := c.AtomicWrite()
		queue(a)
		ok, err := a.Exec(t.Context())
		if err == nil && !ok {
			t.Error("atomic write failed a condition")
		}
		return err
	}
	aw := func(name string, setup func(*testing.T, *memory.Backend), queue func(kvstore.AtomicWriteOperation)) write {
		return write{"AtomicWrite " + name, setup, func(t *testing.T, c kvstore.Backend) error { return run(t, c, queue) }}
	}
	return []write{
		aw("Set", nil, func(a kvstore.AtomicWriteOperation) { a.Set(kStr, "2") }),
		aw("SetNX", deleteStr, func(a kvstore.AtomicWriteOperation) { a.SetNX(kStr, "2") }),
		aw("SetXX", nil, func(a kvstore.AtomicWriteOperation) { a.SetXX(kStr, "2") }),
		aw("SetEQ", nil, func(a kvstore.AtomicWriteOperation) { a.SetEQ(kStr, "2", "1") }),
		aw("Delete", nil, func(a kvstore.AtomicWriteOperation) { a.Delete(kSet) }),
		aw("DeleteXX", nil, func(a kvstore.AtomicWriteOperation) { a.DeleteXX(kHash) }),
		aw("NIncrBy", nil, func(a kvstore.AtomicWriteOperation) { a.NIncrBy(kStr, 2) }),
		aw("ZAdd", nil, func(a kvstore.AtomicWriteOperation) { a.ZAdd(kZ, "a", 3) }),
		aw("ZAddNX", nil, func(a kvstore.AtomicWriteOperation) { a.ZAddNX(kZ, "c", 3) }),
		aw("ZRem", nil, func(a kvstore.AtomicWriteOperation) { a.ZRem(kZ, "a") }),
		aw("ZHAdd", nil, func(a kvstore.AtomicWriteOperation) { a.ZHAdd(kZH, "a", "new", 1) }),
		aw("ZHRem", nil, func(a kvstore.AtomicWriteOperation) { a.ZHRem(kZH, "b") }),
		aw("SAdd", nil, func(a kvstore.AtomicWriteOperation) { a.SAdd(kSet, "c") }),
		aw("SRem", nil, func(a kvstore.AtomicWriteOperation) { a.SRem(kSet, "a", "b") }),
		aw("HSet", nil, func(a kvstore.AtomicWriteOperation) { a.HSet(kHash, "f", "x") }),
		aw("HSetNX", nil, func(a kvstore.AtomicWriteOperation) { a.HSetNX(kHash, "h", "x") }),
		aw("HDel", nil, func(a kvstore.AtomicWriteOperation) { a.HDel(kHash, "f") }),
		aw("of several keys", nil, func(a kvstore.AtomicWriteOperation) {
			a.Set(kStr, "5")
			a.SAdd(kSet, "q")
			a.ZAdd(kZ, "b", -1)
			a.ZHRem(kZH, "a")
			a.HDel(kHash, "f", "g")
		}),
	}
}

// TestWritesInvalidate checks every write through the cache: afterwards, every read
// through the cache shows what the backend holds.
func TestWritesInvalidate(t *testing.T) {
	all := append(append(singleWrites(), batchWrites()...), atomicWrites()...)
	for _, w := range all {
		t.Run(w.name, func(t *testing.T) {
			e := newEnv()
			seed(t, e.mem)
			if w.setup != nil {
				w.setup(t, e.mem)
			}
			ctx := t.Context()
			view(ctx, e.c) // cache everything
			before := view(ctx, e.mem)
			if err := w.do(t, e.c); err != nil {
				t.Fatal(err)
			}
			if view(ctx, e.mem) == before {
				t.Fatal("the write changed nothing: the case checks nothing")
			}
			e.checkCoherent(t, "after "+w.name)
		})
	}
}

// diverge changes the test keys behind the cache's back, so that a read served
// from the cache afterwards shows up as stale.
func diverge(t *testing.T, mem *memory.Backend) {
	t.Helper()
	ctx := t.Context()
	for _, err := range []error{
		mem.Set(ctx, kStr, "behind"),
		mem.SAdd(ctx, kSet, "behind"),
		mem.HSet(ctx, kHash, "f", "behind"),
		mem.ZAdd(ctx, kZ, "a", 42),
		mem.ZHAdd(ctx, kZH, "a", "behind", 42),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestFailedWritesInvalidate checks writes that fail a condition or return an error:
// they may have changed nothing, but they invalidate what they touch all the same
// (an error does not prove that nothing was written).
func TestFailedWritesInvalidate(t *testing.T) {
	cases := []struct {
		name    string
		do      func(t *testing.T, c kvstore.Backend) error
		wantErr error // nil: a failed condition
	}{
		{"AtomicWrite with failed conditions", func(t *testing.T, c kvstore.Backend) error {
			a := c.AtomicWrite()
			nx := a.SetNX(kStr, "x") // fails: present
			a.SAdd(kSet, "x")
			a.HSetNX(kHash, "f", "x")  // fails: present
			zx := a.ZAddNX(kZ, "a", 1) // fails: present
			a.ZHRem(kZH, "a")
			ok, err := a.Exec(t.Context())
			if err != nil || ok || !nx.ConditionalFailed() || !zx.ConditionalFailed() {
				t.Errorf("Exec = %v, %v; want a failed condition", ok, err)
			}
			return err
		}, nil},
		{"AtomicWrite of the wrong type", func(t *testing.T, c kvstore.Backend) error {
			a := c.AtomicWrite()
			a.SAdd(kStr, "x")
			a.HSet(kSet, "f", "x")
			a.Set(kHash, "x")
			a.ZAdd(kZ, "b", 1)
			a.ZHAdd(kZH, "b", "x", 1)
			_, err := a.Exec(t.Context())
			return err
		}, kvstore.ErrWrongType},
		{"invalid AtomicWrite", func(t *testing.T, c kvstore.Backend) error {
			a := c.AtomicWrite()
			a.Set(kStr, "x")
			a.Delete(kStr) // two operations on one key
			a.SAdd(kSet, "x")
			a.HDel(kHash, "f")
			a.ZAdd(kZ, "a", math.NaN())
			a.ZHRem(kZH, "a")
			_, err := a.Exec(t.Context())
			return err
		}, kvstore.ErrInvalidArgument},
		{"Batch with failing writes", func(t *testing.T, c kvstore.Backend) error {
			b := c.Batch()
			b.SAdd(kStr, "x") // wrong type
			b.SAdd(kHash, "x")
			b.SRem(kSet, "nothing")
			b.ZRem(kZ, "nothing")
			b.ZRem(kZH, "nothing")
			b.Get(kSet) // wrong type
			return b.Exec(t.Context())
		}, kvstore.ErrWrongType},
		{"single writes of the wrong type", func(t *testing.T, c kvstore.Backend) error {
			ctx := t.Context()
			errs := []error{c.SAdd(ctx, kStr, "x"), c.HSet(ctx, kSet, "f", "x"), c.SRem(ctx, kHash, "x")}
			for _, err := range errs {
				if !errors.Is(err, kvstore.ErrWrongType) {
					t.Errorf("error %v, want ErrWrongType", err)
				}
			}
			_, err := c.ZIncrBy(ctx, kZ, "a", math.Inf(1))
			if err != nil {
				return err
			}
			_, err = c.ZIncrBy(ctx, kZ, "a", math.Inf(-1)) // +Inf-Inf is NaN: refused
			_ = c.ZHRem(ctx, kZH, "nothing")
			return err
		}, kvstore.ErrInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv()
			seed(t, e.mem)
			ctx := t.Context()
			view(ctx, e.c) // cache everything
			diverge(t, e.mem)
			err := tc.do(t, e.c)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			e.checkCoherent(t, "after "+tc.name)
		})
	}
}

func TestValueAndSortedDataAreInvalidatedApart(t *testing.T) {
	e := newEnv()
	seed(t, e.mem)
	ctx := t.Context()
	inf := math.Inf(1)
	e.c.Get(ctx, kStr)
	e.c.ZRangeByScore(ctx, kZ, -inf, inf, 0)
	e.calls()

	if err := e.c.ZAdd(ctx, kZ, "c", 3); err != nil {
		t.Fatal(err)
	}
	e.calls()
	e.c.Get(ctx, kStr)
	e.expectCalls(t, "Get after a ZAdd on its key", 0)
	if r, _ := e.c.ZRangeByScore(ctx, kZ, -inf, inf, 0); len(r) != 3 {
		t.Errorf("range after ZAdd = %v", r)
	}
	e.expectCalls(t, "range after a ZAdd on its key", 1)

	if err := e.c.Set(ctx, kStr, "2"); err != nil {
		t.Fatal(err)
	}
	e.calls()
	e.c.ZRangeByScore(ctx, kZ, -inf, inf, 0)
	e.expectCalls(t, "range after a Set on its key", 0)
	if v, _ := e.c.Get(ctx, kStr); *v != "2" {
		t.Errorf("Get after Set = %q", *v)
	}
	e.expectCalls(t, "Get after a Set on its key", 1)

	// A write to another key invalidates nothing here.
	if err := e.c.Set(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	e.calls()
	e.c.Get(ctx, kStr)
	e.expectCalls(t, "Get after a Set of another key", 0)
}
