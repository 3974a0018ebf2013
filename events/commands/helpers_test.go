package commands_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// errT is an expected error reply: its exact text, or a prefix when it ends in "*".
type errT string

// step is one command and its expected reply.
type step struct {
	cmd  []string
	want any
}

func c(args ...string) []string { return args }

func arr(v ...any) []commands.Reply {
	if v == nil {
		return []commands.Reply{}
	}
	return v
}

func i64(n int64) int64 { return n }

// run executes scenario steps in order on a fresh memory backend.
func run(t *testing.T, steps []step) {
	t.Helper()
	x := commands.NewExecutor(memory.NewBackend())
	for i, s := range steps {
		got := exec(x, s.cmd)
		check(t, i, s.cmd, got, s.want)
	}
}

func exec(x *commands.Executor, args []string) commands.Reply {
	cmd, e := commands.Parse(args)
	if e != nil {
		return e
	}
	return x.Exec(context.Background(), cmd)
}

func check(t *testing.T, i int, cmd []string, got, want any) {
	t.Helper()
	if w, ok := want.(errT); ok {
		e, isErr := got.(*commands.Error)
		switch {
		case !isErr:
			t.Errorf("step %d %q: got %#v, want error %q", i, cmd, got, w)
		case strings.HasSuffix(string(w), "*") && !strings.HasPrefix(e.Msg, strings.TrimSuffix(string(w), "*")):
			t.Errorf("step %d %q: got error %q, want prefix %q", i, cmd, e.Msg, w)
		case !strings.HasSuffix(string(w), "*") && e.Msg != string(w):
			t.Errorf("step %d %q: got error %q, want %q", i, cmd, e.Msg, w)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("step %d %q: got %#v, want %#v", i, cmd, got, want)
	}
}

const (
	syntaxErr  = errT("ERR syntax error")
	notInt     = errT("ERR value is not an integer or out of range")
	notFloat   = errT("ERR value is not a valid float")
	wrongType  = errT("WRONGTYPE Operation against a key holding the wrong kind of value")
	rangeFloat = errT("ERR min or max is not a float")
	rangeLex   = errT("ERR min or max not valid string range item")
)

func wrongArgs(name string) errT {
	return errT("ERR wrong number of arguments for '" + name + "' command")
}
