package redis_test

import (
	"errors"
	"testing"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestZAddScript checks ZAdd's own script against what the write script does for
// ZHAdd: a field's sorted-hash member is dropped when ZAdd makes the member its
// field, keys of another type are refused with nothing written, and the script is
// sent again with EVAL after SCRIPT FLUSH.
func TestZAddScript(t *testing.T) {
	srv := testservers.StartRedis(t)
	raw := newClient(t, srv.Addr())
	b := redis.NewBackend(raw)

	if err := b.ZHAdd(ctx, "z", "f", "member of f", 1); err != nil {
		t.Fatal(err)
	}
	if err := b.ZAdd(ctx, "z", "f", 2); err != nil {
		t.Fatal(err)
	}
	if got, err := b.ZRangeByScoreWithScores(ctx, "z", 0, 10, 0); err != nil || len(got) != 1 || got[0].Value != "f" || got[0].Score != 2 {
		t.Errorf("after ZHAdd then ZAdd of its field: %v, %v; want [f with score 2]", got, err)
	}
	if n, _ := raw.Exists(ctx, "{z}:zh").Result(); n != 0 {
		t.Error("the field's sorted-hash member is still stored")
	}

	// Keys of another type (written by another tool) are refused before any write.
	if err := raw.Set(ctx, "{bad}:zh", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.ZAdd(ctx, "bad", "m", 1); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("ZAdd with a string in place of its members hash: %v, want ErrWrongType", err)
	}
	if n, _ := raw.Exists(ctx, "{bad}:z").Result(); n != 0 {
		t.Error("ZAdd refused with ErrWrongType wrote its sorted set")
	}
	if err := raw.Set(ctx, "{bad2}:z", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.ZAdd(ctx, "bad2", "m", 1); !errors.Is(err, kvstore.ErrWrongType) {
		t.Errorf("ZAdd with a string in place of its sorted set: %v, want ErrWrongType", err)
	}

	if err := raw.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.ZAdd(ctx, "z", "g", 3); err != nil {
		t.Fatalf("ZAdd after SCRIPT FLUSH: %v", err)
	}
	if s, err := b.ZScore(ctx, "z", "g"); err != nil || s == nil || *s != 3 {
		t.Errorf("ZScore after ZAdd following SCRIPT FLUSH = %v, %v", s, err)
	}
}
