package commands_test

import (
	"strings"
	"testing"
)

func TestStrings(t *testing.T) {
	ok := any(okStatus)
	tests := map[string][]step{
		"get set": {
			{c("GET", "k"), nil},
			{c("SET", "k", "v"), ok},
			{c("get", "k"), "v"},
			{c("SET", "k", ""), ok},
			{c("GET", "k"), ""},
			{c("GET"), wrongArgs("get")},
			{c("GET", "a", "b"), wrongArgs("get")},
			{c("SET", "k"), wrongArgs("set")},
		},
		"set conditions": {
			{c("SET", "k", "1", "NX"), ok},
			{c("SET", "k", "2", "nx"), nil},
			{c("GET", "k"), "1"},
			{c("SET", "k", "3", "XX"), ok},
			{c("SET", "missing", "3", "XX"), nil},
			{c("GET", "missing"), nil},
			{c("SET", "k", "4", "IFEQ", "3"), ok},
			{c("SET", "k", "5", "IFEQ", "3"), nil},
			{c("GET", "k"), "4"},
			{c("SET", "missing", "5", "IFEQ", "3"), nil},
			{c("SET", "k", "5", "NX", "XX"), syntaxErr},
			{c("SET", "k", "5", "XX", "NX"), syntaxErr},
			{c("SET", "k", "5", "NX", "IFEQ", "4"), syntaxErr},
			{c("SET", "k", "5", "IFEQ"), syntaxErr},
			{c("SET", "k", "5", "IFEQ", "4", "EX", "10"), errT("ERR IFEQ cannot be combined with EX, PX, EXAT, PXAT or KEEPTTL in kvlambda")},
			{c("SET", "k", "5", "KEEPTTL", "IFEQ", "4"), errT("ERR IFEQ cannot be combined with EX, PX, EXAT, PXAT or KEEPTTL in kvlambda")},
			{c("SET", "k", "5", "BOGUS"), syntaxErr},
			{c("GET", "k"), "4"},
		},
		"set get": {
			{c("SET", "k", "1", "GET"), nil},
			{c("SET", "k", "2", "GET"), "1"},
			{c("SET", "k", "3", "NX", "GET"), "2"},
			{c("GET", "k"), "2"},
			{c("SET", "n", "3", "NX", "GET"), nil},
			{c("GET", "n"), "3"},
			{c("SET", "x", "3", "XX", "GET"), nil},
			{c("GET", "x"), nil},
			{c("SET", "k", "9", "XX", "GET"), "2"},
			{c("SET", "k", "10", "IFEQ", "nope", "GET"), "9"},
			{c("SET", "k", "10", "IFEQ", "9", "GET"), "9"},
			{c("GET", "k"), "10"},
			{c("SADD", "s", "a"), i64(1)},
			{c("SET", "s", "v", "GET"), wrongType},
			{c("SMEMBERS", "s"), arr("a")},
			{c("SET", "s", "v"), ok}, // plain SET replaces any kind, as in Redis
			{c("GET", "s"), "v"},
		},
		"mset mget": {
			{c("MSET", "a", "1", "b", "2", "a", "3"), ok},
			{c("MGET", "a", "b", "c"), arr("3", "2", nil)},
			{c("SADD", "s", "m"), i64(1)},
			{c("MGET", "a", "s"), arr("3", nil)}, // a set reads as nil in MGET, as in Redis
			{c("MSET", "a"), wrongArgs("mset")},
			{c("MSET", "a", "1", "b"), wrongArgs("mset")},
			{c("MGET"), wrongArgs("mget")},
		},
		"setnx del exists": {
			{c("SETNX", "k", "1"), i64(1)},
			{c("SETNX", "k", "2"), i64(0)},
			{c("GET", "k"), "1"},
			{c("SADD", "s", "m"), i64(1)},
			{c("HSET", "h", "f", "v"), i64(1)},
			{c("EXISTS", "k", "s", "h", "nope", "k"), i64(4)},
			{c("DEL", "k", "s", "nope", "k"), i64(2)},
			{c("EXISTS", "k", "s", "h"), i64(1)},
			{c("DEL", "h"), i64(1)},
			{c("DEL", "h"), i64(0)},
			{c("DEL"), wrongArgs("del")},
			{c("EXISTS"), wrongArgs("exists")},
			{c("SETNX", "k"), wrongArgs("setnx")},
		},
		"counters": {
			{c("INCR", "n"), i64(1)},
			{c("INCRBY", "n", "41"), i64(42)},
			{c("DECR", "n"), i64(41)},
			{c("DECRBY", "n", "-9"), i64(50)},
			{c("GET", "n"), "50"},
			{c("INCRBY", "n", "1.5"), notInt},
			{c("INCRBY", "n", "+1"), notInt},
			{c("INCRBY", "n", "01"), notInt},
			{c("INCRBY", "n", " 1"), notInt},
			{c("DECRBY", "n", "-9223372036854775808"), errT("ERR decrement would overflow")},
			{c("SET", "big", "9223372036854775807"), ok},
			{c("INCR", "big"), errT("ERR increment or decrement would overflow")},
			{c("SET", "t", "text"), ok},
			{c("INCR", "t"), notInt},
			{c("SADD", "s", "m"), i64(1)},
			{c("INCR", "s"), wrongType},
			{c("INCR"), wrongArgs("incr")},
			{c("INCRBY", "n"), wrongArgs("incrby")},
			{c("DECR", "n", "1"), wrongArgs("decr")},
		},
		"limits": {
			{c("SET", "", "v"), errT("ERR invalid argument: empty key")},
			{c("GET", strings.Repeat("k", 1025)), errT("ERR invalid argument: key of 1025 bytes exceeds 1024")},
			{c("SET", "k", strings.Repeat("v", 409600)), errT("ERR invalid argument: item of key*")},
			{c("GET", "k"), nil},
		},
		"server": {
			{c("PING"), any(pong)},
			{c("ping", "hello"), "hello"},
			{c("PING", "a", "b"), wrongArgs("ping")},
			{c("ECHO", "x"), "x"},
			{c("ECHO"), wrongArgs("echo")},
			{c("NOPE", "x"), errT("ERR unknown command 'NOPE'")},
			{c("flushall"), errT("ERR unknown command 'flushall'")},
			{c(), errT("ERR empty command")},
		},
	}
	for name, steps := range tests {
		t.Run(name, func(t *testing.T) { run(t, steps) })
	}
}
