package redis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// slack is how long past its deadline a call may take to return: scheduling, not
// performance.
const slack = 2 * time.Second

// operation is one call through one of the backend's paths.
type operation struct {
	name string
	run  func(ctx context.Context, b kvstore.Backend) error
}

// operations covers every path: plain command, write script, range script, batch
// pipeline, atomic write.
var operations = []operation{
	{"Set", func(ctx context.Context, b kvstore.Backend) error { return b.Set(ctx, "k", "v") }},
	{"Get", func(ctx context.Context, b kvstore.Backend) error { _, err := b.Get(ctx, "k"); return err }},
	{"SAdd", func(ctx context.Context, b kvstore.Backend) error { return b.SAdd(ctx, "s", "m") }},
	{"ZRangeByScore", func(ctx context.Context, b kvstore.Backend) error {
		_, err := b.ZRangeByScore(ctx, "z", 0, 1, 0)
		return err
	}},
	{"Batch", func(ctx context.Context, b kvstore.Backend) error {
		batch := b.Batch()
		batch.Set("b", "1")
		batch.ZAdd("bz", "m", 1)
		return batch.Exec(ctx)
	}},
	{"AtomicWrite", func(ctx context.Context, b kvstore.Backend) error {
		w := b.AtomicWrite()
		w.Set("a", "1")
		w.SAdd("as", "m")
		_, err := w.Exec(ctx)
		return err
	}},
}

// runAll runs every operation and returns their errors joined.
func runAll(ctx context.Context, b kvstore.Backend) error {
	var errs []error
	for _, op := range operations {
		if err := op.run(ctx, b); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", op.name, err))
		}
	}
	return errors.Join(errs...)
}

// TestServerKilled kills redis-server mid-run: calls fail by their deadline without
// panicking or hanging, and work again once the server is back on the same port.
func TestServerKilled(t *testing.T) {
	srv := testservers.StartRedisWith(t, testservers.RedisOptions{AppendOnly: true})
	b := redis.NewBackend(newClient(t, srv.Addr()))
	if err := runAll(ctx, b); err != nil {
		t.Fatalf("before the kill: %v", err)
	}

	srv.Kill()
	for _, op := range operations {
		callCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		start := time.Now()
		err := op.run(callCtx, b)
		elapsed := time.Since(start)
		cancel()
		if err == nil {
			t.Errorf("%s succeeded with the server down", op.name)
		}
		if elapsed > 500*time.Millisecond+slack {
			t.Errorf("%s returned %v after its deadline", op.name, elapsed-500*time.Millisecond)
		}
	}

	srv.Restart()
	// The pool may still hold dead connections: go-redis drops them as calls fail.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := runAll(ctx, b)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("calls still fail 10s after the restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Acknowledged writes survived (append-only file, fsync always).
	if got, err := b.Get(ctx, "a"); err != nil || got == nil || *got != "1" {
		t.Errorf("Get after restart = %v, %v; want 1", got, err)
	}
}

// TestContextDeadlineWhileServerStalls pauses the server's clients (CLIENT PAUSE):
// a call with a short deadline returns at its deadline, although go-redis' own read
// timeout (3s) is longer than the pause: with a client that watches context
// deadlines itself (ContextTimeoutEnabled, where the backend calls it on the caller's
// goroutine) and with one that does not (where the backend watches the context).
func TestContextDeadlineWhileServerStalls(t *testing.T) {
	for _, ctxTimeouts := range []bool{false, true} {
		t.Run(fmt.Sprintf("ContextTimeoutEnabled=%v", ctxTimeouts), func(t *testing.T) {
			testDeadlineWhileServerStalls(t, ctxTimeouts)
		})
	}
}

func testDeadlineWhileServerStalls(t *testing.T, ctxTimeouts bool) {
	srv := testservers.StartRedis(t)
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: ctxTimeouts})
	t.Cleanup(func() { _ = client.Close() })
	b := redis.NewBackend(client)
	admin := newClient(t, srv.Addr())
	if err := b.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	const pause = 800 * time.Millisecond
	for _, op := range operations {
		if err := admin.ClientPause(ctx, pause).Err(); err != nil {
			t.Fatal(err)
		}
		callCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		start := time.Now()
		err := op.run(callCtx, b)
		elapsed := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s during CLIENT PAUSE: %v, want context.DeadlineExceeded", op.name, err)
		}
		if elapsed >= pause {
			t.Errorf("%s returned after %v: it waited for the server, not its deadline", op.name, elapsed)
		}
		// Paused too, this returns once the pause is over.
		if err := admin.Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for _, op := range operations {
		if err := op.run(canceled, b); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v, want context.Canceled", op.name, err)
		}
	}
}
