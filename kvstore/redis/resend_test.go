package redis_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/faultproxy"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestWritesAreNotResentAfterALostReply cuts the connection right after Redis
// answered a write, with go-redis' default MaxRetries (3): a write whose second
// application would count twice or change its answer is not sent again; it returns
// kvstore.ErrOutcomeUnknown and took effect exactly once. A read in the same
// situation is resent and succeeds.
func TestWritesAreNotResentAfterALostReply(t *testing.T) {
	srv := testservers.StartRedis(t)
	p := faultproxy.NewTCP(t, srv.Addr())
	viaProxy := goredis.NewClient(&goredis.Options{Addr: p.Addr(), MinRetryBackoff: time.Millisecond, MaxRetryBackoff: 5 * time.Millisecond})
	direct := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = viaProxy.Close(); _ = direct.Close() })
	b := redis.NewBackend(viaProxy)
	check := redis.NewBackend(direct)
	ctx := t.Context()

	writes := []struct {
		name   string
		run    func(ctx context.Context) error
		verify func(ctx context.Context) (string, bool)
	}{
		{"NIncrBy", func(ctx context.Context) error { _, err := b.NIncrBy(ctx, "n", 5); return err },
			func(ctx context.Context) (string, bool) {
				n, err := check.NIncrBy(ctx, "n", 0)
				return "counter " + itoa(n), err == nil && n == 5
			}},
		{"ZIncrBy", func(ctx context.Context) error { _, err := b.ZIncrBy(ctx, "z", "m", 2); return err },
			func(ctx context.Context) (string, bool) {
				s, err := check.ZScore(ctx, "z", "m")
				return "score " + ftoa(s), err == nil && s != nil && *s == 2
			}},
		{"SetNX", func(ctx context.Context) error { _, err := b.SetNX(ctx, "nx", "v"); return err },
			func(ctx context.Context) (string, bool) {
				v, err := check.Get(ctx, "nx")
				return "value " + str(v), err == nil && v != nil && *v == "v"
			}},
		{"AtomicWrite", func(ctx context.Context) error {
			w := b.AtomicWrite()
			w.NIncrBy("a", 1)
			w.NIncrBy("b", 1)
			_, err := w.Exec(ctx)
			return err
		}, func(ctx context.Context) (string, bool) {
			a, err1 := check.NIncrBy(ctx, "a", 0)
			c, err2 := check.NIncrBy(ctx, "b", 0)
			return "counters " + itoa(a) + ", " + itoa(c), err1 == nil && err2 == nil && a == 1 && c == 1
		}},
	}
	// warm makes sure the next call finds an open connection in the pool and the
	// write script cached, so that the answer cut is the command's, not the
	// connection handshake's or a NOSCRIPT.
	warm := func() {
		if _, err := b.Delete(ctx, "warm"); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range writes {
		warm()
		p.CutNextReplies(1)
		err := w.run(ctx)
		if !errors.Is(err, kvstore.ErrOutcomeUnknown) {
			t.Errorf("%s with its reply lost: %v, want an error matching kvstore.ErrOutcomeUnknown", w.name, err)
		}
		if got, ok := w.verify(ctx); !ok {
			t.Errorf("%s with its reply lost left %s: applied twice (or not at all)", w.name, got)
		}
	}
	if p.Cuts() != len(writes) {
		t.Errorf("%d connections cut, want %d", p.Cuts(), len(writes))
	}

	// Reads are resent: the caller sees no error.
	warm()
	p.CutNextReplies(1)
	if v, err := b.Get(ctx, "nx"); err != nil || v == nil || *v != "v" {
		t.Errorf("Get with its reply lost = %v, %v; want the value (go-redis resends reads)", str(v), err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa(f *float64) string {
	if f == nil {
		return "nil"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

func str(s *string) string {
	if s == nil {
		return "nil"
	}
	return *s
}
