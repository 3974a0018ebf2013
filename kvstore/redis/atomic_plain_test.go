package redis_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/faultproxy"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// namesProfiler records the commands of each round trip.
type namesProfiler struct {
	mu    sync.Mutex
	trips [][]string
}

func (p *namesProfiler) ProfileRedisRoundTrip(commands []string, _ time.Duration, _ error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trips = append(p.trips, commands)
}

// TestPlainAtomicWrite checks the MULTI/EXEC path of atomic writes of unconditional
// Sets and Deletes: one round trip, and the same data as the write script leaves (a
// Set replaces a set and drops its size key; a Delete drops both keys).
func TestPlainAtomicWrite(t *testing.T) {
	srv := testservers.StartRedis(t)
	raw := newClient(t, srv.Addr())
	b := redis.NewBackend(raw)
	if err := b.SAdd(ctx, "s", "a", "b"); err != nil {
		t.Fatal(err)
	}
	if err := b.HSet(ctx, "h", "f", "v"); err != nil {
		t.Fatal(err)
	}
	if n, _ := raw.Exists(ctx, "{s}:n", "{h}:n").Result(); n != 2 {
		t.Fatalf("size keys before: %d of 2", n)
	}
	p := &namesProfiler{}
	w := b.WithProfiler(p).AtomicWrite()
	r1, r2 := w.Set("s", "v"), w.Delete("h")
	w.Set("new", 42)
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Fatalf("Exec = %v, %v", ok, err)
	}
	if r1.ConditionalFailed() || r2.ConditionalFailed() {
		t.Error("an unconditional operation reports a failed condition")
	}
	if !slices.EqualFunc(p.trips, [][]string{{"mset", "del"}}, slices.Equal) {
		t.Errorf("round trips %q, want [[mset del]]", p.trips)
	}
	for k, want := range map[string]string{"s": "v", "new": "42"} {
		if v, err := b.Get(ctx, k); err != nil || v == nil || *v != want {
			t.Errorf("Get(%q) = %v, %v; want %q", k, str(v), err, want)
		}
	}
	if n, _ := raw.Exists(ctx, "{s}:n", "{h}", "{h}:n").Result(); n != 0 {
		t.Errorf("%d of the replaced set's size key and the deleted hash's keys remain", n)
	}
	// The set replaced by a string is a string: SAdd meets ErrWrongType, as after the
	// write script.
	if err := b.SAdd(ctx, "s", "c"); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("SAdd on the string that replaced a set: %v, want ErrWrongType", err)
	}
}

// TestPlainAtomicWriteNotResent cuts the connection right after Redis answered a
// plain atomic write: go-redis must not send it again (a resent MULTI/EXEC could
// overwrite a later writer's value), and the caller gets kvstore.ErrOutcomeUnknown.
func TestPlainAtomicWriteNotResent(t *testing.T) {
	srv := testservers.StartRedis(t)
	fp := faultproxy.NewTCP(t, srv.Addr())
	via := goredis.NewClient(&goredis.Options{Addr: fp.Addr(), MinRetryBackoff: time.Millisecond, MaxRetryBackoff: 5 * time.Millisecond})
	t.Cleanup(func() { _ = via.Close() })
	direct := newClient(t, srv.Addr())
	b := redis.NewBackend(via)
	// An open connection in the pool, so that the answer cut is the write's, not a
	// new connection's handshake.
	warm := b.AtomicWrite()
	warm.Set("warm", "x")
	if _, err := warm.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := direct.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	fp.CutNextReplies(1)
	w := b.AtomicWrite()
	w.Set("a", "1")
	w.Set("b", "2")
	if _, err := w.Exec(ctx); !errors.Is(err, kvstore.ErrOutcomeUnknown) {
		t.Errorf("plain atomic write with its reply lost: %v, want kvstore.ErrOutcomeUnknown", err)
	}
	stats, err := direct.Info(ctx, "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stats, "cmdstat_mset:calls=1,") {
		t.Errorf("MSET not run exactly once:\n%s", stats)
	}
}
