package kvstoretest

import (
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// eventually retries check until it reports true, for reads that may be eventually
// consistent, and fails after a while.
func eventually(t testing.TB, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Errorf("%s: not seen within 10s", what)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testWrappers checks that the views WithEventuallyConsistentReads and WithProfiler
// return work on the same data, and that Unwrap can be called.
func testWrappers(t *testing.T, b kvstore.Backend) {
	views := []struct {
		name string
		view func() kvstore.Backend
	}{
		{"WithEventuallyConsistentReads", b.WithEventuallyConsistentReads},
		{"WithProfiler of an unknown profiler", func() kvstore.Backend { return b.WithProfiler(struct{}{}) }},
		{"WithProfiler(nil)", func() kvstore.Backend { return b.WithProfiler(nil) }},
		{"both", func() kvstore.Backend { return b.WithProfiler(struct{}{}).WithEventuallyConsistentReads() }},
	}
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			ctx, key := t.Context(), newKeys(t)
			w := v.view()
			if w == nil {
				t.Fatal("view is nil")
			}
			must(t, "Set through the view", w.Set(ctx, key("s"), "v"))
			checkString(t, ctx, b, key("s"), "v")
			must(t, "Set", b.Set(ctx, key("t"), "w"))
			eventually(t, "Get through the view", func() bool {
				got, err := w.Get(ctx, key("t"))
				return err == nil && got != nil && *got == "w"
			})
			eq(t, "SetNX through the view", false)(w.SetNX(ctx, key("s"), "x"))
			eq(t, "NIncrBy through the view", int64(2))(w.NIncrBy(ctx, key("c"), 2))
			must(t, "SAdd through the view", w.SAdd(ctx, key("set"), "a", "b"))
			checkMembers(t, ctx, b, key("set"), "a", "b")
			eventually(t, "SMembers through the view", func() bool {
				got, err := w.SMembers(ctx, key("set"))
				return err == nil && len(got) == 2
			})
			must(t, "HSet through the view", w.HSet(ctx, key("hash"), "f", "v"))
			eventually(t, "HGet through the view", func() bool {
				got, err := w.HGet(ctx, key("hash"), "f")
				return err == nil && got != nil && *got == "v"
			})
			must(t, "ZAdd through the view", w.ZAdd(ctx, key("z"), "m", 1))
			checkSorted(t, ctx, b, key("z"), sm("m", 1))
			eventually(t, "ZRangeByScore through the view", func() bool {
				got, err := w.ZRangeByScore(ctx, key("z"), 0, 2, 0)
				return err == nil && len(got) == 1 && got[0] == "m"
			})

			batch := w.Batch()
			batch.Set(key("batched"), "b")
			must(t, "Exec of a batch through the view", batch.Exec(ctx))
			checkString(t, ctx, b, key("batched"), "b")
			aw := w.AtomicWrite()
			aw.SetNX(key("atomic"), "a")
			aw.ZAdd(key("z"), "n", 2)
			execOK(t, ctx, "an atomic write through the view", aw)
			checkString(t, ctx, b, key("atomic"), "a")
			checkSorted(t, ctx, b, key("z"), sm("m", 1), sm("n", 2))

			if u := w.Unwrap(); u != nil {
				checkString(t, ctx, u, key("s"), "v")
			}
		})
	}
	t.Run("Unwrap", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("s"), "v"))
		u := b.Unwrap()
		for depth := 0; u != nil && depth < 10; depth++ {
			checkString(t, ctx, u, key("s"), "v")
			u = u.Unwrap()
		}
		if u != nil {
			t.Error("Unwrap goes on for more than 10 levels")
		}
	})
}
