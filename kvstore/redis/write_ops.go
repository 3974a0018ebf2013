package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// writeCall is one call of the write script under construction: the operations'
// Redis keys and operands (see writeLua), and the kvstore key of each operation, to
// name in errors.
type writeCall struct {
	b        *Backend
	keys     []string
	keyIndex map[string]int
	args     []any
	userKeys []string
}

func (b *Backend) newWriteCall() *writeCall {
	return &writeCall{b: b, args: []any{"0"}}
}

// index returns the 1-based index of a Redis key in KEYS, adding it if needed.
// Calls of a few keys search them; larger ones index them in a map.
func (c *writeCall) index(k string) string {
	if c.keyIndex != nil {
		if i, ok := c.keyIndex[k]; ok {
			return strconv.Itoa(i)
		}
	} else {
		for i, x := range c.keys {
			if x == k {
				return strconv.Itoa(i + 1)
			}
		}
		if len(c.keys) == 8 {
			c.keyIndex = make(map[string]int, 2*kvstore.MaxAtomicWriteOperations)
			for i, x := range c.keys {
				c.keyIndex[x] = i + 1
			}
		}
	}
	c.keys = append(c.keys, k)
	if c.keyIndex != nil {
		c.keyIndex[k] = len(c.keys)
	}
	return strconv.Itoa(len(c.keys))
}

func (c *writeCall) add(userKey, code, k1, k2 string, operands ...any) {
	c.userKeys = append(c.userKeys, userKey)
	c.args[0] = strconv.Itoa(len(c.userKeys))
	c.args = append(c.args, code, c.index(k1), c.index(k2))
	c.args = append(c.args, operands...)
}

// itemLimit is how many bytes a set's members or a hash's fields may take in key's item.
func itemLimit(key string) string {
	return strconv.Itoa(kvstore.MaxItemSize - kvstore.ItemOverhead - len(key))
}

func (c *writeCall) set(key, cond, value, old string) {
	c.add(key, "S", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), cond, value, old)
}

// setex adds a SetEX (cond "") or SetNXEX (cond "NX") expiring ttl milliseconds after
// the script starts.
func (c *writeCall) setex(key, cond, value string, ttl int64) {
	c.add(key, "E", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), cond, strconv.FormatInt(ttl, 10), value)
}

// expire adds an Expire of all of key's Redis keys, ttl milliseconds after the script
// starts.
func (c *writeCall) expire(key string, ttl int64) {
	n := c.b.names(key)
	c.add(key, "P", n.value, n.zset, strconv.FormatInt(ttl, 10), c.index(n.size), c.index(n.zmembers))
}

func (c *writeCall) delete(key, cond string) {
	c.add(key, "D", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), cond)
}

func (c *writeCall) incr(key string, delta int64) {
	c.add(key, "I", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), strconv.FormatInt(delta, 10))
}

func (c *writeCall) zhadd(key, cond, field, member string, score float64) {
	c.add(key, "Z", c.b.redisKey(key, zsetKey), c.b.redisKey(key, zmembersKey), cond, formatScore(score), field, member)
}

func (c *writeCall) zhrem(key, field string) {
	c.add(key, "R", c.b.redisKey(key, zsetKey), c.b.redisKey(key, zmembersKey), field)
}

func (c *writeCall) sadd(key string, members []string) {
	members = distinct(members)
	ops := make([]any, 0, 2+len(members))
	ops = append(ops, itemLimit(key), strconv.Itoa(len(members)))
	for _, m := range members {
		ops = append(ops, m)
	}
	c.add(key, "A", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), ops...)
}

func (c *writeCall) srem(key string, members []string) {
	members = distinct(members)
	ops := make([]any, 0, 1+len(members))
	ops = append(ops, strconv.Itoa(len(members)))
	for _, m := range members {
		ops = append(ops, m)
	}
	c.add(key, "M", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), ops...)
}

func (c *writeCall) hset(key, cond string, fields []kvstore.HashField) {
	fields = lastFieldValues(fields)
	ops := make([]any, 0, 3+3*len(fields))
	ops = append(ops, cond, itemLimit(key), strconv.Itoa(len(fields)))
	for _, f := range fields {
		ops = append(ops, f.Field, f.Value, strconv.Itoa(kvstore.HashFieldSize(f.Field, 0)))
	}
	c.add(key, "H", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), ops...)
}

func (c *writeCall) hdel(key string, fields []string) {
	fields = distinct(fields)
	ops := make([]any, 0, 1+2*len(fields))
	ops = append(ops, strconv.Itoa(len(fields)))
	for _, f := range fields {
		ops = append(ops, f, strconv.Itoa(kvstore.HashFieldSize(f, 0)))
	}
	c.add(key, "X", c.b.redisKey(key, valueKey), c.b.redisKey(key, sizeKey), ops...)
}

// cmd returns the EVALSHA of the call, for a pipeline.
func (c *writeCall) cmd(ctx context.Context) *goredis.Cmd {
	return scriptCmd(ctx, writeScript, false, c.keys, c.args)
}

// writeReply is the write script's answer.
type writeReply struct {
	// ok is false when conditions failed and nothing was written.
	ok bool
	// results has one string per operation when ok (Delete: "1" if the key
	// existed; NIncrBy: the new value).
	results []string
	// failed are the 0-based indexes of the operations whose conditions failed.
	failed []int
}

// run runs the call in one round trip (two when the script must first be loaded).
func (c *writeCall) run(ctx context.Context) (writeReply, error) {
	cmd, err := c.b.runScript(ctx, writeScript, c.keys, c.args)
	if err != nil {
		return writeReply{}, err
	}
	return c.reply(cmd)
}

// reply decodes the script's reply, mapping its errors to kvstore's kinds.
func (c *writeCall) reply(cmd *goredis.Cmd) (writeReply, error) {
	v, err := cmd.Slice()
	if err != nil {
		return writeReply{}, c.mapError(err)
	}
	if len(v) == 0 {
		return writeReply{}, fmt.Errorf("kvstore/redis: empty reply from the write script")
	}
	var r writeReply
	r.ok = v[0] == int64(1)
	for _, x := range v[1:] {
		switch x := x.(type) {
		case string:
			r.results = append(r.results, x)
		case int64:
			r.failed = append(r.failed, int(x)-1)
		default:
			return writeReply{}, fmt.Errorf("kvstore/redis: unexpected %T in the write script's reply", x)
		}
	}
	return r, nil
}

// mapError maps an error of the write script: its own errors name the failing
// operation ("WRONGTYPE kvstore op 3"), Redis' errors map as for any command.
func (c *writeCall) mapError(err error) error {
	msg := err.Error()
	kind, rest, ok := strings.Cut(msg, " kvstore op ")
	if !ok {
		key := ""
		if len(c.userKeys) == 1 {
			key = c.userKeys[0]
		}
		return mapError(key, err)
	}
	fields := strings.Fields(rest)
	i, convErr := strconv.Atoi(fields[0])
	if convErr != nil || i < 1 || i > len(c.userKeys) {
		return fmt.Errorf("kvstore/redis: write script: %w", err)
	}
	key := c.userKeys[i-1]
	switch kind {
	case "WRONGTYPE":
		return kvstore.WrongTypef(key)
	case "NOTINTEGER":
		return fmt.Errorf("%w: the value at key %q is not a canonical decimal int64", kvstore.ErrNotInteger, truncate(key))
	case "OVERFLOW":
		return fmt.Errorf("%w: key %q: increment would overflow", kvstore.ErrNotInteger, truncate(key))
	case "TOOBIG":
		size := 0
		if len(fields) > 1 {
			size, _ = strconv.Atoi(fields[1])
		}
		if err := kvstore.CheckItemSize(key, kvstore.ItemOverhead+len(key)+size); err != nil {
			return err
		}
		return fmt.Errorf("%w: key %q: item would exceed %d bytes", kvstore.ErrInvalidArgument, truncate(key), kvstore.MaxItemSize)
	}
	return fmt.Errorf("kvstore/redis: write script: %w", err)
}

// distinct returns ss without repeats, in first-seen order.
func distinct(ss []string) []string {
	if len(ss) < 2 {
		return ss
	}
	seen := make(map[string]struct{}, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if _, dup := seen[s]; !dup {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

// lastFieldValues returns fields with one entry per field holding its last value,
// as setting them in order would leave them.
func lastFieldValues(fields []kvstore.HashField) []kvstore.HashField {
	if len(fields) < 2 {
		return fields
	}
	last := make(map[string]int, len(fields))
	for i, f := range fields {
		last[f.Field] = i
	}
	if len(last) == len(fields) {
		return fields
	}
	out := make([]kvstore.HashField, 0, len(last))
	for i, f := range fields {
		if last[f.Field] == i {
			out = append(out, f)
		}
	}
	return out
}
