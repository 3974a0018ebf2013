package commands_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

func TestDecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		body     string
		name     string
		args     []string
		err      errT
		write    bool
		atomicOK bool
	}{
		{body: `["set","k","v","nx"]`, name: "SET", args: []string{"k", "v", "nx"}, write: true, atomicOK: true},
		{body: ` ["ZADD", "z", 0.1, "m", 60, 1e3] `, name: "ZADD", args: []string{"z", "0.1", "m", "60", "1e3"}, write: true},
		{body: `["ZSCORE","z",0.1]`, name: "ZSCORE", args: []string{"z", "0.1"}},
		{body: `["SET","k",60]`, name: "SET", args: []string{"k", "60"}, write: true, atomicOK: true},
		{body: `["SET","k",-1.50e+3]`, name: "SET", args: []string{"k", "-1.50e+3"}, write: true, atomicOK: true},
		{body: `["SET","k",true]`, name: "SET", args: []string{"k", "true"}, write: true, atomicOK: true},
		{body: `["SET","k","\u00e9\n"]`, name: "SET", args: []string{"k", "é\n"}, write: true, atomicOK: true},
		{body: `["GET","k"]`, name: "GET", args: []string{"k"}},
		{body: `["SADD","s","a"]`, name: "SADD", args: []string{"s", "a"}, write: true},
		{body: `["SET","k",null]`, err: "ERR command arguments must be strings, numbers or booleans"},
		{body: `["SET","k",{"a":1}]`, err: "ERR command arguments must be strings, numbers or booleans"},
		{body: `["SET","k",["v"]]`, err: "ERR command arguments must be strings, numbers or booleans"},
		{body: `[]`, err: "ERR empty command"},
		{body: `{"cmd":"GET"}`, err: "ERR request body must be a JSON array*"},
		{body: `["GET","k"] x`, err: "ERR request body must be a JSON array*"},
		{body: `["GET","k"`, err: "ERR request body must be a JSON array*"},
		{body: ``, err: "ERR request body must be a JSON array*"},
		{body: `[1,2]`, err: "ERR unknown command '1'"},
		{body: `["expire","k","10"]`, err: "ERR unknown command 'expire': expiry is not supported by kvlambda yet"},
		{body: `["GET"]`, err: "ERR wrong number of arguments for 'get' command"},
	} {
		cmd, e := commands.DecodeJSON([]byte(tc.body))
		if tc.err != "" {
			check(t, 0, []string{tc.body}, e, tc.err)
			continue
		}
		if e != nil {
			t.Errorf("%s: %v", tc.body, e)
			continue
		}
		if cmd.Name != tc.name || !reflect.DeepEqual(cmd.Args, tc.args) || cmd.IsWrite() != tc.write || cmd.Atomic() != tc.atomicOK {
			t.Errorf("%s: got %s %q write=%v atomic=%v", tc.body, cmd.Name, cmd.Args, cmd.IsWrite(), cmd.Atomic())
		}
	}
}

func TestEveryCommandClassified(t *testing.T) {
	writes := map[string]bool{"SET": true, "MSET": true, "SETNX": true, "DEL": true, "INCR": true, "INCRBY": true,
		"DECR": true, "DECRBY": true, "SADD": true, "SREM": true, "HSET": true, "HSETNX": true, "HDEL": true,
		"ZADD": true, "ZREM": true, "ZINCRBY": true}
	names := commands.Names()
	if len(names) != 39 {
		t.Errorf("%d commands, want the 39 of the protocol", len(names))
	}
	for _, n := range names {
		args := []string{n, "k", "1", "2", "3", "4"}
		cmd, e := commands.Parse(args)
		for e != nil && len(args) > 1 {
			args = args[:len(args)-1]
			cmd, e = commands.Parse(args)
		}
		if e != nil {
			t.Errorf("%s: no arity accepted", n)
			continue
		}
		if cmd.IsWrite() != writes[n] {
			t.Errorf("%s: IsWrite = %v", n, cmd.IsWrite())
		}
	}
}

// TestAtomicCountersUnderContention runs INCRs in atomic writes from many goroutines:
// each reply must be a distinct value and the final counter their number.
func TestAtomicCountersUnderContention(t *testing.T) {
	x := commands.NewExecutor(memory.NewBackend())
	cmds := parseAll(t, c("INCR", "n"))
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				res, e := x.ExecAtomic(context.Background(), cmds, nil)
				if e != nil {
					continue // too much contention: the caller retries; nothing was written
				}
				mu.Lock()
				v := res.Replies[0].(int64)
				if seen[v] {
					t.Errorf("reply %d seen twice", v)
				}
				seen[v] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	check(t, 0, nil, exec(x, c("GET", "n")), commands.FormatScore(float64(len(seen))))
}

// TestReservedKeys checks that writes under ReservedPrefix are refused when parsed,
// wherever the key stands in the command, while reads and other keys are allowed.
func TestReservedKeys(t *testing.T) {
	r := commands.ReservedPrefix
	refused := [][]string{
		{"SET", r + "e", "v"},
		{"del", "a", r + "e"},
		{"MSET", "a", "1", r + "e", "2"},
		{"INCR", r + "n"},
		{"HSET", r + "h", "f", "v"},
		{"ZADD", r + "z", "1", "m"},
	}
	for _, args := range refused {
		if _, e := commands.Parse(args); e == nil || !strings.Contains(e.Msg, "reserved prefix") {
			t.Errorf("Parse(%q) = %v; want a reserved-prefix error", args, e)
		}
	}
	allowed := [][]string{{"GET", r + "e"}, {"SET", "kvlambda:other", "v"}, {"MSET", "k", r + "e"}, {"SET", "k", r + "e"}}
	for _, args := range allowed {
		if _, e := commands.Parse(args); e != nil {
			t.Errorf("Parse(%q) = %v; want no error", args, e)
		}
	}
}
