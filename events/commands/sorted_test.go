package commands_test

import (
	"strings"
	"testing"
)

func TestZAdd(t *testing.T) {
	tests := map[string][]step{
		"add and count": {
			{c("ZADD", "z", "1", "a", "2", "b", "3", "a"), i64(2)},
			{c("ZSCORE", "z", "a"), "3"},
			{c("ZADD", "z", "5", "b", "1", "c"), i64(1)},
			{c("ZADD", "z", "CH", "5", "b", "6", "c", "7", "d"), i64(2)},
			{c("ZADD", "z", "NX", "9", "a", "1", "e"), i64(1)},
			{c("ZSCORE", "z", "a"), "3"},
			{c("ZADD", "z", "NX", "1", "f", "2", "f"), i64(1)},
			{c("ZSCORE", "z", "f"), "1"},
			{c("ZADD", "z", "XX", "10", "a", "1", "new"), i64(0)},
			{c("ZSCORE", "z", "a"), "10"},
			{c("ZSCORE", "z", "new"), nil},
			{c("ZADD", "z", "GT", "CH", "5", "a", "20", "b", "0", "g"), i64(2)},
			{c("ZSCORE", "z", "a"), "10"},
			{c("ZADD", "z", "LT", "CH", "5", "a", "30", "b"), i64(1)},
			{c("ZMSCORE", "z", "a", "b", "g", "nope"), arr("5", "20", "0", nil)},
			{c("ZCARD", "z"), i64(7)},
		},
		"incr": {
			{c("ZADD", "z", "INCR", "1.5", "a"), "1.5"},
			{c("ZADD", "z", "INCR", "1.5", "a"), "3"},
			{c("ZADD", "z", "NX", "INCR", "1", "a"), nil},
			{c("ZADD", "z", "NX", "INCR", "7", "b"), "7"},
			{c("ZADD", "z", "XX", "INCR", "1", "c"), nil},
			{c("ZADD", "z", "XX", "INCR", "1", "b"), "8"},
			{c("ZADD", "z", "GT", "INCR", "-1", "b"), nil},
			{c("ZADD", "z", "LT", "INCR", "-1", "b"), "7"},
			{c("ZADD", "z", "INCR", "+inf", "c"), "inf"},
			{c("ZADD", "z", "INCR", "-inf", "c"), errT("ERR resulting score is not a number (NaN)")},
			{c("ZINCRBY", "z", "2", "a"), "5"},
			{c("ZINCRBY", "z", "-inf", "c"), errT("ERR resulting score is not a number (NaN)")},
			{c("ZINCRBY", "z", "x", "a"), notFloat},
			{c("ZINCRBY", "z", "1"), wrongArgs("zincrby")},
		},
		"errors": {
			{c("ZADD", "z", "1"), wrongArgs("zadd")},
			{c("ZADD", "z", "1", "a", "2"), syntaxErr},
			{c("ZADD", "z", "NX"), wrongArgs("zadd")},
			{c("ZADD", "z", "NX", "XX"), syntaxErr},
			{c("ZADD", "z", "NX", "XX", "1", "a"), errT("ERR XX and NX options at the same time are not compatible")},
			{c("ZADD", "z", "NX", "GT", "1", "a"), errT("ERR GT, LT, and/or NX options at the same time are not compatible")},
			{c("ZADD", "z", "GT", "LT", "1", "a"), errT("ERR GT, LT, and/or NX options at the same time are not compatible")},
			{c("ZADD", "z", "INCR", "1", "a", "2", "b"), errT("ERR INCR option supports a single increment-element pair")},
			{c("ZADD", "z", "x", "a"), notFloat},
			{c("ZADD", "z", "nan", "a"), notFloat},
			{c("ZADD", "z", "1e400", "a"), notFloat},
			{c("ZADD", "z", " 1", "a"), notFloat},
			{c("ZADD", "z", "1", strings.Repeat("m", 1017)), errT("ERR invalid argument: sorted-set member*")},
			{c("ZCARD", "z"), i64(0)},
			{c("ZSCORE", "z"), wrongArgs("zscore")},
			{c("ZMSCORE", "z"), wrongArgs("zmscore")},
			{c("ZREM", "z"), wrongArgs("zrem")},
			{c("ZCARD"), wrongArgs("zcard")},
		},
		"separate from the key's value": {
			{c("SET", "k", "v"), okStatus},
			{c("ZADD", "k", "1", "m"), i64(1)},
			{c("GET", "k"), "v"},
			{c("DEL", "k"), i64(1)},
			{c("ZCARD", "k"), i64(1)},
			{c("ZREM", "k", "m", "x", "m"), i64(1)},
			{c("ZCARD", "k"), i64(0)},
		},
		"scores formatted like JavaScript": {
			{c("ZADD", "z", "0.1", "a", "1e21", "b", "1.5e-7", "c", "-0", "d", "123456789012345680000", "e", "1e-7", "f", "-inf", "g", "0x10", "h"), i64(8)},
			{c("ZRANGE", "z", "0", "-1", "WITHSCORES"), arr("g", "-inf", "d", "0", "f", "1e-7", "c", "1.5e-7", "a", "0.1", "h", "16", "e", "123456789012345680000", "b", "1e+21")},
		},
	}
	for name, steps := range tests {
		t.Run(name, func(t *testing.T) { run(t, steps) })
	}
}

func TestZRanges(t *testing.T) {
	setup := []step{
		{c("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"), i64(5)},
		{c("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d"), i64(4)},
	}
	tests := map[string][]step{
		"by rank": {
			{c("ZRANGE", "z", "0", "-1"), arr("a", "b", "c", "d", "e")},
			{c("ZRANGE", "z", "1", "2"), arr("b", "c")},
			{c("ZRANGE", "z", "3", "100"), arr("d", "e")},
			{c("ZRANGE", "z", "5", "10"), arr()},
			{c("ZRANGE", "z", "2", "1"), arr()},
			{c("ZRANGE", "z", "-2", "-1"), arr("d", "e")},
			{c("ZRANGE", "z", "-3", "-2", "WITHSCORES"), arr("c", "3", "d", "4")},
			{c("ZRANGE", "z", "-100", "-4"), arr("a", "b")},
			{c("ZRANGE", "z", "-100", "-6"), arr()},
			{c("ZRANGE", "z", "-1", "-2"), arr()},
			{c("ZRANGE", "z", "-2", "4"), arr("d", "e")},
			{c("ZRANGE", "z", "1", "-2"), arr("b", "c", "d")},
			{c("ZRANGE", "z", "0", "1", "REV"), arr("e", "d")},
			{c("ZRANGE", "z", "-2", "-1", "REV", "WITHSCORES"), arr("b", "2", "a", "1")},
			{c("ZRANGE", "nope", "0", "-1"), arr()},
			{c("ZRANGE", "z", "0", "x"), notInt},
			{c("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"), errT("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")},
			{c("ZRANGE", "z", "0", "-1", "BOGUS"), syntaxErr},
			{c("ZRANGE", "z", "0"), wrongArgs("zrange")},
		},
		"by score": {
			{c("ZRANGE", "z", "2", "4", "BYSCORE"), arr("b", "c", "d")},
			{c("ZRANGE", "z", "(2", "(4", "BYSCORE"), arr("c")},
			{c("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"), arr("b", "2", "c", "3")},
			{c("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "3", "-1"), arr("d", "e")},
			{c("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"), arr()},
			{c("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "0"), arr()},
			{c("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"), arr("e", "d")},
			{c("ZRANGE", "z", "4", "2", "BYSCORE"), arr()},
			{c("ZRANGE", "z", "(+inf", "+inf", "BYSCORE"), arr()},
			{c("ZRANGE", "z", "-inf", "(-inf", "BYSCORE"), arr()},
			{c("ZRANGE", "z", "x", "1", "BYSCORE"), rangeFloat},
			{c("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"), syntaxErr},
			{c("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "1"), syntaxErr},
			{c("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "a", "1"), notInt},
			{c("ZRANGEBYSCORE", "z", "(1", "3", "WITHSCORES"), arr("b", "2", "c", "3")},
			{c("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "1"), arr("b")},
			{c("ZREVRANGEBYSCORE", "z", "+inf", "(3"), arr("e", "d")},
			{c("ZREVRANGEBYSCORE", "z", "5", "1", "WITHSCORES", "LIMIT", "1", "2"), arr("d", "4", "c", "3")},
			{c("ZRANGEBYSCORE", "z", "0", "1", "REV"), syntaxErr},
			{c("ZCOUNT", "z", "(1", "+inf"), i64(4)},
			{c("ZCOUNT", "z", "-inf", "(1"), i64(0)},
			{c("ZCOUNT", "z", "a", "1"), rangeFloat},
			{c("ZCOUNT", "z", "1"), wrongArgs("zcount")},
		},
		"by lex": {
			{c("ZRANGE", "lex", "[b", "(d", "BYLEX"), arr("b", "c")},
			{c("ZRANGE", "lex", "-", "+", "BYLEX", "LIMIT", "1", "2"), arr("b", "c")},
			{c("ZRANGE", "lex", "+", "-", "BYLEX", "REV", "LIMIT", "0", "3"), arr("d", "c", "b")},
			{c("ZRANGE", "lex", "-", "+", "BYLEX", "WITHSCORES"), errT("ERR syntax error, WITHSCORES not supported in combination with BYLEX")},
			{c("ZRANGE", "lex", "b", "+", "BYLEX"), rangeLex},
			{c("ZRANGEBYLEX", "lex", "(a", "+"), arr("b", "c", "d")},
			{c("ZRANGEBYLEX", "lex", "-", "+", "LIMIT", "2", "5"), arr("c", "d")},
			{c("ZRANGEBYLEX", "lex", "-", "+", "WITHSCORES"), syntaxErr},
			{c("ZREVRANGEBYLEX", "lex", "[c", "-"), arr("c", "b", "a")},
			{c("ZREVRANGEBYLEX", "lex", "+", "-", "LIMIT", "1", "1"), arr("c")},
			{c("ZLEXCOUNT", "lex", "[b", "+"), i64(3)},
			{c("ZLEXCOUNT", "lex", "x", "+"), rangeLex},
			{c("ZLEXCOUNT", "lex", "-"), wrongArgs("zlexcount")},
		},
	}
	for name, steps := range tests {
		t.Run(name, func(t *testing.T) { run(t, append(append([]step{}, setup...), steps...)) })
	}
}
