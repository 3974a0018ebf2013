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
		{body: `["expire","k","10"]`, name: "EXPIRE", args: []string{"k", "10"}, write: true, atomicOK: true},
		{body: `["SET","k","v","EX",10]`, name: "SET", args: []string{"k", "v", "EX", "10"}, write: true, atomicOK: true},
		{body: `["ttl","k"]`, name: "TTL", args: []string{"k"}},
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
		"ZADD": true, "ZREM": true, "ZINCRBY": true,
		"SETEX": true, "PSETEX": true, "GETEX": true, "GETDEL": true, "EXPIRE": true, "PEXPIRE": true,
		"EXPIREAT": true, "PEXPIREAT": true, "PERSIST": true}
	names := commands.Names()
	if len(names) != 52 {
		t.Errorf("%d commands, want the 52 of the protocol", len(names))
	}
	for _, n := range names {
		cmd, ok := parseAnyArity(n)
		if !ok {
			t.Errorf("%s: no arity accepted", n)
			continue
		}
		if cmd.IsWrite() != writes[n] {
			t.Errorf("%s: IsWrite = %v", n, cmd.IsWrite())
		}
	}
}

// parseAnyArity parses the command named n with the most arguments from "k", "1",
// "2", "3", "4" that its arity accepts.
func parseAnyArity(n string) (commands.Command, bool) {
	args := []string{n, "k", "1", "2", "3", "4"}
	cmd, e := commands.Parse(args)
	for e != nil && len(args) > 1 {
		args = args[:len(args)-1]
		cmd, e = commands.Parse(args)
	}
	return cmd, e == nil
}

// TestAtomicClassification lists, for every write, forms that can and cannot be part
// of an atomic write (Command.Atomic); a write missing here fails the test.
func TestAtomicClassification(t *testing.T) {
	forms := map[string]struct{ yes, no [][]string }{
		"SET": {yes: [][]string{{"k", "v"}, {"k", "v", "NX"}, {"k", "v", "XX"}, {"k", "v", "IFEQ", "o"}, {"k", "v", "EX", "10"},
			{"k", "v", "px", "10", "nx"}, {"k", "v", "EX", "0"}, {"k", "v", "BOGUS"}},
			no: [][]string{{"k", "v", "GET"}, {"k", "v", "EX", "10", "XX"}, {"k", "v", "EXAT", "10"}, {"k", "v", "PXAT", "10"},
				{"k", "v", "KEEPTTL"}, {"k", "v", "EX", "10", "GET"}}},
		"MSET":      {yes: [][]string{{"a", "1", "b", "2"}}},
		"SETNX":     {yes: [][]string{{"k", "v"}}},
		"SETEX":     {yes: [][]string{{"k", "10", "v"}}},
		"PSETEX":    {yes: [][]string{{"k", "10", "v"}}},
		"DEL":       {yes: [][]string{{"a", "b"}}},
		"INCR":      {yes: [][]string{{"n"}}},
		"INCRBY":    {yes: [][]string{{"n", "2"}}},
		"DECR":      {yes: [][]string{{"n"}}},
		"DECRBY":    {yes: [][]string{{"n", "2"}}},
		"EXPIRE":    {yes: [][]string{{"k", "10"}, {"k", "x"}}, no: [][]string{{"k", "0"}, {"k", "-1"}, {"k", "10", "NX"}, {"k", "10", "GT"}}},
		"PEXPIRE":   {yes: [][]string{{"k", "10"}}, no: [][]string{{"k", "0"}, {"k", "10", "XX"}}},
		"EXPIREAT":  {no: [][]string{{"k", "10"}}},
		"PEXPIREAT": {no: [][]string{{"k", "10"}}},
		"PERSIST":   {no: [][]string{{"k"}}},
		"GETEX":     {no: [][]string{{"k"}, {"k", "EX", "10"}}},
		"GETDEL":    {no: [][]string{{"k"}}},
		"HSETNX":    {yes: [][]string{{"h", "f", "v"}}},
		"HSET":      {no: [][]string{{"h", "f", "v"}}},
		"HDEL":      {no: [][]string{{"h", "f"}}},
		"SADD":      {no: [][]string{{"s", "m"}}},
		"SREM":      {no: [][]string{{"s", "m"}}},
		"ZADD":      {yes: [][]string{{"z", "NX", "1", "m"}}, no: [][]string{{"z", "1", "m"}, {"z", "NX", "INCR", "1", "m"}}},
		"ZREM":      {no: [][]string{{"z", "m"}}},
		"ZINCRBY":   {no: [][]string{{"z", "1", "m"}}},
	}
	writes := 0
	for _, n := range commands.Names() {
		if probe, ok := parseAnyArity(n); ok && probe.IsWrite() {
			writes++
			if _, ok := forms[n]; !ok {
				t.Errorf("%s: a write without classification cases", n)
			}
		}
	}
	if writes != len(forms) {
		t.Errorf("%d writes, %d classified", writes, len(forms))
	}
	for n, f := range forms {
		for i, args := range append(append([][]string{}, f.yes...), f.no...) {
			cmd, e := commands.Parse(append([]string{n}, args...))
			if e != nil {
				t.Errorf("%s %q: %v", n, args, e)
				continue
			}
			if !cmd.IsWrite() {
				t.Errorf("%s: not a write", n)
			}
			if want := i < len(f.yes); cmd.Atomic() != want {
				t.Errorf("%s %q: Atomic() = %v, want %v", n, args, cmd.Atomic(), want)
			}
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
