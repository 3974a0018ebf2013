package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"
)

// writeLua applies a list of write operations all or nothing. Every write that needs
// more than one plain command (a type check, a condition, a size check, a sorted-hash
// member) goes through it: single operations as a list of one, batches as one call
// per operation, atomic writes as one call for all of them.
//
// KEYS are the Redis keys the operations touch. ARGV[1] is the number of operations;
// each operation follows as: code, index in KEYS of its first and second key, then
// its operands:
//
//	S cond value old                  Set (cond "", NX, XX or EQ): keys value, size
//	E cond ttl value                  SetEX (cond "") or SetNXEX (cond NX): keys value, size
//	P ttl size zmembers               Expire: keys value, zset; size and zmembers are
//	                                  indexes in KEYS too
//	D cond                            Delete (cond "" or XX): keys value, size
//	I n                               NIncrBy: keys value, size
//	Z cond score field member         ZHAdd (cond "" or NX): keys zset, zmembers
//	R field                           ZHRem: keys zset, zmembers
//	A limit count member...           SAdd: keys value, size
//	M count member...                 SRem: keys value, size
//	H cond limit count (field value namesize)...   HSet (cond "" or NX): keys value, size
//	X count (field namesize)...       HDel: keys value, size
//
// Phase one reads and checks everything; any error (wrong type, not an integer, too
// big) returns before anything is written. If conditions failed it returns
// {0, index...} (1-based) and writes nothing; otherwise phase two writes everything
// and it returns {1, result...} with one string per operation (Delete: "1" when the
// key existed; NIncrBy: the new value).
//
// The size key holds the set's or hash's share of the item size (members' bytes, or
// fields' HashFieldSize) so that a size check costs O(operands), not O(members). It
// is trusted only while the value key holds a set or hash: creating one starts from
// 0, and a set or hash without a size key (written by other tools) is counted once.
//
// Counters are added as decimal strings: Lua numbers are doubles and would round
// int64s.
//
// Expiry: a kvstore key's Redis keys expire together. TTLs (whole milliseconds) count
// from the server's TIME, read once per call. Set, SetEX and SetNXEX write with SET,
// which replaces the value's expiry; NIncrBy writes with SET KEEPTTL, which keeps it.
// A size key or zmembers hash written beside an expiring value or sorted set gets its
// expiry (PEXPIRETIME, then SET PXAT or PEXPIREAT). Expire is PEXPIREAT on all four
// Redis keys of its key (a time passed deletes them), on condition that the value or
// the sorted set exists.
const writeLua = `
local nops = tonumber(ARGV[1])
local pos = 2
local function arg()
  local a = ARGV[pos]
  pos = pos + 1
  return a
end

local function reply(kind, i, extra)
  local msg = kind .. ' kvstore op ' .. i
  if extra then msg = msg .. ' ' .. extra end
  return redis.error_reply(msg)
end

-- the type of each key before any write (operations on one item are unique, so
-- phase one reads the state every operation starts from)
local types = {}
local function typeof(k)
  local t = types[k]
  if not t then
    t = redis.call('TYPE', k)['ok']
    types[k] = t
  end
  return t
end

-- int64 arithmetic on canonical decimal strings
local INT64_MAX, INT64_MIN_ABS = '9223372036854775807', '9223372036854775808'
local function cmpabs(a, b)
  if #a ~= #b then
    if #a < #b then return -1 end
    return 1
  end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      if x < y then return -1 end
      return 1
    end
  end
  return 0
end
local function splitint(s)
  if s == '0' then return false, '0' end
  local neg, d = false, s
  if string.sub(s, 1, 1) == '-' then neg, d = true, string.sub(s, 2) end
  if not string.find(d, '^[1-9][0-9]*$') then return nil end
  local bound = INT64_MAX
  if neg then bound = INT64_MIN_ABS end
  if cmpabs(d, bound) > 0 then return nil end
  return neg, d
end
local function digits(rev, k)
  local out = {}
  for m = k, 1, -1 do out[#out + 1] = string.char(48 + rev[m]) end
  return table.concat(out)
end
local function addabs(a, b)
  local rev, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local s = carry
    if i > 0 then s = s + string.byte(a, i) - 48; i = i - 1 end
    if j > 0 then s = s + string.byte(b, j) - 48; j = j - 1 end
    if s >= 10 then rev[#rev + 1] = s - 10; carry = 1 else rev[#rev + 1] = s; carry = 0 end
  end
  return digits(rev, #rev)
end
local function subabs(a, b)
  local rev, borrow, i, j = {}, 0, #a, #b
  while i > 0 do
    local s = string.byte(a, i) - 48 - borrow
    if j > 0 then s = s - (string.byte(b, j) - 48); j = j - 1 end
    if s < 0 then s = s + 10; borrow = 1 else borrow = 0 end
    rev[#rev + 1] = s
    i = i - 1
  end
  local k = #rev
  while k > 1 and rev[k] == 0 do k = k - 1 end
  return digits(rev, k)
end
local function decadd(x, y)
  local xn, xd = splitint(x)
  local yn, yd = splitint(y)
  local neg, d
  if xn == yn then
    neg, d = xn, addabs(xd, yd)
  else
    local c = cmpabs(xd, yd)
    if c == 0 then return '0' end
    if c > 0 then neg, d = xn, subabs(xd, yd) else neg, d = yn, subabs(yd, xd) end
  end
  if d == '0' then return '0' end
  local bound = INT64_MAX
  if neg then bound = INT64_MIN_ABS end
  if cmpabs(d, bound) > 0 then return nil end
  if neg then return '-' .. d end
  return d
end

-- HashFieldSize's share of a field name: 2 + its length, or its base64 length when
-- it is not valid UTF-8 (as Go's utf8.ValidString decides).
local function validutf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = string.byte(s, i)
    if c < 0x80 then
      i = i + 1
    elseif c >= 0xC2 and c <= 0xDF then
      local c2 = string.byte(s, i + 1)
      if not c2 or c2 < 0x80 or c2 > 0xBF then return false end
      i = i + 2
    elseif c >= 0xE0 and c <= 0xEF then
      local c2, c3 = string.byte(s, i + 1, i + 2)
      if not c3 then return false end
      local lo, hi = 0x80, 0xBF
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
      if c2 < lo or c2 > hi or c3 < 0x80 or c3 > 0xBF then return false end
      i = i + 3
    elseif c >= 0xF0 and c <= 0xF4 then
      local c2, c3, c4 = string.byte(s, i + 1, i + 3)
      if not c4 then return false end
      local lo, hi = 0x80, 0xBF
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
      if c2 < lo or c2 > hi or c3 < 0x80 or c3 > 0xBF or c4 < 0x80 or c4 > 0xBF then return false end
      i = i + 4
    else
      return false
    end
  end
  return true
end
local function namesize(f)
  local n = #f
  if not validutf8(f) then n = math.floor((n + 2) / 3) * 4 end
  return 2 + n
end

-- the set's or hash's share of its item size
local function currentsize(t, v, sizekey)
  if t == 'none' then return 0 end
  local s = redis.call('GET', sizekey)
  if s then return tonumber(s) end
  local total = 0
  if t == 'set' then
    for _, m in ipairs(redis.call('SMEMBERS', v)) do total = total + #m end
  else
    local all = redis.call('HGETALL', v)
    for i = 1, #all, 2 do total = total + namesize(all[i]) + #all[i + 1] end
  end
  return total
end

-- the server's time in Unix milliseconds, read once
local nowms
local function now()
  if not nowms then
    local t = redis.call('TIME')
    nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return nowms
end

-- runs cmd [key] on list in slices, as unpack takes a few thousand values at most
local function chunked(cmd, key, list)
  for s = 1, #list, 1000 do
    local e = s + 999
    if e > #list then e = #list end
    if key then
      redis.call(cmd, key, unpack(list, s, e))
    else
      redis.call(cmd, unpack(list, s, e))
    end
  end
end

-- stores the size key of the set or hash at v, with v's expiry
local function storesize(v, sizekey, size)
  local exp = redis.call('PEXPIRETIME', v)
  if exp == -2 then
    redis.call('DEL', sizekey)
  elseif exp > 0 then
    redis.call('SET', sizekey, string.format('%d', size), 'PXAT', string.format('%d', exp))
  else
    redis.call('SET', sizekey, string.format('%d', size))
  end
end

-- phase one: read and check
local ops, failed = {}, {}
for i = 1, nops do
  local c = arg()
  local op = {code = c, k1 = KEYS[tonumber(arg())], k2 = KEYS[tonumber(arg())]}
  ops[i] = op
  if c == 'S' then
    op.cond, op.val, op.old = arg(), arg(), arg()
    if op.cond == 'NX' then
      if typeof(op.k1) ~= 'none' then failed[#failed + 1] = i end
    elseif op.cond == 'XX' then
      if typeof(op.k1) == 'none' then failed[#failed + 1] = i end
    elseif op.cond == 'EQ' then
      if typeof(op.k1) ~= 'string' or redis.call('GET', op.k1) ~= op.old then failed[#failed + 1] = i end
    end
  elseif c == 'E' then
    op.cond, op.ttl, op.val = arg(), tonumber(arg()), arg()
    if op.cond == 'NX' and typeof(op.k1) ~= 'none' then failed[#failed + 1] = i end
  elseif c == 'P' then
    op.ttl, op.k3, op.k4 = tonumber(arg()), KEYS[tonumber(arg())], KEYS[tonumber(arg())]
    if typeof(op.k1) == 'none' and typeof(op.k2) == 'none' then failed[#failed + 1] = i end
  elseif c == 'D' then
    op.cond = arg()
    op.existed = typeof(op.k1) ~= 'none'
    if op.cond == 'XX' and not op.existed then failed[#failed + 1] = i end
  elseif c == 'I' then
    op.n = arg()
    local t = typeof(op.k1)
    if t ~= 'none' and t ~= 'string' then return reply('WRONGTYPE', i) end
    local cur = '0'
    if t == 'string' then cur = redis.call('GET', op.k1) end
    local _, curdigits = splitint(cur)
    if not curdigits then return reply('NOTINTEGER', i) end
    op.result = decadd(cur, op.n)
    if not op.result then return reply('OVERFLOW', i) end
  elseif c == 'Z' or c == 'R' then
    if c == 'Z' then
      op.cond, op.score, op.field, op.member = arg(), arg(), arg(), arg()
    else
      op.field = arg()
    end
    local t1, t2 = typeof(op.k1), typeof(op.k2)
    if (t1 ~= 'none' and t1 ~= 'zset') or (t2 ~= 'none' and t2 ~= 'hash') then return reply('WRONGTYPE', i) end
    op.members = t2 == 'hash'
    if op.cond == 'NX' and redis.call('ZSCORE', op.k1, op.field) then failed[#failed + 1] = i end
  elseif c == 'A' or c == 'M' then
    local limit
    if c == 'A' then limit = tonumber(arg()) end
    local count = tonumber(arg())
    op.list = {}
    for j = 1, count do op.list[j] = arg() end
    local t = typeof(op.k1)
    if t ~= 'none' and t ~= 'set' then return reply('WRONGTYPE', i) end
    op.t = t
    local size = currentsize(t, op.k1, op.k2)
    for _, m in ipairs(op.list) do
      local member = t == 'set' and redis.call('SISMEMBER', op.k1, m) == 1
      if c == 'A' and not member then size = size + #m end
      if c == 'M' and member then size = size - #m end
    end
    if c == 'A' and size > limit then return reply('TOOBIG', i, string.format('%d', size)) end
    op.size = size
  elseif c == 'H' or c == 'X' then
    local limit
    if c == 'H' then op.cond, limit = arg(), tonumber(arg()) end
    local count = tonumber(arg())
    op.list = {}
    local t = typeof(op.k1)
    if t ~= 'none' and t ~= 'hash' then return reply('WRONGTYPE', i) end
    op.t = t
    local size = currentsize(t, op.k1, op.k2)
    for _ = 1, count do
      local f = arg()
      local val
      if c == 'H' then val = arg() end
      local ns = tonumber(arg())
      local present = t == 'hash' and redis.call('HEXISTS', op.k1, f) == 1
      if present then size = size - ns - redis.call('HSTRLEN', op.k1, f) end
      if c == 'H' then
        size = size + ns + #val
        op.list[#op.list + 1] = f
        op.list[#op.list + 1] = val
        if op.cond == 'NX' and present then failed[#failed + 1] = i end
      else
        op.list[#op.list + 1] = f
      end
    end
    if c == 'H' and size > limit then return reply('TOOBIG', i, string.format('%d', size)) end
    op.size = size
  else
    return redis.error_reply('ERR kvstore: unknown write operation ' .. tostring(c))
  end
end
if #failed > 0 then
  local out = {0}
  for _, i in ipairs(failed) do out[#out + 1] = i end
  return out
end

-- phase two: write. Strings are set by one MSET and keys dropped by one DEL: each
-- redis.call costs about a microsecond. No key is written by two operations (an
-- Expire's key has no value operation beside it; sorted operations write at once).
local results, msets, dels = {1}, {}, {}
for i = 1, nops do
  local op = ops[i]
  local c = op.code
  local r = ''
  if c == 'S' then
    msets[#msets + 1] = op.k1
    msets[#msets + 1] = op.val
    dels[#dels + 1] = op.k2
  elseif c == 'E' then
    redis.call('SET', op.k1, op.val, 'PXAT', string.format('%d', now() + op.ttl))
    dels[#dels + 1] = op.k2
  elseif c == 'P' then
    local at = string.format('%d', now() + op.ttl)
    for _, k in ipairs({op.k1, op.k3, op.k2, op.k4}) do redis.call('PEXPIREAT', k, at) end
  elseif c == 'D' then
    dels[#dels + 1] = op.k1
    dels[#dels + 1] = op.k2
    if op.existed then r = '1' else r = '0' end
  elseif c == 'I' then
    if op.n ~= '0' then redis.call('SET', op.k1, op.result, 'KEEPTTL') end
    r = op.result
  elseif c == 'Z' then
    redis.call('ZADD', op.k1, op.score, op.field)
    if op.member ~= op.field then
      redis.call('HSET', op.k2, op.field, op.member)
      local exp = redis.call('PEXPIRETIME', op.k1)
      if exp > 0 then redis.call('PEXPIREAT', op.k2, string.format('%d', exp)) end
    elseif op.members then
      redis.call('HDEL', op.k2, op.field)
    end
  elseif c == 'R' then
    redis.call('ZREM', op.k1, op.field)
    if op.members then redis.call('HDEL', op.k2, op.field) end
  elseif c == 'A' then
    chunked('SADD', op.k1, op.list)
    storesize(op.k1, op.k2, op.size)
  elseif c == 'H' then
    chunked('HSET', op.k1, op.list)
    storesize(op.k1, op.k2, op.size)
  elseif (c == 'M' and op.t == 'set') or (c == 'X' and op.t == 'hash') then
    if c == 'M' then chunked('SREM', op.k1, op.list) else chunked('HDEL', op.k1, op.list) end
    storesize(op.k1, op.k2, op.size)
  end
  results[#results + 1] = r
end
if #msets > 0 then chunked('MSET', nil, msets) end
if #dels > 0 then chunked('DEL', nil, dels) end
return results
`

// rangeLua reads a range of a sorted set or sorted hash and returns its members
// (with their scores as strings when asked), in one round trip.
//
// KEYS: zset, zmembers. ARGV: BYSCORE or BYLEX, "1" for descending order, min, max,
// limit ("0" for none), "1" for scores, and optionally "1" to append the zset's PTTL
// (as a string) to the reply, for a read cache (see readexpiry.go). A script sees time
// stand still, so the PTTL is that of the data the script read.
const rangeLua = `
local by, rev, min, max, limit, ws = ARGV[1], ARGV[2] == '1', ARGV[3], ARGV[4], ARGV[5], ARGV[6] == '1'
local function reply(r)
  if ARGV[7] == '1' then r[#r + 1] = tostring(redis.call('PTTL', KEYS[1])) end
  return r
end
local args
if rev then
  args = {'ZRANGE', KEYS[1], max, min, by, 'REV'}
else
  args = {'ZRANGE', KEYS[1], min, max, by}
end
if limit ~= '0' then
  args[#args + 1] = 'LIMIT'
  args[#args + 1] = '0'
  args[#args + 1] = limit
end
if ws then args[#args + 1] = 'WITHSCORES' end
local r = redis.call(unpack(args))
if #r == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return reply(r) end
local step = 1
if ws then step = 2 end
local i = 1
while i <= #r do
  local fields, idx = {}, {}
  while i <= #r and #fields < 1000 do
    fields[#fields + 1] = r[i]
    idx[#idx + 1] = i
    i = i + step
  end
  local ms = redis.call('HMGET', KEYS[2], unpack(fields))
  for j = 1, #idx do
    if ms[j] then r[idx[j]] = ms[j] end
  end
end
return reply(r)
`

var (
	writeScript = goredis.NewScript(writeLua)
	rangeScript = goredis.NewScript(rangeLua)
)

// scriptCmd returns an EVALSHA (or, with eval, an EVAL) of script.
func scriptCmd(ctx context.Context, script *goredis.Script, eval bool, keys []string, args []any) *goredis.Cmd {
	all := make([]any, 0, 3+len(keys)+len(args))
	if eval {
		all = append(all, "eval", scriptSource(script))
	} else {
		all = append(all, "evalsha", script.Hash())
	}
	all = append(all, len(keys))
	for _, k := range keys {
		all = append(all, k)
	}
	all = append(all, args...)
	return goredis.NewCmd(ctx, all...)
}

func scriptSource(script *goredis.Script) string {
	switch script {
	case writeScript:
		return writeLua
	case zaddScript:
		return zaddLua
	case expiryScript:
		return expiryLua
	}
	return rangeLua
}

// runScript runs script with EVALSHA, and again with EVAL when Redis answers
// NOSCRIPT (first use since the server started, or after SCRIPT FLUSH): one round
// trip, two at most. EVAL leaves the script cached for the next EVALSHA.
func (b *Backend) runScript(ctx context.Context, script *goredis.Script, keys []string, args []any) (*goredis.Cmd, error) {
	cmd := scriptCmd(ctx, script, false, keys, args)
	if err := b.roundTrip(ctx, cmd); err != nil {
		return nil, err
	}
	if isNoScript(cmd.Err()) {
		cmd = scriptCmd(ctx, script, true, keys, args)
		if err := b.roundTrip(ctx, cmd); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

// loadScriptsOnShards loads the write script on every shard of a Redis Cluster or
// Ring, once per backend (and again after a NOSCRIPT), so that batches can use
// EVALSHA: there a pipeline cannot carry SCRIPT LOAD, which would reach one node only.
func (b *Backend) loadScriptsOnShards(ctx context.Context) error {
	if b.shared.clusterScriptsLoaded.Load() {
		return nil
	}
	cmd := goredis.NewStringCmd(ctx, "script", "load", writeLua)
	var loadErr error
	err := b.call(ctx, []goredis.Cmder{cmd}, func(ctx context.Context) {
		switch c := b.client.(type) {
		case *goredis.Ring:
			loadErr = c.ForEachShard(ctx, func(ctx context.Context, shard *goredis.Client) error {
				return shard.ScriptLoad(ctx, writeLua).Err()
			})
		default: // ClusterClient.ScriptLoad loads on every shard
			loadErr = b.client.ScriptLoad(ctx, writeLua).Err()
		}
		cmd.SetErr(loadErr)
	})
	if err != nil {
		return err
	}
	if loadErr != nil {
		return mapError("", loadErr)
	}
	b.shared.clusterScriptsLoaded.Store(true)
	return nil
}
