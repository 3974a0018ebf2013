package linearizability

import (
	"context"
	"errors"
	"strconv"

	"github.com/kvlambda/kvlambda/kvstore"
)

// BackendTarget runs calls on a kvstore.Backend (a store or a wrapper such as the
// read cache).
type BackendTarget struct {
	backend kvstore.Backend
	keys    []string
}

// NewBackendTarget returns a target over b whose keys are prefix+"0", prefix+"1", ...
// (MaxKeys of them), so that several runs can share one store.
func NewBackendTarget(b kvstore.Backend, prefix string) *BackendTarget {
	keys := make([]string, MaxKeys)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return &BackendTarget{backend: b, keys: keys}
}

// Classify maps a kvstore error to an outcome: nil is Done; an atomic-write conflict
// and the errors for input or data kvstore refuses (invalid argument, wrong type, not
// an integer) are Refused, since nothing is written then; anything else, among them
// kvstore.ErrOutcomeUnknown and the context's errors, is Unknown.
func Classify(err error) Outcome {
	switch {
	case err == nil:
		return Done
	case errors.Is(err, kvstore.ErrOutcomeUnknown):
		return Unknown
	case kvstore.IsAtomicWriteConflict(err), errors.Is(err, kvstore.ErrInvalidArgument),
		errors.Is(err, kvstore.ErrWrongType), errors.Is(err, kvstore.ErrNotInteger):
		return Refused
	}
	return Unknown
}

func outputOf(err error) Output {
	return Output{Outcome: Classify(err), Err: err.Error()}
}

// Do implements Target.
func (t *BackendTarget) Do(ctx context.Context, in Input) Output {
	b, k := t.backend, t.keys[in.Key]
	switch in.Kind {
	case Get:
		v, err := b.Get(ctx, k)
		if err != nil {
			return outputOf(err)
		}
		if v == nil {
			return Output{}
		}
		return Output{Present: true, Value: *v}
	case Set:
		if err := b.Set(ctx, k, in.Value); err != nil {
			return outputOf(err)
		}
		return Output{}
	case SetNX:
		ok, err := b.SetNX(ctx, k, in.Value)
		if err != nil {
			return outputOf(err)
		}
		return Output{OK: ok}
	case SetEQ:
		ok, err := b.SetEQ(ctx, k, in.Value, in.Old)
		if err != nil {
			return outputOf(err)
		}
		return Output{OK: ok}
	case Delete:
		ok, err := b.Delete(ctx, k)
		if err != nil {
			return outputOf(err)
		}
		return Output{OK: ok}
	case Incr:
		n, err := b.NIncrBy(ctx, k, in.N)
		if err != nil {
			return outputOf(err)
		}
		return Output{N: n}
	case Atomic:
		w := b.AtomicWrite()
		results := make([]kvstore.AtomicWriteResult, len(in.Ops))
		for i, st := range in.Ops {
			k := t.keys[st.Key]
			switch st.Kind {
			case Set:
				results[i] = w.Set(k, st.Value)
			case SetNX:
				results[i] = w.SetNX(k, st.Value)
			case SetEQ:
				results[i] = w.SetEQ(k, st.Value, st.Old)
			case Delete:
				results[i] = w.Delete(k)
			case Incr:
				results[i] = w.NIncrBy(k, st.N)
			}
		}
		ok, err := w.Exec(ctx)
		if err != nil {
			return outputOf(err)
		}
		out := Output{OK: ok}
		for i, r := range results {
			if r.ConditionalFailed() {
				out.Failed |= 1 << i
			}
		}
		return out
	}
	return Output{Outcome: Refused, Err: "unknown kind " + in.Kind.String()}
}
