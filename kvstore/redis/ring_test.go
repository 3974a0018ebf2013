package redis_test

import (
	"errors"
	"strconv"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestRing runs the sharded paths on a go-redis Ring of two real servers: batches
// whose scripts must be loaded on every shard, and atomic writes that must keep to
// one hash tag.
func TestRing(t *testing.T) {
	one, two := testservers.StartRedis(t), testservers.StartRedis(t)
	ring := goredis.NewRing(&goredis.RingOptions{Addrs: map[string]string{"one": one.Addr(), "two": two.Addr()}})
	t.Cleanup(func() { _ = ring.Close() })
	b := redis.NewBackend(ring)

	batch := b.Batch()
	var writes []kvstore.ErrorResult
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		writes = append(writes, batch.Set(k, i), batch.SAdd(k, "m"), batch.ZAdd(k, "m", float64(i)))
	}
	if err := batch.Exec(ctx); err == nil {
		t.Fatal("batch of Set then SAdd on one key succeeded; want WRONGTYPE for the SAdds")
	}
	for i, r := range writes {
		err := r.Result()
		if i%3 == 1 {
			if !errors.Is(err, kvstore.ErrWrongType) {
				t.Errorf("SAdd after Set in one batch: %v, want ErrWrongType", err)
			}
		} else if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	for _, srv := range []*testservers.Redis{one, two} {
		n, err := newClient(t, srv.Addr()).DBSize(ctx).Result()
		if err != nil || n == 0 {
			t.Errorf("shard %s holds %d keys (%v): the ring did not spread them", srv.Addr(), n, err)
		}
	}
	reads := b.Batch()
	scores := make([]kvstore.ZScoreResult, 100)
	for i := range scores {
		scores[i] = reads.ZScore("k"+strconv.Itoa(i), "m")
	}
	if err := reads.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, r := range scores {
		if got, err := r.Result(); err != nil || got == nil || *got != float64(i) {
			t.Errorf("ZScore of k%d = %v, %v", i, got, err)
		}
	}

	w := b.AtomicWrite()
	w.Set("{user:1}:a", "x")
	w.SAdd("{user:1}:b", "y")
	w.ZAdd("user:1", "z", 1)
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Errorf("atomic write within one hash tag = %v, %v", ok, err)
	}
	w = b.AtomicWrite()
	w.Set("{user:1}:a", "x")
	w.Set("{user:2}:a", "x")
	if ok, err := w.Exec(ctx); ok || !errors.Is(err, redis.ErrCrossSlot) {
		t.Errorf("atomic write across hash tags = %v, %v; want ErrCrossSlot", ok, err)
	}
}
