package redis_test

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestRawLayout checks the data layout the package documentation promises, as
// redis-cli would show it.
func TestRawLayout(t *testing.T) {
	b, raw := newBackend(t, redis.WithKeyPrefix("layout:"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.Set(ctx, "greeting", "hello"))
	must(b.SAdd(ctx, "tags", "a", "bc"))
	must(b.HSet(ctx, "user:1", "name", "ann", kvstore.KeyValue{Key: "age", Value: 42}))
	must(b.ZAdd(ctx, "board", "ann", 1.5))
	must(b.ZHAdd(ctx, "board", "bob-id", "bob", 2))
	must(b.ZAdd(ctx, "greeting", "beside", 0)) // sorted data beside a string
	must(b.Set(ctx, "{u}:cart", "3"))

	keys, err := raw.Keys(ctx, "layout:*").Result()
	must(err)
	slices.Sort(keys)
	want := []string{
		"layout:{board}:z", "layout:{board}:zh", "layout:{greeting}", "layout:{greeting}:z",
		"layout:{tags}", "layout:{tags}:n", "layout:{user:1}", "layout:{user:1}:n", "layout:{u}={u}:cart",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("Redis keys = %q, want %q", keys, want)
	}
	if v, _ := raw.Get(ctx, "layout:{greeting}").Result(); v != "hello" {
		t.Errorf("GET layout:{greeting} = %q", v)
	}
	if v, _ := raw.SMembers(ctx, "layout:{tags}").Result(); len(v) != 2 {
		t.Errorf("SMEMBERS layout:{tags} = %q", v)
	}
	if v, _ := raw.Get(ctx, "layout:{tags}:n").Result(); v != "3" {
		t.Errorf("size counter of the set = %q, want 3 (the members' bytes)", v)
	}
	if v, _ := raw.HGetAll(ctx, "layout:{user:1}").Result(); !maps.Equal(v, map[string]string{"name": "ann", "age": "42"}) {
		t.Errorf("HGETALL layout:{user:1} = %q", v)
	}
	wantHashSize := kvstore.HashFieldSize("name", 3) + kvstore.HashFieldSize("age", 2)
	if v, _ := raw.Get(ctx, "layout:{user:1}:n").Result(); v != strconv.Itoa(wantHashSize) {
		t.Errorf("size counter of the hash = %q, want %d", v, wantHashSize)
	}
	if v, _ := raw.ZRangeWithScores(ctx, "layout:{board}:z", 0, -1).Result(); len(v) != 2 || v[0].Member != "ann" || v[1].Member != "bob-id" {
		t.Errorf("ZRANGE layout:{board}:z = %v, want fields ann, bob-id", v)
	}
	if v, _ := raw.HGetAll(ctx, "layout:{board}:zh").Result(); !maps.Equal(v, map[string]string{"bob-id": "bob"}) {
		t.Errorf("HGETALL layout:{board}:zh = %q, want only the member that differs from its field", v)
	}

	// ZAdd over a sorted-hash field makes the member the field again.
	must(b.ZAdd(ctx, "board", "bob-id", 3))
	if n, _ := raw.Exists(ctx, "layout:{board}:zh").Result(); n != 0 {
		t.Errorf("zmembers hash still exists after ZAdd made every member its field")
	}
	// Delete removes the value and its size counter, not the sorted data.
	if ok, err := b.Delete(ctx, "tags"); !ok || err != nil {
		t.Errorf("Delete = %v, %v", ok, err)
	}
	if n, _ := raw.Exists(ctx, "layout:{tags}", "layout:{tags}:n").Result(); n != 0 {
		t.Errorf("%d of the set's keys remain after Delete", n)
	}
	// Removing the last field drops the hash and its counter.
	must(b.HDel(ctx, "user:1", "name", "age"))
	if n, _ := raw.Exists(ctx, "layout:{user:1}", "layout:{user:1}:n").Result(); n != 0 {
		t.Errorf("%d of the hash's keys remain after HDel of every field", n)
	}
}

// TestSizeCounterRebuilt checks that a set or hash written by another tool (without
// a size counter) is counted exactly on first use, so the item limit still holds.
func TestSizeCounterRebuilt(t *testing.T) {
	b, raw := newBackend(t, redis.WithKeyPrefix("rebuild:"))
	big := strings.Repeat("x", 100_000)
	members := []any{big + "1", big + "2", big + "3", "4"}
	if err := raw.SAdd(ctx, "rebuild:{s}", members...).Err(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, m := range members {
		total += len(m.(string))
	}
	room := kvstore.MaxItemSize - kvstore.SetItemSize("s", total)
	err := b.SAdd(ctx, "s", strings.Repeat("y", room+1))
	if !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Fatalf("SAdd one byte past the limit onto a set without a counter: %v, want ErrInvalidArgument", err)
	}
	if n, _ := raw.SCard(ctx, "rebuild:{s}").Result(); n != 4 {
		t.Errorf("set has %d members after a refused SAdd, want 4", n)
	}
	if err := b.SAdd(ctx, "s", strings.Repeat("y", room)); err != nil {
		t.Fatalf("SAdd that just fits: %v", err)
	}
	if v, _ := raw.Get(ctx, "rebuild:{s}:n").Result(); v != strconv.Itoa(total+room) {
		t.Errorf("size counter = %s, want %d", v, total+room)
	}

	// Hash fields count as kvstore.HashFieldSize does, base64 for invalid UTF-8.
	fields := map[string]string{
		"ascii": "v", "é": "vv", "\xff\xfe": "x", "a\x80": "", "\xed\xa0\x80": "surrogate",
		"\xf0\x9f\x98\x80": "emoji", "\xf4\x90\x80\x80": "too high", "\xc0\xaf": "overlong", "\xe0\x80\xaf": "overlong3", "abc\xe2\x82": "cut",
	}
	want := 0
	args := []any{}
	for f, v := range fields {
		want += kvstore.HashFieldSize(f, len(v))
		args = append(args, f, v)
	}
	if err := raw.HSet(ctx, "rebuild:{h}", args...).Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.HSet(ctx, "h", "ascii", "w"); err != nil {
		t.Fatal(err)
	}
	if v, _ := raw.Get(ctx, "rebuild:{h}:n").Result(); v != strconv.Itoa(want) {
		t.Errorf("rebuilt hash size counter = %s, want %d (kvstore.HashFieldSize)", v, want)
	}
}

// TestStaleSizeCounterIgnored checks that a counter left beside a string (Set over a
// set leaves it) is not trusted when a new set starts.
func TestStaleSizeCounterIgnored(t *testing.T) {
	b, raw := newBackend(t, redis.WithKeyPrefix("stale:"))
	if err := b.SAdd(ctx, "k", strings.Repeat("a", 300_000)); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(ctx, "k", "now a string"); err != nil {
		t.Fatal(err)
	}
	if err := raw.Del(ctx, "stale:{k}").Err(); err != nil { // as another tool might
		t.Fatal(err)
	}
	if err := b.SAdd(ctx, "k", strings.Repeat("b", 300_000)); err != nil {
		t.Fatalf("SAdd of a new set beside a stale counter: %v", err)
	}
	if v, _ := raw.Get(ctx, "stale:{k}:n").Result(); v != "300000" {
		t.Errorf("size counter = %s, want 300000", v)
	}
}
