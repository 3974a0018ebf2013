package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// expiryLua runs the expiry calls that need more than one Redis command, in one
// round trip each. KEYS are the four Redis keys of one kvstore key: value, size,
// zset, zmembers. ARGV[1] names the call:
//
//	set mode get expiry ms value  SetArgs: SET value [NX|XX] [PX ms|PXAT ms|KEEPTTL] [GET];
//	                              when it set, DEL size (a string has no size key).
//	                              Answers {done} or {done, old}.
//	getex option ms               GetEx: GETEX [PX ms|PXAT ms|PERSIST]; when the key
//	                              held a string and its expiry changed, DEL size.
//	getdel                        GetDel: GETDEL, and DEL size when it deleted.
//	expire cond rel ms            Expire, ExpireAt, ExpireAtIf: the key's expiry (the
//	                              value's, else the sorted set's) checked against cond
//	                              (NX, XX, GT, LT or ""), then PEXPIREAT of all four
//	                              keys at ms (rel "1": ms after the server's TIME).
//	                              Answers 1 when it set the expiry, 0 otherwise.
//	persist                       Persist: PERSIST of all four keys. Answers 1 when the
//	                              value or the sorted set had an expiry.
//
// Errors of the commands (WRONGTYPE) are returned as they are.
const expiryLua = `
local v, n, z, zh = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local op = ARGV[1]
if op == 'set' then
  local mode, get, expiry = ARGV[2], ARGV[3] == '1', ARGV[4]
  local args = {'SET', v, ARGV[6]}
  if mode ~= '' then args[#args + 1] = mode end
  if expiry == 'KEEPTTL' then
    args[#args + 1] = expiry
  elseif expiry ~= '' then
    args[#args + 1] = expiry
    args[#args + 1] = ARGV[5]
  end
  if get then args[#args + 1] = 'GET' end
  local r = redis.pcall(unpack(args))
  if type(r) == 'table' and r.err then return r end
  local done
  if not get then
    done = r ~= false
  elseif mode == 'NX' then
    done = r == false
  elseif mode == 'XX' then
    done = r ~= false
  else
    done = true
  end
  local d = 0
  if done then
    d = 1
    redis.call('DEL', n)
  end
  if get and r then return {d, r} end
  return {d}
elseif op == 'getex' then
  local args = {'GETEX', v}
  if ARGV[2] == 'PERSIST' then
    args[3] = 'PERSIST'
  elseif ARGV[2] ~= '' then
    args[3], args[4] = ARGV[2], ARGV[3]
  end
  local r = redis.pcall(unpack(args))
  if type(r) == 'table' and r.err then return r end
  if r and ARGV[2] ~= '' then redis.call('DEL', n) end
  return r
elseif op == 'getdel' then
  local r = redis.pcall('GETDEL', v)
  if type(r) == 'table' and r.err then return r end
  if r then redis.call('DEL', n) end
  return r
elseif op == 'expire' then
  local cond, at = ARGV[2], tonumber(ARGV[4])
  if ARGV[3] == '1' then
    local t = redis.call('TIME')
    at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + at
  end
  if at < 1 then at = 1 end
  local cur = redis.call('PEXPIRETIME', v)
  if cur == -2 then cur = redis.call('PEXPIRETIME', z) end
  if cur == -2 then return 0 end
  if cur == -1 then cur = 0 end
  if (cond == 'NX' and cur ~= 0) or (cond == 'XX' and cur == 0) or
     (cond == 'GT' and (cur == 0 or at <= cur)) or (cond == 'LT' and cur ~= 0 and at >= cur) then
    return 0
  end
  local s = string.format('%d', at)
  for _, k in ipairs(KEYS) do redis.call('PEXPIREAT', k, s) end
  return 1
elseif op == 'persist' then
  local had = 0
  if redis.call('PERSIST', v) == 1 then had = 1 end
  if redis.call('PERSIST', z) == 1 then had = 1 end
  redis.call('PERSIST', n)
  redis.call('PERSIST', zh)
  return had
end
return redis.error_reply('ERR kvstore: unknown expiry call ' .. tostring(op))
`

var expiryScript = goredis.NewScript(expiryLua)

// maxMillis bounds the expiry times and TTLs sent to Redis (about 142,000 years), so
// that the scripts' arithmetic on them, in doubles, stays exact.
const maxMillis = 1 << 52

// clampMillis returns ms, or maxMillis when ms is larger. Values below 1 stay: they
// mean a time that has passed.
func clampMillis(ms int64) int64 {
	return min(ms, maxMillis)
}

// atMillis returns t in Unix milliseconds for Redis: at least 1 (an absolute time
// before 1970 has passed as much as 1 ms after it has), at most maxMillis.
func atMillis(t time.Time) int64 {
	return max(1, clampMillis(t.UnixMilli()))
}

// runExpiry runs one call of the expiry script on key.
func (b *Backend) runExpiry(ctx context.Context, key string, args ...any) (*goredis.Cmd, error) {
	n := b.names(key)
	return b.runScript(ctx, expiryScript, []string{n.value, n.size, n.zset, n.zmembers}, args)
}

// SetArgs implements kvstore.Expirer: one EVALSHA of the expiry script, which runs SET
// with NX or XX, PX (from the server's clock), PXAT or KEEPTTL, and GET as asked, and
// deletes the size key a set or hash the SET replaced may have left.
func (b *Backend) SetArgs(ctx context.Context, key string, value any, a kvstore.SetArgs) (kvstore.SetResult, error) {
	if _, _, err := kvstore.ExpiryMillis(time.Now(), a); err != nil {
		return kvstore.SetResult{}, err
	}
	s, err := stringValue(key, value)
	if err != nil {
		return kvstore.SetResult{}, err
	}
	expiry, ms := "", int64(0)
	switch {
	case a.TTL != 0:
		ttl, _ := kvstore.TTLMillis(a.TTL) // checked by ExpiryMillis
		expiry, ms = "PX", clampMillis(ttl)
	case !a.ExpireAt.IsZero():
		expiry, ms = "PXAT", atMillis(a.ExpireAt)
	case a.KeepTTL:
		expiry = "KEEPTTL"
	}
	cmd, err := b.runExpiry(ctx, key, "set", string(a.Mode), flag(a.Get), expiry, strconv.FormatInt(ms, 10), s)
	if err != nil {
		return kvstore.SetResult{}, err
	}
	v, err := cmd.Slice()
	if err != nil {
		return kvstore.SetResult{}, mapError(key, err)
	}
	var r kvstore.SetResult
	if len(v) == 0 {
		return r, fmt.Errorf("kvstore/redis: empty reply from the expiry script")
	}
	r.Done = v[0] == int64(1)
	if len(v) > 1 {
		old, ok := v[1].(string)
		if !ok {
			return kvstore.SetResult{}, fmt.Errorf("kvstore/redis: unexpected %T in the expiry script's reply", v[1])
		}
		r.Old = &old
	}
	return r, nil
}

// SetEX implements kvstore.Expirer: SetArgs with a TTL.
func (b *Backend) SetEX(ctx context.Context, key string, value any, ttl time.Duration) error {
	if _, err := kvstore.TTLMillis(ttl); err != nil {
		return err
	}
	_, err := b.SetArgs(ctx, key, value, kvstore.SetArgs{TTL: ttl})
	return err
}

// SetNXEX implements kvstore.Expirer: SetArgs with NX and a TTL.
func (b *Backend) SetNXEX(ctx context.Context, key string, value any, ttl time.Duration) (bool, error) {
	if _, err := kvstore.TTLMillis(ttl); err != nil {
		return false, err
	}
	r, err := b.SetArgs(ctx, key, value, kvstore.SetArgs{Mode: kvstore.SetIfAbsent, TTL: ttl})
	return r.Done, err
}

// GetEx implements kvstore.Expirer: GET without options, else one EVALSHA of the
// expiry script (GETEX, which changes the value's expiry only).
func (b *Backend) GetEx(ctx context.Context, key string, a kvstore.GetExArgs) (*string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, err
	}
	n := 0
	option, ms := "", int64(0)
	if a.TTL != 0 {
		n++
		ttl, err := kvstore.TTLMillis(a.TTL)
		if err != nil {
			return nil, err
		}
		option, ms = "PX", clampMillis(ttl)
	}
	if !a.ExpireAt.IsZero() {
		n++
		option, ms = "PXAT", atMillis(a.ExpireAt)
	}
	if a.Persist {
		n++
		option = "PERSIST"
	}
	if n > 1 {
		return nil, kvstore.InvalidArgumentf("GetEx: at most one of TTL, ExpireAt and Persist")
	}
	if n == 0 {
		return b.Get(ctx, key)
	}
	cmd, err := b.runExpiry(ctx, key, "getex", option, strconv.FormatInt(ms, 10))
	if err != nil {
		return nil, err
	}
	return optionalText(key, cmd)
}

// GetDel implements kvstore.Expirer with one EVALSHA of the expiry script (GETDEL,
// and DEL of a size key left beside the string).
func (b *Backend) GetDel(ctx context.Context, key string) (*string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, err
	}
	cmd, err := b.runExpiry(ctx, key, "getdel")
	if err != nil {
		return nil, err
	}
	return optionalText(key, cmd)
}

// optionalText reads a script's string reply, nil for Redis' nil.
func optionalText(key string, cmd *goredis.Cmd) (*string, error) {
	s, err := cmd.Text()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, mapError(key, err)
	}
	return &s, nil
}

// Expire implements kvstore.Expirer: PEXPIREAT of every Redis key of key, ttl after
// the server's clock, in one EVALSHA of the expiry script. A ttl under a millisecond
// deletes the key.
func (b *Backend) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return b.expire(ctx, key, kvstore.ExpireAlways, true, clampMillis(ttl.Milliseconds()))
}

// ExpireAt implements kvstore.Expirer: PEXPIREAT of every Redis key of key, in one
// EVALSHA of the expiry script.
func (b *Backend) ExpireAt(ctx context.Context, key string, at time.Time) (bool, error) {
	return b.expire(ctx, key, kvstore.ExpireAlways, false, atMillis(at))
}

// ExpireAtIf implements kvstore.Expirer: as ExpireAt, after checking cond against the
// key's expiry (its value's, else its sorted data's) in the same script.
func (b *Backend) ExpireAtIf(ctx context.Context, key string, at time.Time, cond kvstore.ExpireCondition) (bool, error) {
	return b.expire(ctx, key, cond, false, atMillis(at))
}

// expireConds are the expiry script's names of the ExpireConditions.
var expireConds = [...]string{kvstore.ExpireAlways: "", kvstore.ExpireNX: "NX", kvstore.ExpireXX: "XX",
	kvstore.ExpireGT: "GT", kvstore.ExpireLT: "LT"}

func (b *Backend) expire(ctx context.Context, key string, cond kvstore.ExpireCondition, rel bool, ms int64) (bool, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return false, err
	}
	if cond < 0 || int(cond) >= len(expireConds) {
		return false, kvstore.InvalidArgumentf("unknown expire condition %d", int(cond))
	}
	cmd, err := b.runExpiry(ctx, key, "expire", expireConds[cond], flag(rel), strconv.FormatInt(ms, 10))
	if err != nil {
		return false, err
	}
	n, err := cmd.Int64()
	if err != nil {
		return false, mapError(key, err)
	}
	return n == 1, nil
}

// Persist implements kvstore.Expirer: PERSIST of every Redis key of key, in one
// EVALSHA of the expiry script.
func (b *Backend) Persist(ctx context.Context, key string) (bool, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return false, err
	}
	cmd, err := b.runExpiry(ctx, key, "persist")
	if err != nil {
		return false, err
	}
	n, err := cmd.Int64()
	if err != nil {
		return false, mapError(key, err)
	}
	return n == 1, nil
}

// TTL implements kvstore.Expirer: PTTL of the value and of the sorted set, pipelined
// in one round trip, so that the answer comes from the server's clock. The value's
// answers when it exists, else the sorted set's.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return 0, err
	}
	value := goredis.NewIntCmd(ctx, "pttl", b.redisKey(key, valueKey))
	sorted := goredis.NewIntCmd(ctx, "pttl", b.redisKey(key, zsetKey))
	if err := b.roundTrip(ctx, value, sorted); err != nil {
		return 0, err
	}
	for _, cmd := range []*goredis.IntCmd{value, sorted} {
		ms, err := cmd.Result()
		if err != nil {
			return 0, mapError(key, err)
		}
		switch {
		case ms == -2:
			continue
		case ms == -1:
			return kvstore.NoExpiry, nil
		case ms < 1:
			ms = 1 // not expired yet as Redis saw it
		}
		return time.Duration(ms) * time.Millisecond, nil
	}
	return kvstore.KeyAbsent, nil
}
