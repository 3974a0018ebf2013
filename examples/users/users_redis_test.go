package users_test

import (
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestStoreRedis runs the user store's scenarios on a real redis-server (skipped
// without one, failing when CI is set).
func TestStoreRedis(t *testing.T) {
	server := testservers.StartRedis(t)
	RunStoreTests(t, func(t *testing.T) kvstore.Backend {
		client := goredis.NewClient(&goredis.Options{Addr: server.Addr()})
		t.Cleanup(func() { _ = client.Close() })
		return redis.NewBackend(client)
	})
}
