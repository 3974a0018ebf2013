package commands_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// fakeClock is the time of a memory backend and an executor, moved by the tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is the fake clock's start: Unix time 1,900,000,000 s.
var t0 = time.UnixMilli(1_900_000_000_000)

func newClocked() (*commands.Executor, *fakeClock) {
	clk := &fakeClock{t: t0}
	return commands.NewExecutor(memory.NewBackend(memory.WithClock(clk.Now)), commands.WithClock(clk.Now)), clk
}

// wait is a scenario step that moves the clock forward by ms milliseconds.
func wait(ms int) []string { return []string{"+wait", strconv.Itoa(ms)} }

// runClocked runs scenario steps on a fresh memory backend with a fake clock.
func runClocked(t *testing.T, steps []step) {
	t.Helper()
	x, clk := newClocked()
	for i, s := range steps {
		if len(s.cmd) == 2 && s.cmd[0] == "+wait" {
			ms, _ := strconv.Atoi(s.cmd[1])
			clk.advance(time.Duration(ms) * time.Millisecond)
			continue
		}
		check(t, i, s.cmd, exec(x, s.cmd), s.want)
	}
}

func expireTime(cmd string) errT { return errT("ERR invalid expire time in '" + cmd + "' command") }

func TestExpiry(t *testing.T) {
	ok := any(okStatus)
	tests := map[string][]step{
		"set ex px": {
			{c("SET", "k", "v", "EX", "10"), ok},
			{c("TTL", "k"), i64(10)},
			{c("PTTL", "k"), i64(10000)},
			{c("EXPIRETIME", "k"), i64(1_900_000_010)},
			{c("PEXPIRETIME", "k"), i64(1_900_000_010_000)},
			{wait(9999), nil},
			{c("PTTL", "k"), i64(1)},
			{c("TTL", "k"), i64(0)},
			{c("GET", "k"), "v"},
			{wait(1), nil},
			{c("GET", "k"), nil},
			{c("TTL", "k"), i64(-2)},
			{c("PTTL", "k"), i64(-2)},
			{c("EXPIRETIME", "k"), i64(-2)},
			{c("PEXPIRETIME", "k"), i64(-2)},
			{c("set", "k", "v", "px", "1500"), ok},
			{c("TTL", "k"), i64(2)}, // rounded to the nearest second, as Redis
			{wait(1000), nil},
			{c("PTTL", "k"), i64(500)},
			{c("TTL", "k"), i64(1)},
			{c("SET", "k", "w"), ok}, // a plain SET clears the expiry
			{c("TTL", "k"), i64(-1)},
			{c("PTTL", "k"), i64(-1)},
			{c("EXPIRETIME", "k"), i64(-1)},
			{c("PEXPIRETIME", "k"), i64(-1)},
			{wait(1000), nil},
			{c("GET", "k"), "w"},
		},
		"set exat pxat keepttl": {
			{c("SET", "k", "v", "EXAT", "1900000100"), ok},
			{c("PTTL", "k"), i64(100_000)},
			{c("EXPIRETIME", "k"), i64(1_900_000_100)},
			{c("SET", "k", "w", "KEEPTTL"), ok},
			{c("GET", "k"), "w"},
			{c("PTTL", "k"), i64(100_000)},
			{c("SET", "k", "v", "PXAT", "1900000000500"), ok},
			{c("PTTL", "k"), i64(500)},
			{c("SET", "k", "v", "PXAT", "1"), ok}, // a time that has passed: no key
			{c("GET", "k"), nil},
			{c("TTL", "k"), i64(-2)},
			{c("SET", "n", "v", "KEEPTTL"), ok},
			{c("TTL", "n"), i64(-1)},
		},
		"set errors": {
			{c("SET", "k", "old"), ok},
			{c("SET", "k", "v", "EX", "0"), expireTime("set")},
			{c("SET", "k", "v", "EX", "-1"), expireTime("set")},
			{c("SET", "k", "v", "PX", "0"), expireTime("set")},
			{c("SET", "k", "v", "EXAT", "0"), expireTime("set")},
			{c("SET", "k", "v", "PXAT", "-5"), expireTime("set")},
			{c("SET", "k", "v", "EX", "9223372036854775807"), expireTime("set")},
			{c("SET", "k", "v", "PX", "9223372036854775807"), expireTime("set")},
			{c("SET", "k", "v", "PX", "9223372036855"), expireTime("set")}, // beyond ~292 years: kvlambda's limit
			{c("SET", "k", "v", "EXAT", "9223372036854775"), expireTime("set")},
			{c("SET", "k", "v", "EX", "1.5"), notInt},
			{c("SET", "k", "v", "EX", "+1"), notInt},
			{c("SET", "k", "v", "EX"), syntaxErr},
			{c("SET", "k", "v", "EX", "10", "PX", "10"), syntaxErr},
			{c("SET", "k", "v", "KEEPTTL", "EX", "10"), syntaxErr},
			{c("SET", "k", "v", "EX", "10", "KEEPTTL"), syntaxErr},
			{c("SET", "k", "v", "EXAT", "10", "PXAT", "10"), syntaxErr},
			{c("SET", "k", "v", "PERSIST"), syntaxErr},
			{c("SET", "k", "v", "EX", "x", "BOGUS"), syntaxErr}, // options before the time
			{c("GET", "k"), "old"},
			{c("TTL", "k"), i64(-1)},
			{c("SET", "k", "v", "EX", "10", "EX", "20"), ok}, // the same option twice: the last wins
			{c("TTL", "k"), i64(20)},
			{c("SET", "k", "v", "KEEPTTL", "KEEPTTL"), ok},
			{c("TTL", "k"), i64(20)},
			{c("SADD", "s", "m"), i64(1)},
			{c("SET", "s", "v", "EX", "0", "GET"), expireTime("set")}, // the time is checked before the type
			{c("SET", "s", "v", "EX", "10", "GET"), wrongType},
			{c("SMEMBERS", "s"), arr("m")},
		},
		"set conditions and get with expiry": {
			{c("SET", "k", "v1", "NX", "EX", "10"), ok},
			{c("SET", "k", "v2", "NX", "EX", "10"), nil},
			{c("SET", "k", "v3", "XX", "PX", "500"), ok},
			{c("PTTL", "k"), i64(500)},
			{c("SET", "k", "v4", "NX", "GET", "EX", "5"), "v3"},
			{c("GET", "k"), "v3"},
			{c("SET", "k", "v5", "XX", "GET", "KEEPTTL"), "v3"},
			{c("PTTL", "k"), i64(500)},
			{c("SET", "k", "v6", "GET"), "v5"},
			{c("TTL", "k"), i64(-1)},
			{c("SET", "m", "v", "XX", "EX", "5"), nil},
			{c("SET", "m", "v", "XX", "GET", "EX", "5"), nil},
			{c("GET", "m"), nil},
			{c("SET", "m", "v", "GET", "PX", "300"), nil},
			{c("PTTL", "m"), i64(300)},
		},
		"the lock idiom": {
			{c("SET", "lock", "a", "NX", "PX", "500"), ok},
			{c("SET", "lock", "b", "NX", "PX", "500"), nil},
			{wait(499), nil},
			{c("SET", "lock", "b", "NX", "PX", "500"), nil},
			{wait(1), nil},
			{c("SET", "lock", "b", "NX", "PX", "500"), ok},
			{c("GET", "lock"), "b"},
			{c("SETNX", "lock", "c"), i64(0)},
			{wait(500), nil},
			{c("SETNX", "lock", "c"), i64(1)},
			{c("TTL", "lock"), i64(-1)},
		},
		"setex psetex": {
			{c("SETEX", "k", "10", "v"), ok},
			{c("TTL", "k"), i64(10)},
			{c("GET", "k"), "v"},
			{c("psetex", "k", "250", "w"), ok},
			{c("PTTL", "k"), i64(250)},
			{c("SETEX", "k", "0", "v"), expireTime("setex")},
			{c("PSETEX", "k", "-1", "v"), expireTime("psetex")},
			{c("SETEX", "k", "x", "v"), notInt},
			{c("SETEX", "k", "10"), wrongArgs("setex")},
			{c("PSETEX", "k", "10", "v", "NX"), wrongArgs("psetex")},
			{c("GET", "k"), "w"},
			{wait(250), nil},
			{c("GET", "k"), nil},
			{c("SADD", "s", "m"), i64(1)},
			{c("SETEX", "s", "10", "v"), ok}, // replaces any kind, as SET does
			{c("GET", "s"), "v"},
		},
		"getex": {
			{c("GETEX", "k"), nil},
			{c("GETEX", "k", "EX", "0"), nil}, // an absent key replies nil before the time is checked
			{c("GETEX", "k", "EX"), syntaxErr},
			{c("SET", "k", "v"), ok},
			{c("GETEX", "k"), "v"},
			{c("TTL", "k"), i64(-1)},
			{c("GETEX", "k", "EX", "10"), "v"},
			{c("TTL", "k"), i64(10)},
			{c("getex", "k", "px", "2500"), "v"},
			{c("PTTL", "k"), i64(2500)},
			{c("GETEX", "k", "EXAT", "1900000100"), "v"},
			{c("EXPIRETIME", "k"), i64(1_900_000_100)},
			{c("GETEX", "k", "PERSIST"), "v"},
			{c("TTL", "k"), i64(-1)},
			{c("GETEX", "k", "PXAT", "1900000000200"), "v"},
			{c("PTTL", "k"), i64(200)},
			{c("GETEX", "k", "EX", "0"), expireTime("getex")},
			{c("GETEX", "k", "PX", "-1"), expireTime("getex")},
			{c("GETEX", "k", "EX", "abc"), notInt},
			{c("GETEX", "k", "EX", "10", "PX", "10"), syntaxErr},
			{c("GETEX", "k", "PERSIST", "EX", "10"), syntaxErr},
			{c("GETEX", "k", "EX", "10", "PERSIST"), syntaxErr},
			{c("GETEX", "k", "NX"), syntaxErr},
			{c("GETEX", "k", "KEEPTTL"), syntaxErr},
			{c("GETEX", "k", "GET"), syntaxErr},
			{c("PTTL", "k"), i64(200)},
			{c("GETEX", "k", "PXAT", "1"), "v"}, // a time that has passed deletes the key
			{c("GET", "k"), nil},
			{c("SADD", "s", "m"), i64(1)},
			{c("GETEX", "s"), wrongType},
			{c("GETEX", "s", "EX", "0"), wrongType},
			{c("GETEX"), wrongArgs("getex")},
		},
		"getdel": {
			{c("GETDEL", "k"), nil},
			{c("SET", "k", "v", "EX", "10"), ok},
			{c("GETDEL", "k"), "v"},
			{c("GET", "k"), nil},
			{c("TTL", "k"), i64(-2)},
			{c("SADD", "s", "m"), i64(1)},
			{c("GETDEL", "s"), wrongType},
			{c("SMEMBERS", "s"), arr("m")},
			{c("GETDEL"), wrongArgs("getdel")},
			{c("GETDEL", "a", "b"), wrongArgs("getdel")},
		},
		"expire": {
			{c("EXPIRE", "k", "10"), i64(0)},
			{c("TTL", "k"), i64(-2)},
			{c("SET", "k", "v"), ok},
			{c("EXPIRE", "k", "10"), i64(1)},
			{c("TTL", "k"), i64(10)},
			{c("PEXPIRE", "k", "1500"), i64(1)},
			{c("PTTL", "k"), i64(1500)},
			{c("EXPIREAT", "k", "1900000100"), i64(1)},
			{c("EXPIRETIME", "k"), i64(1_900_000_100)},
			{c("PEXPIREAT", "k", "1900000000300"), i64(1)},
			{c("PEXPIRETIME", "k"), i64(1_900_000_000_300)},
			{c("PTTL", "k"), i64(300)},
			{c("PERSIST", "k"), i64(1)},
			{c("PERSIST", "k"), i64(0)},
			{c("PERSIST", "missing"), i64(0)},
			{c("TTL", "k"), i64(-1)},
			{c("EXPIRE", "k", "0"), i64(1)}, // deletes
			{c("GET", "k"), nil},
			{c("EXPIRE", "k", "10"), i64(0)},
			{c("SET", "k", "v"), ok},
			{c("EXPIRE", "k", "-5"), i64(1)},
			{c("GET", "k"), nil},
			{c("SET", "k", "v"), ok},
			{c("EXPIREAT", "k", "5"), i64(1)},
			{c("GET", "k"), nil},
			{c("SET", "k", "v"), ok},
			{c("PEXPIREAT", "k", "0"), i64(1)},
			{c("GET", "k"), nil},
			{c("SET", "k", "v"), ok},
			{c("PEXPIREAT", "k", "-9223372036854775808"), i64(1)},
			{c("GET", "k"), nil},
			{c("SET", "k", "v"), ok},
			{c("PEXPIRE", "k", "-9223372036854775808"), i64(1)},
			{c("GET", "k"), nil},
			{c("SET", "k", "v"), ok},
			{c("EXPIREAT", "k", "-9223372036854775", "LT"), i64(1)},
			{c("GET", "k"), nil},
			{c("SET", "k", "v"), ok},
			{c("PEXPIRE", "k", "1"), i64(1)},
			{wait(1), nil},
			{c("GET", "k"), nil},
			{c("PERSIST", "k"), i64(0)},
		},
		"expire errors": {
			{c("SET", "k", "v"), ok},
			{c("EXPIRE", "k", "x"), notInt},
			{c("EXPIRE", "k", "1.5"), notInt},
			{c("EXPIRE", "k", "10", "BOGUS"), errT("ERR Unsupported option BOGUS")},
			{c("EXPIRE", "k", "x", "bogus"), errT("ERR Unsupported option bogus")}, // options before the time
			{c("EXPIRE", "k", "10", "NX", "XX"), errT("ERR NX and XX, GT or LT options at the same time are not compatible")},
			{c("EXPIRE", "k", "10", "GT", "NX"), errT("ERR NX and XX, GT or LT options at the same time are not compatible")},
			{c("EXPIRE", "k", "10", "GT", "LT"), errT("ERR GT and LT options at the same time are not compatible")},
			{c("EXPIRE", "k", "9223372036854776"), expireTime("expire")},
			{c("EXPIRE", "k", "-9223372036854776"), expireTime("expire")},
			{c("PEXPIRE", "k", "9223372036854775807"), expireTime("pexpire")},
			{c("EXPIREAT", "k", "9223372036854776"), expireTime("expireat")},
			{c("PEXPIREAT", "k", "9223372036854775807"), expireTime("pexpireat")}, // beyond kvlambda's ~292 years
			{c("EXPIRE", "k"), wrongArgs("expire")},
			{c("PEXPIREAT", "k"), wrongArgs("pexpireat")},
			{c("TTL"), wrongArgs("ttl")},
			{c("PTTL", "a", "b"), wrongArgs("pttl")},
			{c("EXPIRETIME"), wrongArgs("expiretime")},
			{c("PEXPIRETIME"), wrongArgs("pexpiretime")},
			{c("PERSIST"), wrongArgs("persist")},
			{c("GET", "k"), "v"},
			{c("TTL", "k"), i64(-1)},
			{c("EXPIRE", "k", "9223372036"), i64(1)}, // about 292 years: the most kvlambda takes (Redis takes more)
		},
		"expire conditions": {
			{c("SET", "k", "v"), ok},
			{c("EXPIRE", "k", "100", "XX"), i64(0)},
			{c("EXPIRE", "k", "100", "GT"), i64(0)}, // no expiry counts as infinite
			{c("EXPIRE", "k", "100", "NX"), i64(1)},
			{c("EXPIRE", "k", "200", "nx"), i64(0)},
			{c("EXPIRE", "k", "50", "GT"), i64(0)},
			{c("EXPIRE", "k", "200", "GT"), i64(1)},
			{c("TTL", "k"), i64(200)},
			{c("EXPIRE", "k", "300", "LT"), i64(0)},
			{c("EXPIRE", "k", "100", "LT"), i64(1)},
			{c("TTL", "k"), i64(100)},
			{c("EXPIRE", "k", "150", "XX"), i64(1)},
			{c("EXPIRE", "k", "50", "XX", "GT"), i64(0)},
			{c("EXPIRE", "k", "160", "XX", "GT"), i64(1)},
			{c("TTL", "k"), i64(160)},
			{c("PEXPIRE", "k", "10000", "XX", "LT"), i64(1)},
			{c("TTL", "k"), i64(10)},
			{c("EXPIRE", "k", "-1", "NX"), i64(0)}, // the condition fails: nothing deleted
			{c("GET", "k"), "v"},
			{c("PERSIST", "k"), i64(1)},
			{c("EXPIRE", "k", "10", "XX", "LT"), i64(0)},
			{c("TTL", "k"), i64(-1)},
			{c("EXPIRE", "k", "10", "LT"), i64(1)},
			{c("TTL", "k"), i64(10)},
			{c("EXPIREAT", "k", "1900000020", "GT"), i64(1)},
			{c("TTL", "k"), i64(20)},
			{c("PEXPIREAT", "k", "1", "LT"), i64(1)}, // a time that has passed deletes
			{c("GET", "k"), nil},
			{c("EXPIRE", "missing", "10", "NX"), i64(0)},
			{c("EXPIRE", "missing", "10", "LT"), i64(0)},
			{c("EXPIRE", "missing", "10", "XX", "LT"), i64(0)},
		},
		"expiry of other kinds": {
			{c("ZADD", "z", "1", "m"), i64(1)},
			{c("TTL", "z"), i64(-1)},
			{c("EXPIRE", "z", "10"), i64(1)},
			{c("TTL", "z"), i64(10)},
			{c("SADD", "s", "a"), i64(1)},
			{c("PEXPIRE", "s", "500"), i64(1)},
			{c("SADD", "s", "b"), i64(1)}, // keeps the expiry
			{c("PTTL", "s"), i64(500)},
			{c("HSET", "h", "f", "v"), i64(1)},
			{c("EXPIRE", "h", "1"), i64(1)},
			{c("INCR", "n"), i64(1)},
			{c("EXPIRE", "n", "1"), i64(1)},
			{c("INCR", "n"), i64(2)},
			{c("TTL", "n"), i64(1)},
			{wait(1000), nil},
			{c("SMEMBERS", "s"), arr()},
			{c("HGETALL", "h"), arr()},
			{c("EXISTS", "s", "h", "n"), i64(0)},
			{c("INCR", "n"), i64(1)}, // a new counter, without expiry
			{c("TTL", "n"), i64(-1)},
			{c("ZCARD", "z"), i64(1)},
			{wait(9000), nil},
			{c("ZCARD", "z"), i64(0)},
			{c("ZSCORE", "z", "m"), nil},
			{c("TTL", "z"), i64(-2)},
		},
		"reserved keys": {
			{c("EXPIRE", commands.ReservedPrefix+"e", "10"), errT("ERR EXPIRE writes*")},
			{c("SETEX", commands.ReservedPrefix+"e", "10", "v"), errT("ERR SETEX writes*")},
			{c("GETDEL", commands.ReservedPrefix+"e"), errT("ERR GETDEL writes*")},
			{c("PERSIST", commands.ReservedPrefix+"e"), errT("ERR PERSIST writes*")},
			{c("TTL", commands.ReservedPrefix+"e"), i64(-2)},
		},
	}
	for name, steps := range tests {
		t.Run(name, func(t *testing.T) { runClocked(t, steps) })
	}
}

func TestExpiryPipeline(t *testing.T) {
	x, clk := newClocked()
	ctx := context.Background()
	got := x.ExecPipeline(ctx, parseAll(t,
		c("SET", "k", "v", "EX", "10"), c("TTL", "k"), c("GET", "k"), c("SET", "k2", "v"),
		c("PERSIST", "k"), c("TTL", "k"), c("SETEX", "t", "1", "x"), c("EXPIRE", "nope", "1"), c("SETEX", "t", "0", "x")))
	check(t, 0, nil, got[:8], arr(okStatus, i64(10), "v", okStatus, i64(1), i64(-1), okStatus, i64(0)))
	check(t, 8, nil, got[8], expireTime("setex"))
	clk.advance(time.Second)
	got = x.ExecPipeline(ctx, parseAll(t, c("GET", "t"), c("GET", "k"), c("TTL", "t")))
	check(t, 0, nil, got, arr(nil, "v", i64(-2)))
}

func TestExpiryExecAtomic(t *testing.T) {
	x, clk := newClocked()
	ctx := context.Background()
	for _, s := range []step{{c("SET", "d", "v"), okStatus}, {c("ZADD", "z", "1", "m"), i64(1)}} {
		check(t, 0, s.cmd, exec(x, s.cmd), s.want)
	}
	res, e := x.ExecAtomic(ctx, parseAll(t,
		c("SETEX", "a", "10", "v"), c("SET", "b", "v", "NX", "PX", "500"), c("SET", "c", "v", "EX", "5"),
		c("EXPIRE", "d", "10"), c("PEXPIRE", "missing", "10"), c("PSETEX", "e", "100", "v"), c("EXPIRE", "z", "3")), nil)
	if e != nil || !res.Committed {
		t.Fatalf("ExecAtomic: %+v %v", res, e)
	}
	check(t, 0, nil, res.Replies, arr(okStatus, okStatus, okStatus, i64(1), i64(0), okStatus, i64(1)))
	for i, s := range []step{
		{c("TTL", "a"), i64(10)}, {c("PTTL", "b"), i64(500)}, {c("TTL", "c"), i64(5)}, {c("TTL", "d"), i64(10)},
		{c("TTL", "missing"), i64(-2)}, {c("PTTL", "e"), i64(100)}, {c("TTL", "z"), i64(3)},
	} {
		check(t, i, s.cmd, exec(x, s.cmd), s.want)
	}

	// An EXPIRE of an absent key alone writes nothing and replies 0.
	res, e = x.ExecAtomic(ctx, parseAll(t, c("EXPIRE", "nope", "10")), nil)
	if e != nil || !res.Committed {
		t.Fatalf("ExecAtomic of a lone EXPIRE: %+v %v", res, e)
	}
	check(t, 0, nil, res.Replies, arr(i64(0)))

	// The lock taken: the transaction is not applied.
	res, e = x.ExecAtomic(ctx, parseAll(t, c("SET", "b", "w", "NX", "PX", "500"), c("SET", "f", "v")), nil)
	if e != nil || res.Committed {
		t.Fatalf("ExecAtomic on a taken lock: %+v %v", res, e)
	}
	check(t, 0, nil, res.Replies, arr(nil, &commands.Error{Msg: "EXECABORT Transaction discarded because a condition failed"}))
	check(t, 1, nil, exec(x, c("GET", "f")), nil)
	clk.advance(500 * time.Millisecond)
	res, e = x.ExecAtomic(ctx, parseAll(t, c("SET", "b", "w", "NX", "PX", "500")), nil)
	if e != nil || !res.Committed {
		t.Fatalf("ExecAtomic on an expired lock: %+v %v", res, e)
	}
	check(t, 2, nil, exec(x, c("GET", "b")), "w")

	cannot := "EXECABORT Transaction discarded because of: ERR '%s' cannot be part of an atomic write*"
	for _, tc := range []struct {
		cmds [][]string
		want errT
	}{
		{[][]string{c("SET", "k", "v"), c("EXPIRE", "k", "10")}, errT(`EXECABORT Transaction discarded because of: ERR invalid argument: atomic write has two operations on key "k"`)},
		{[][]string{c("EXPIRE", "k", "10"), c("PEXPIRE", "k", "10")}, errT(`EXECABORT Transaction discarded because of: ERR invalid argument: atomic write has two operations on key "k"`)},
		{[][]string{c("SET", "k", "v"), c("SET", "k2", "v", "EXAT", "1900000100")}, errT(fmt.Sprintf(cannot, "set"))},
		{[][]string{c("SET", "k", "v"), c("SET", "k2", "v", "XX", "EX", "10")}, errT(fmt.Sprintf(cannot, "set"))},
		{[][]string{c("SET", "k", "v"), c("SET", "k2", "v", "KEEPTTL")}, errT(fmt.Sprintf(cannot, "set"))},
		{[][]string{c("SET", "k", "v"), c("EXPIRE", "d", "10", "NX")}, errT(fmt.Sprintf(cannot, "expire"))},
		{[][]string{c("SET", "k", "v"), c("EXPIRE", "d", "0")}, errT(fmt.Sprintf(cannot, "expire"))},
		{[][]string{c("SET", "k", "v"), c("EXPIREAT", "d", "1900000100")}, errT(fmt.Sprintf(cannot, "expireat"))},
		{[][]string{c("SET", "k", "v"), c("PERSIST", "d")}, errT(fmt.Sprintf(cannot, "persist"))},
		{[][]string{c("SET", "k", "v"), c("GETEX", "d", "EX", "10")}, errT(fmt.Sprintf(cannot, "getex"))},
		{[][]string{c("SET", "k", "v"), c("GETDEL", "d")}, errT(fmt.Sprintf(cannot, "getdel"))},
		{[][]string{c("SET", "k", "v"), c("TTL", "d")}, errT(fmt.Sprintf(cannot, "ttl"))},
		{[][]string{c("SET", "k", "v"), c("SET", "k2", "v", "EX", "0")}, errT("EXECABORT Transaction discarded because of: ERR invalid expire time in 'set' command")},
		{[][]string{c("SET", "k", "v"), c("SETEX", "k2", "-1", "v")}, errT("EXECABORT Transaction discarded because of: ERR invalid expire time in 'setex' command")},
		{[][]string{c("SET", "k", "v"), c("EXPIRE", "d", "x")}, errT("EXECABORT Transaction discarded because of: ERR value is not an integer or out of range")},
	} {
		_, e := x.ExecAtomic(ctx, parseAll(t, tc.cmds...), nil)
		if e == nil {
			t.Errorf("%q: no error", tc.cmds)
			continue
		}
		check(t, 0, tc.cmds[1], e, tc.want)
	}
	for i, s := range []step{{c("GET", "k"), nil}, {c("GET", "k2"), nil}, {c("TTL", "d"), i64(10)}} {
		check(t, i, s.cmd, exec(x, s.cmd), s.want)
	}
}
