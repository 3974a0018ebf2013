package redis

import (
	"context"
	"errors"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// trickyKeys are keys whose braces could confuse hash tags or naming.
var trickyKeys = []string{
	"a", "b", "user:1", "{user:1}", "{user:1}:cart", "{user:1}:cart:z", "user:1}", "}", "}}", "{", "{}",
	"{}x", "{}x}", "a{b", "a{b}c", "a}b{c", "{a}{b}", "{a{b}c}", "=", ":z", "{a}=", "{a}:z", "{a}:z=",
	"a}", "{a}", "{a}:n", "{a}:zh", "x:n", "x:z", "x:zh", "{x}:n", "_", "{_}", "é", "\x00", "\xff}",
}

func TestNamesAreDistinct(t *testing.T) {
	for _, prefix := range []string{"", "p:", "{app}:", "a{", "}"} {
		b := NewBackend(nil, WithKeyPrefix(prefix))
		owner := map[string]string{}
		for _, k := range trickyKeys {
			n := b.names(k)
			for _, rk := range []string{n.value, n.size, n.zset, n.zmembers} {
				if !strings.HasPrefix(rk, prefix) {
					t.Errorf("prefix %q: Redis key %q of %q lacks the prefix", prefix, rk, k)
				}
				if other, dup := owner[rk]; dup {
					t.Errorf("prefix %q: Redis key %q names data of both %q and %q", prefix, rk, other, k)
				}
				owner[rk] = k
			}
		}
	}
}

func TestNamesShareOneSlot(t *testing.T) {
	for _, prefix := range []string{"", "p:", "{app}:", "a{"} {
		b := NewBackend(nil, WithKeyPrefix(prefix))
		for _, k := range trickyKeys {
			n := b.names(k)
			slot := clusterSlot(n.value)
			for _, rk := range []string{n.size, n.zset, n.zmembers} {
				if clusterSlot(rk) != slot {
					t.Errorf("prefix %q: %q and %q (of key %q) are in different slots", prefix, n.value, rk, k)
				}
			}
		}
	}
}

func TestNamesKeepTheKeysClusterSlot(t *testing.T) {
	// Without a prefix, a key without "}" or with a hash tag lands in the slot Redis
	// Cluster gives the key itself, so user keys sharing a hash tag share a slot.
	b := NewBackend(nil)
	for _, k := range trickyKeys {
		_, tagged := hashTag(k)
		if strings.Contains(k, "}") && !tagged {
			continue
		}
		if got, want := clusterSlot(b.names(k).value), clusterSlot(k); got != want {
			t.Errorf("key %q: slot %d, want the key's own slot %d", k, got, want)
		}
	}
}

func TestNamesLayout(t *testing.T) {
	b := NewBackend(nil, WithKeyPrefix("app:"))
	for key, want := range map[string]names{
		"user:1":        {"app:{user:1}", "app:{user:1}:n", "app:{user:1}:z", "app:{user:1}:zh"},
		"{user:1}:cart": {"app:{user:1}={user:1}:cart", "app:{user:1}:n={user:1}:cart", "app:{user:1}:z={user:1}:cart", "app:{user:1}:zh={user:1}:cart"},
		"a}b":           {"app:{ab}=a}b", "app:{ab}:n=a}b", "app:{ab}:z=a}b", "app:{ab}:zh=a}b"},
		"}":             {"app:{_}=}", "app:{_}:n=}", "app:{_}:z=}", "app:{_}:zh=}"},
	} {
		if got := b.names(key); got != want {
			t.Errorf("names(%q) = %+v, want %+v", key, got, want)
		}
	}
}

func TestClusterSlot(t *testing.T) {
	// Values from the Redis Cluster specification and CLUSTER KEYSLOT.
	for key, want := range map[string]int{
		"123456789":            12739, // CRC16/XMODEM check value 0x31C3
		"foo":                  12182,
		"bar":                  5061,
		"{user1000}.following": clusterSlot("user1000"),
		"foo{}{bar}":           clusterSlot("foo{}{bar}"),
		"foo{{bar}}zap":        clusterSlot("{bar"),
		"foo{bar}{zap}":        clusterSlot("bar"),
	} {
		if got := clusterSlot(key); got != want {
			t.Errorf("clusterSlot(%q) = %d, want %d", key, got, want)
		}
	}
	if clusterSlot("foo{}{bar}") == clusterSlot("bar") {
		t.Error(`"foo{}{bar}" hashes as "bar", but an empty first tag means the whole key`)
	}
}

func TestAtomicWriteAcrossSlotsRefusedOnCluster(t *testing.T) {
	// The pre-check runs before anything is sent, so the cluster's address need not
	// answer: nothing listens on port 1.
	client := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer client.Close()
	b := NewBackend(client)
	w := b.AtomicWrite()
	w.Set("{user:1}:a", "x")
	w.Set("{user:2}:b", "y")
	ok, err := w.Exec(context.Background())
	if ok || !errors.Is(err, ErrCrossSlot) || !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Fatalf("Exec across slots = (%v, %v), want an ErrCrossSlot that is an ErrInvalidArgument", ok, err)
	}
	if err := b.checkColocated([]string{"{user:1}:a", "{user:1}:b", "user:1"}); err != nil {
		t.Errorf("keys sharing the hash tag user:1: %v", err)
	}
	if err := b.checkColocated([]string{"a", "b"}); !errors.Is(err, ErrCrossSlot) {
		t.Errorf("keys a and b (slots %d, %d): %v, want ErrCrossSlot", clusterSlot("a"), clusterSlot("b"), err)
	}

	ring := goredis.NewRing(&goredis.RingOptions{Addrs: map[string]string{"one": "127.0.0.1:1"}})
	defer ring.Close()
	rb := NewBackend(ring)
	if err := rb.checkColocated([]string{"{t}:a", "{t}:b"}); err != nil {
		t.Errorf("ring keys sharing a tag: %v", err)
	}
	if err := rb.checkColocated([]string{"a", "b"}); !errors.Is(err, ErrCrossSlot) {
		t.Errorf("ring keys without a common tag: %v, want ErrCrossSlot", err)
	}
}

func TestMapCrossSlotReply(t *testing.T) {
	err := mapError("k", goredisError("CROSSSLOT Keys in request don't hash to the same slot"))
	if !errors.Is(err, ErrCrossSlot) || !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Fatalf("mapError(CROSSSLOT) = %v, want ErrCrossSlot", err)
	}
}

// goredisError is a server error reply as go-redis reports it.
type goredisError string

func (e goredisError) Error() string { return string(e) }
func (goredisError) RedisError()     {}
