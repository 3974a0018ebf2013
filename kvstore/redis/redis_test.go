package redis_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// The package's tests share one redis-server, started on first use and stopped by
// TestMain; each backend gets its own key prefix.
var (
	sharedOnce   sync.Once
	sharedServer *testservers.Redis
	sharedErr    error
	prefixes     atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedServer != nil {
		sharedServer.Stop()
	}
	os.Exit(code)
}

// sharedRedis returns the package's redis-server, skipping the test (failing it
// under CI) when redis-server is not installed.
func sharedRedis(t testing.TB) *testservers.Redis {
	t.Helper()
	testservers.RequireRedis(t)
	sharedOnce.Do(func() { sharedServer, sharedErr = testservers.LaunchRedis(testservers.RedisOptions{}) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedServer
}

// newClient returns a client of addr closed when the test ends.
func newClient(t testing.TB, addr string) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// newBackend returns a backend on the shared server under a fresh key prefix, and
// its client for looking at the raw data.
func newBackend(t testing.TB, opts ...redis.Option) (*redis.Backend, *goredis.Client) {
	t.Helper()
	c := newClient(t, sharedRedis(t).Addr())
	opts = append([]redis.Option{redis.WithKeyPrefix(fmt.Sprintf("t%d:", prefixes.Add(1)))}, opts...)
	return redis.NewBackend(c, opts...), c
}

func TestConformance(t *testing.T) {
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
		b, _ := newBackend(t)
		return b
	})
}

func TestConformanceWithoutPrefix(t *testing.T) {
	// The suite's keys are random, so one unprefixed backend can serve every area.
	c := newClient(t, sharedRedis(t).Addr())
	b := redis.NewBackend(c)
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return b })
}

func TestConformanceRESP2(t *testing.T) {
	// Replies differ between RESP3 (go-redis' default) and RESP2: doubles, maps.
	c := goredis.NewClient(&goredis.Options{Addr: sharedRedis(t).Addr(), Protocol: 2})
	t.Cleanup(func() { _ = c.Close() })
	b := redis.NewBackend(c, redis.WithKeyPrefix("resp2:"))
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return b })
}

// TestConformanceContextTimeouts runs the suite with a client that bounds its socket
// I/O by context deadlines itself (as kvstoreurl's clients do), where the backend calls
// it on the caller's goroutine for contexts with a deadline.
func TestConformanceContextTimeouts(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: sharedRedis(t).Addr(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	b := redis.NewBackend(c, redis.WithKeyPrefix("ctxtimeouts:"))
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return b })
}

var ctx = context.Background()
