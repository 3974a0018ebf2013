package linearizability

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/kvlambda/kvlambda/kvstore"
)

// MaxKeys is the most keys a workload uses: the model's state is a fixed array, so
// that states compare with == and hash cheaply.
const MaxKeys = 8

// KeysPerGroup is how many keys one partition of the history holds: atomic writes
// touch keys of one group only.
const KeysPerGroup = 2

// Kind is an operation.
type Kind uint8

// The operations of a workload.
const (
	Get Kind = iota + 1
	Set
	SetNX
	SetEQ
	Delete
	Incr   // NIncrBy
	Atomic // an atomic write of Set, SetNX, SetEQ, Delete and Incr operations
)

var kindNames = [...]string{"", "Get", "Set", "SetNX", "SetEQ", "Delete", "NIncrBy", "AtomicWrite"}

// String returns the operation's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Step is one single-key operation: a call, or one operation of an atomic write.
type Step struct {
	Kind  Kind
	Key   int    // index into the workload's keys
	Value string // Set, SetNX, SetEQ: the value written
	Old   string // SetEQ: the value expected
	N     int64  // Incr: the increment
}

// Input is one call: a single-key Step, or an atomic write of Ops (Kind Atomic).
type Input struct {
	Step
	Ops []Step
}

// Outcome says what a call's result tells about its effect.
type Outcome uint8

const (
	// Done: the call returned a result.
	Done Outcome = iota
	// Refused: the call returned an error that means nothing was written.
	Refused
	// Unknown: the call returned an error after which the write may or may not have
	// taken effect. Unknown calls are recorded as never returning.
	Unknown
)

// Output is a call's result.
type Output struct {
	Outcome Outcome
	// Present and Value are Get's result.
	Present bool
	Value   string
	// OK is SetNX's, SetEQ's and an atomic write's success, Delete's "existed".
	OK bool
	// N is NIncrBy's result.
	N int64
	// Failed has bit i set when operation i of an atomic write reported
	// ConditionalFailed.
	Failed uint64
	// Err is the error, for reports.
	Err string
}

// entry is one key's string in the model (counters are decimal strings).
type entry struct {
	present bool
	value   string
}

// state is the whole keyspace. Arrays of comparable fields compare with ==.
type state [MaxKeys]entry

// apply runs one step on s as kvstore's semantics say (doc.go). It returns the
// result a backend must return, whether the step's condition held, and the new
// state; refused is set when the step itself errs (NIncrBy on a non-integer).
func apply(s state, st Step) (out Output, held bool, refused bool, next state) {
	e := s[st.Key]
	switch st.Kind {
	case Get:
		return Output{Present: e.present, Value: e.value}, true, false, s
	case Set:
		s[st.Key] = entry{true, st.Value}
		return Output{}, true, false, s
	case SetNX:
		if e.present {
			return Output{}, false, false, s
		}
		s[st.Key] = entry{true, st.Value}
		return Output{OK: true}, true, false, s
	case SetEQ:
		if !e.present || e.value != st.Old {
			return Output{}, false, false, s
		}
		s[st.Key] = entry{true, st.Value}
		return Output{OK: true}, true, false, s
	case Delete:
		s[st.Key] = entry{}
		return Output{OK: e.present}, true, false, s
	case Incr:
		var cur int64
		if e.present {
			n, err := kvstore.ParseCounter(e.value)
			if err != nil {
				return Output{}, true, true, s
			}
			cur = n
		}
		sum, err := kvstore.AddCounter(cur, st.N)
		if err != nil {
			return Output{}, true, true, s
		}
		s[st.Key] = entry{true, strconv.FormatInt(sum, 10)}
		return Output{N: sum}, true, false, s
	}
	panic(fmt.Sprintf("linearizability: step of kind %v", st.Kind))
}

// conditional reports whether a step of an atomic write has a condition that
// ConditionalFailed reports.
func conditional(k Kind) bool { return k == SetNX || k == SetEQ }

// applyAtomic runs an atomic write on s: every condition is checked on s (an atomic
// write touches each key once), and only when all hold are the writes applied.
func applyAtomic(s state, ops []Step) (out Output, refused bool, next state) {
	var failed uint64
	for i, st := range ops {
		_, held, ref, _ := apply(s, st)
		if ref {
			return Output{}, true, s
		}
		if !held && conditional(st.Kind) {
			failed |= 1 << i
		}
	}
	if failed != 0 {
		return Output{Failed: failed}, false, s
	}
	next = s
	for _, st := range ops {
		_, _, _, next = apply(next, st)
	}
	return Output{OK: true}, false, next
}

// step is the model's step function.
func step(st, in, out any) (bool, any) {
	s := st.(state)
	i := in.(Input)
	o := out.(Output)
	var want Output
	var refused bool
	var next state
	if i.Kind == Atomic {
		want, refused, next = applyAtomic(s, i.Ops)
	} else {
		want, _, refused, next = apply(s, i.Step)
	}
	switch o.Outcome {
	case Unknown:
		// It may have taken effect: here it did (placing it after everything
		// observed covers the case where it did not).
		if refused {
			return true, s
		}
		return true, next
	case Refused:
		// An error that means nothing was written: the state must not change. A
		// refusal the model expects (NIncrBy on a non-integer) is also fine.
		return true, s
	}
	if refused {
		return false, s // the model refuses what the backend did
	}
	switch i.Kind {
	case Get:
		return o.Present == want.Present && o.Value == want.Value, next
	case Set:
		return true, next
	case SetNX, SetEQ, Delete:
		return o.OK == want.OK, next
	case Incr:
		return o.N == want.N, next
	case Atomic:
		return o.OK == want.OK && o.Failed == want.Failed, next
	}
	return false, s
}

// group returns the partition an input belongs to.
func group(in Input) int {
	if in.Kind == Atomic && len(in.Ops) > 0 {
		return in.Ops[0].Key / KeysPerGroup
	}
	return in.Key / KeysPerGroup
}

// partition splits a history by key group.
func partition(history []porcupine.Operation) [][]porcupine.Operation {
	byGroup := map[int][]porcupine.Operation{}
	var order []int
	for _, op := range history {
		g := group(op.Input.(Input))
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], op)
	}
	out := make([][]porcupine.Operation, 0, len(order))
	for _, g := range order {
		out = append(out, byGroup[g])
	}
	return out
}

// Model is the sequential specification: a map of up to MaxKeys keys to strings,
// with kvstore's semantics for each operation, partitioned by key group.
func Model() porcupine.Model {
	return porcupine.Model{
		Partition: partition,
		Init:      func() any { return state{} },
		Step:      step,
		Equal:     func(a, b any) bool { return a.(state) == b.(state) },
		DescribeOperation: func(in, out any) string {
			return describe(in.(Input), out.(Output))
		},
		DescribeState: func(st any) string {
			s := st.(state)
			var b strings.Builder
			for i, e := range s {
				if e.present {
					fmt.Fprintf(&b, "k%d=%q ", i, e.value)
				}
			}
			return strings.TrimSpace(b.String())
		},
	}
}

// describeStep writes a step as a call.
func describeStep(st Step) string {
	switch st.Kind {
	case Set, SetNX:
		return fmt.Sprintf("%v(k%d, %q)", st.Kind, st.Key, st.Value)
	case SetEQ:
		return fmt.Sprintf("SetEQ(k%d, %q, old %q)", st.Key, st.Value, st.Old)
	case Incr:
		return fmt.Sprintf("NIncrBy(k%d, %d)", st.Key, st.N)
	}
	return fmt.Sprintf("%v(k%d)", st.Kind, st.Key)
}

// describe writes a call and its result, for porcupine's visualization and reports.
func describe(in Input, out Output) string {
	var call string
	if in.Kind == Atomic {
		parts := make([]string, len(in.Ops))
		for i, st := range in.Ops {
			parts[i] = describeStep(st)
		}
		call = "Atomic[" + strings.Join(parts, ", ") + "]"
	} else {
		call = describeStep(in.Step)
	}
	switch out.Outcome {
	case Unknown:
		return call + " -> unknown (" + out.Err + ")"
	case Refused:
		return call + " -> refused (" + out.Err + ")"
	}
	switch in.Kind {
	case Get:
		if !out.Present {
			return call + " -> nil"
		}
		return fmt.Sprintf("%s -> %q", call, out.Value)
	case Set:
		return call + " -> OK"
	case Incr:
		return fmt.Sprintf("%s -> %d", call, out.N)
	case Atomic:
		return fmt.Sprintf("%s -> %v failed=%b", call, out.OK, out.Failed)
	}
	return fmt.Sprintf("%s -> %v", call, out.OK)
}
