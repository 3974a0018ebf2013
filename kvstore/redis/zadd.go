package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// zaddLua is ZAdd's own script: the write script's Z operation for a member that is
// its own field (the type checks, ZADD, and HDEL of a sorted-hash member the field
// had), in four Redis calls. The general write script spends about ten microseconds
// of Lua on its setup alone, which doubled a ZAdd's time (issue 12).
//
// KEYS: zset, zmembers. ARGV: score, field. It answers {1} as the write script does.
const zaddLua = `
local t1, t2 = redis.call('TYPE', KEYS[1])['ok'], redis.call('TYPE', KEYS[2])['ok']
if (t1 ~= 'none' and t1 ~= 'zset') or (t2 ~= 'none' and t2 ~= 'hash') then
  return redis.error_reply('WRONGTYPE kvstore op 1')
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if t2 == 'hash' then redis.call('HDEL', KEYS[2], ARGV[2]) end
return {1}
`

var zaddScript = goredis.NewScript(zaddLua)

// zadd is ZHAdd(ctx, key, member, member, score) in one EVALSHA of zaddLua.
func (b *Backend) zadd(ctx context.Context, key, member string, score float64) error {
	if err := kvstore.ValidateKey(key); err != nil {
		return err
	}
	member, score, err := kvstore.SortedEntry(key, member, member, score)
	if err != nil {
		return err
	}
	keys := []string{b.redisKey(key, zsetKey), b.redisKey(key, zmembersKey)}
	cmd, err := b.runScript(ctx, zaddScript, keys, []any{formatScore(score), member})
	if err != nil {
		return err
	}
	_, err = (&writeCall{b: b, userKeys: []string{key}}).reply(cmd)
	return err
}
