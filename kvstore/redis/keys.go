package redis

import "strings"

// names are the Redis keys that hold one kvstore key's data. They all carry the same
// hash tag, so that Redis Cluster keeps them in one slot (see the package
// documentation for the rule and why it is injective).
type names struct {
	value    string // the string, counter, set or hash
	size     string // the set's or hash's size counter (bytes counted as DynamoDB does)
	zset     string // the sorted set of fields with their scores
	zmembers string // sorted-hash members that differ from their fields
}

// The kinds of Redis keys a kvstore key has.
const (
	valueKey = iota
	sizeKey
	zsetKey
	zmembersKey
)

// suffixes are what follows the hash tag of a key without "}", by kind of Redis key;
// markers are what comes between the hash tag and a key holding "}".
var (
	suffixes = [...]string{"", ":n", ":z", ":zh"}
	markers  = [...]string{"=", ":n=", ":z=", ":zh="}
)

// redisKey returns one of the Redis keys of key.
//
// A key without "}" is wrapped whole in a hash tag, so its slot is the one Redis
// Cluster gives the key itself: "user:1" becomes "{user:1}", "{user:1}:n",
// "{user:1}:z" and "{user:1}:zh". A key holding "}" keeps its own hash tag (or, if it
// has none, its text without "}") in front of a marker and the whole key:
// "{user:1}:cart" becomes "{user:1}={user:1}:cart", "{user:1}:n={user:1}:cart",
// "{user:1}:z={user:1}:cart" and "{user:1}:zh={user:1}:cart".
//
// The naming is injective: after the prefix and "{", the first "}" ends the tag; what
// follows is one of the suffixes (which hold no "}") for a key without "}", or a
// marker and the key (which holds "}") otherwise, and no marker is a prefix of another.
func (b *Backend) redisKey(key string, kind int) string {
	if !strings.Contains(key, "}") {
		return b.prefix + "{" + key + "}" + suffixes[kind]
	}
	return b.prefix + "{" + tagOf(key) + "}" + markers[kind] + key
}

// names returns all the Redis keys of key.
func (b *Backend) names(key string) names {
	return names{
		value:    b.redisKey(key, valueKey),
		size:     b.redisKey(key, sizeKey),
		zset:     b.redisKey(key, zsetKey),
		zmembers: b.redisKey(key, zmembersKey),
	}
}

// tagOf returns the hash tag the Redis keys of a key holding "}" share: the key's own
// hash tag when it has one, else the key without "}" (or "}" alone becomes "_"), so
// that the tag never holds "}" and is never empty.
func tagOf(key string) string {
	if tag, ok := hashTag(key); ok {
		return tag
	}
	tag := strings.ReplaceAll(key, "}", "")
	if tag == "" {
		return "_"
	}
	return tag
}

// hashTag returns the part of key that Redis Cluster hashes when the key has a hash
// tag: what lies between the first "{" and the first "}" after it, when not empty.
func hashTag(key string) (string, bool) {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return "", false
	}
	end := strings.IndexByte(key[open+1:], '}')
	if end <= 0 {
		return "", false
	}
	return key[open+1 : open+1+end], true
}
