package kvstoretest

import (
	"context"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// testContexts checks that every call honours its context: a cancelled or expired
// context makes it fail (without a panic).
func testContexts(t *testing.T, b kvstore.Backend) {
	t.Run("Cancelled", func(t *testing.T) {
		key := newKeys(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for _, c := range everyCall(b, key("k")) {
			if err := c.run(ctx); err == nil {
				t.Errorf("%s with a cancelled context returned no error", c.name)
			}
		}
	})

	t.Run("Expired", func(t *testing.T) {
		key := newKeys(t)
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
		defer cancel()
		for _, c := range everyCall(b, key("k")) {
			if err := c.run(ctx); err == nil {
				t.Errorf("%s with an expired context returned no error", c.name)
			}
		}
	})

	t.Run("DistantDeadline", func(t *testing.T) {
		// A context with a deadline ahead, as a Lambda invocation's, works: every
		// call, each on a key of its own, returns no error.
		key := newKeys(t)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		for i, c := range everyCall(b, key("probe")) {
			c = everyCall(b, key(c.name))[i]
			if err := c.run(ctx); err != nil {
				t.Errorf("%s with a deadline a minute ahead: %v", c.name, err)
			}
		}
	})

	t.Run("BatchAndAtomicWrite", func(t *testing.T) {
		key := newKeys(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		batch := b.Batch()
		for i := range 30 {
			batch.Set(key(string(rune('a'+i))), "v")
		}
		get := batch.Get(key("a"))
		if err := batch.Exec(ctx); err == nil {
			t.Error("Exec of a batch with a cancelled context returned no error")
		}
		if _, err := get.Result(); err == nil {
			t.Error("a batched Get with a cancelled context returned no error")
		}
		w := b.AtomicWrite()
		w.SetNX(key("a"), "v")
		w.ZAdd(key("z"), "m", 1)
		w.NIncrBy(key("n"), 1)
		if ok, err := w.Exec(ctx); err == nil || ok {
			t.Errorf("Exec of an atomic write with a cancelled context = (%v, %v), want an error", ok, err)
		}
	})
}
