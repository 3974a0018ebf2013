package commands

import "context"

// spec describes one command: its arity (Redis' convention: n > 0 exactly n words
// with the name, n < 0 at least -n), whether it writes, and how it runs singly, in a
// batch and in an atomic write.
type spec struct {
	name      string // lower case, for error texts
	arity     int
	maxArgs   int // most words with the name; 0: no limit
	pairs     int // the words from pairsFrom on come in groups of pairs
	pairsFrom int
	write     bool
	run       func(ctx context.Context, x *Executor, a []string) Reply
	// batch, when set, plans the command as kvstore batch operations; it returns
	// false for the forms it cannot answer exactly from a batch.
	batch func(a []string) (batchPlan, bool)
	// atomic, when set, plans the command as atomic-write operations; atomicOK
	// (optional) refuses the forms that cannot be.
	atomic   func(ctx context.Context, x *Executor, a []string) (atomicPlan, *Error)
	atomicOK func(a []string) bool
}

func (s *spec) canAtomic(a []string) bool {
	return s.atomic != nil && (s.atomicOK == nil || s.atomicOK(a))
}

// specs holds every supported command by upper-case name (filled in init to let the
// run functions refer back to the table without an initialization cycle).
var specs map[string]*spec

func init() {
	list := []*spec{
		// strings
		{name: "get", arity: 2, run: runGet, batch: batchGet},
		{name: "mget", arity: -2, run: runMGet, batch: batchMGet},
		{name: "set", arity: -3, write: true, run: runSet, batch: batchSet, atomic: atomicSet, atomicOK: setAtomicOK},
		{name: "mset", arity: -3, pairs: 2, pairsFrom: 1, write: true, run: runMSet, atomic: atomicMSet},
		{name: "setnx", arity: 3, write: true, run: runSetNX, atomic: atomicSetNX},
		{name: "del", arity: -2, write: true, run: runDel, atomic: atomicDel},
		{name: "exists", arity: -2, run: runExists},
		{name: "incr", arity: 2, write: true, run: runCounter(deltaIncr), atomic: atomicCounter(deltaIncr)},
		{name: "incrby", arity: 3, write: true, run: runCounter(deltaIncrBy), atomic: atomicCounter(deltaIncrBy)},
		{name: "decr", arity: 2, write: true, run: runCounter(deltaDecr), atomic: atomicCounter(deltaDecr)},
		{name: "decrby", arity: 3, write: true, run: runCounter(deltaDecrBy), atomic: atomicCounter(deltaDecrBy)},
		// expiry
		{name: "setex", arity: 4, write: true, run: runSetEX("setex", expEX), atomic: atomicSetEX("setex", expEX)},
		{name: "psetex", arity: 4, write: true, run: runSetEX("psetex", expPX), atomic: atomicSetEX("psetex", expPX)},
		{name: "getex", arity: -2, write: true, run: runGetEx},
		{name: "getdel", arity: 2, write: true, run: runGetDel},
		{name: "expire", arity: -3, write: true, run: runExpire("expire", true, true), atomic: atomicExpire("expire", true), atomicOK: expireAtomicOK},
		{name: "pexpire", arity: -3, write: true, run: runExpire("pexpire", false, true), atomic: atomicExpire("pexpire", false), atomicOK: expireAtomicOK},
		{name: "expireat", arity: -3, write: true, run: runExpire("expireat", true, false)},
		{name: "pexpireat", arity: -3, write: true, run: runExpire("pexpireat", false, false)},
		{name: "persist", arity: 2, write: true, run: runPersist},
		{name: "ttl", arity: 2, run: runTTL(ttlSeconds)},
		{name: "pttl", arity: 2, run: runTTL(ttlMillis)},
		{name: "expiretime", arity: 2, run: runTTL(expireTimeSeconds)},
		{name: "pexpiretime", arity: 2, run: runTTL(expireTimeMillis)},
		// sets
		{name: "sadd", arity: -3, write: true, run: runSAdd},
		{name: "srem", arity: -3, write: true, run: runSRem},
		{name: "smembers", arity: 2, run: runSMembers, batch: batchSMembers},
		{name: "sismember", arity: 3, run: runSIsMember},
		{name: "scard", arity: 2, run: runSCard},
		// hashes
		{name: "hset", arity: -4, pairs: 2, pairsFrom: 2, write: true, run: runHSet},
		{name: "hsetnx", arity: 4, write: true, run: runHSetNX, atomic: atomicHSetNX},
		{name: "hget", arity: 3, run: runHGet},
		{name: "hmget", arity: -3, run: runHMGet},
		{name: "hdel", arity: -3, write: true, run: runHDel},
		{name: "hgetall", arity: 2, run: runHGetAll, batch: batchHGetAll},
		{name: "hexists", arity: 3, run: runHExists},
		{name: "hlen", arity: 2, run: runHLen},
		// sorted sets
		{name: "zadd", arity: -4, write: true, run: runZAdd, atomic: atomicZAdd, atomicOK: zaddAtomicOK},
		{name: "zscore", arity: 3, run: runZScore, batch: batchZScore},
		{name: "zmscore", arity: -3, run: runZMScore, batch: batchZMScore},
		{name: "zrem", arity: -3, write: true, run: runZRem},
		{name: "zincrby", arity: 4, write: true, run: runZIncrBy},
		{name: "zcard", arity: 2, run: runZCard},
		{name: "zcount", arity: 4, run: runZCount},
		{name: "zlexcount", arity: 4, run: runZLexCount},
		{name: "zrange", arity: -4, run: runZRange},
		{name: "zrangebyscore", arity: -4, run: runZRangeByScore},
		{name: "zrevrangebyscore", arity: -4, run: runZRevRangeByScore},
		{name: "zrangebylex", arity: -4, run: runZRangeByLex},
		{name: "zrevrangebylex", arity: -4, run: runZRevRangeByLex},
		// server
		{name: "ping", arity: -1, maxArgs: 2, run: runPing},
		{name: "echo", arity: 2, run: runEcho},
	}
	specs = make(map[string]*spec, len(list))
	for _, s := range list {
		specs[upper(s.name)] = s
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// Names returns the names of the supported commands, upper case, in no order.
func Names() []string {
	out := make([]string, 0, len(specs))
	for n := range specs {
		out = append(out, n)
	}
	return out
}
