package redis

import (
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// ErrCrossSlot is the kind of the error an atomic write returns, before sending
// anything, when its keys live in different Redis Cluster hash slots (or, on a Ring,
// carry different hash tags): one Lua script cannot span them. Give the keys a common
// hash tag, such as "{user:1}:profile" and "{user:1}:cart". The error also matches
// kvstore.ErrInvalidArgument. A CROSSSLOT reply from the server maps to it too.
var ErrCrossSlot = errors.New("kvstore/redis: keys of one atomic write must share a Redis Cluster hash slot (give them a common {hash tag})")

// topology is how the client spreads keys over servers.
type topology int

const (
	topologySingle  topology = iota // one server (or a failover group): any keys go together
	topologyCluster                 // Redis Cluster: a script's keys must share a slot
	topologyRing                    // go-redis Ring: a script's keys must share a hash tag
)

func topologyOf(client goredis.UniversalClient) topology {
	switch client.(type) {
	case *goredis.ClusterClient:
		return topologyCluster
	case *goredis.Ring:
		return topologyRing
	}
	return topologySingle
}

// contextTimeoutsEnabled reports whether client bounds its socket reads and writes
// by the context's deadline (ContextTimeoutEnabled in its options).
func contextTimeoutsEnabled(client goredis.UniversalClient) bool {
	switch c := client.(type) {
	case *goredis.Client:
		return c.Options().ContextTimeoutEnabled
	case *goredis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *goredis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return false
}

// crossSlotError returns an ErrCrossSlot naming two user keys that cannot go together.
func crossSlotError(a, b string) error {
	return fmt.Errorf("%w: %w: keys %q and %q", kvstore.ErrInvalidArgument, ErrCrossSlot, truncate(a), truncate(b))
}

// checkColocated returns an ErrCrossSlot unless the Redis keys of all the user keys can
// go in one script on this topology. Each user key's own Redis keys always share a
// slot, so comparing one Redis key per user key is enough.
func (b *Backend) checkColocated(userKeys []string) error {
	if b.shared.topology == topologySingle || len(userKeys) < 2 {
		return nil
	}
	first := b.redisKey(userKeys[0], valueKey)
	for _, k := range userKeys[1:] {
		other := b.redisKey(k, valueKey)
		same := false
		switch b.shared.topology {
		case topologyCluster:
			same = clusterSlot(first) == clusterSlot(other)
		case topologyRing:
			same = slotKey(first) == slotKey(other)
		}
		if !same {
			return crossSlotError(userKeys[0], k)
		}
	}
	return nil
}

// slotKey returns the part of a Redis key that Redis Cluster (and go-redis' Ring)
// hashes: its hash tag, or the whole key.
func slotKey(key string) string {
	if tag, ok := hashTag(key); ok {
		return tag
	}
	return key
}

// clusterSlot returns a Redis key's Redis Cluster hash slot: CRC16 (XMODEM) of its
// slot key, modulo 16384.
func clusterSlot(key string) int {
	var crc uint16
	for _, c := range []byte(slotKey(key)) {
		crc ^= uint16(c) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
