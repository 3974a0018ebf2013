package redis_test

import (
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/linearizability"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestLinearizable runs concurrent clients (Get, Set, SetNX, SetEQ, Delete, NIncrBy
// and atomic writes on a few keys) against a real redis-server, bare and behind one
// shared read cache, and checks each history with porcupine.
func TestLinearizable(t *testing.T) {
	srv := testservers.StartRedis(t)
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = client.Close() })
	cfg := linearizability.Config{Clients: 8, OpsPerClient: 200, Atomic: true, Seed: 2}

	b := redis.NewBackend(client, redis.WithKeyPrefix("bare:"))
	linearizability.Require(t, "redis", linearizability.Run(t.Context(), linearizability.NewBackendTarget(b, "k"), cfg))

	c := cache.New(redis.NewBackend(client, redis.WithKeyPrefix("cached:")))
	linearizability.Require(t, "redis+cache", linearizability.Run(t.Context(), linearizability.NewBackendTarget(c, "k"), cfg))
}
