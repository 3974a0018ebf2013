package profile

import (
	"context"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// Wrap returns a backend that times every method of b (batches' and atomic writes'
// Exec included, as "Batch.Exec" and "AtomicWrite.Exec") and reports each call to p.
// It also calls b.WithProfiler(p), so that the backend's own numbers (DynamoDB
// capacity units, Redis commands) reach the same profiler.
//
// The result's WithProfiler(q) returns Wrap(b, q) when q is a *Profiler; another kind
// of profiler is handed to b, and the wrapper keeps timing operations into p. Its
// WithEventuallyConsistentReads profiles b's eventually consistent view into p, and
// Unwrap returns b.WithProfiler(p).
func Wrap(b kvstore.Backend, p *Profiler) kvstore.Backend {
	return wrap(&backend{base: b, inner: b.WithProfiler(p), p: p})
}

// wrap returns w, with the read cache's Clock method (Now) when its inner backend
// has it.
func wrap(w *backend) kvstore.Backend {
	if _, ok := w.inner.(clock); ok {
		return &clockBackend{w}
	}
	return w
}

// Of returns the Profiler of the first profiling wrapper in b's chain of wrappers
// (following Unwrap), or nil when there is none. It finds the profiler of a backend
// opened with profiling turned on (kvstoreurl's "?profile=1").
func Of(b kvstore.Backend) *Profiler {
	for b != nil {
		switch w := b.(type) {
		case *backend:
			return w.p
		case *clockBackend:
			return w.p
		}
		b = b.Unwrap()
	}
	return nil
}

// backend is the profiling wrapper.
type backend struct {
	base  kvstore.Backend // the backend as given to Wrap
	inner kvstore.Backend // base.WithProfiler(p): what calls go to
	p     *Profiler
}

var _ kvstore.Backend = (*backend)(nil)

func (w *backend) done(op string, start time.Time, err error) {
	w.p.ProfileOperation(op, time.Since(start), err)
}

// WithEventuallyConsistentReads profiles the eventually consistent view of the
// wrapped backend.
func (w *backend) WithEventuallyConsistentReads() kvstore.Backend {
	return Wrap(w.base.WithEventuallyConsistentReads(), w.p)
}

// WithProfiler returns Wrap(b, profiler) for a *Profiler; any other profiler goes to
// the wrapped backend, and operations keep being timed into this wrapper's Profiler.
func (w *backend) WithProfiler(profiler any) kvstore.Backend {
	if p, ok := profiler.(*Profiler); ok {
		return Wrap(w.base, p)
	}
	return wrap(&backend{base: w.base, inner: w.base.WithProfiler(profiler), p: w.p})
}

// Unwrap returns the profiled backend under the wrapper.
func (w *backend) Unwrap() kvstore.Backend { return w.inner }

// Batch returns a batch whose Exec is timed as "Batch.Exec".
func (w *backend) Batch() kvstore.BatchOperation {
	return &batch{BatchOperation: w.inner.Batch(), w: w}
}

type batch struct {
	kvstore.BatchOperation
	w *backend
}

// Exec runs the batch, timing it.
func (b *batch) Exec(ctx context.Context) error {
	start := time.Now()
	err := b.BatchOperation.Exec(ctx)
	b.w.done("Batch.Exec", start, err)
	return err
}

// AtomicWrite returns an atomic write whose Exec is timed as "AtomicWrite.Exec".
func (w *backend) AtomicWrite() kvstore.AtomicWriteOperation {
	return &atomicWrite{AtomicWriteOperation: w.inner.AtomicWrite(), w: w}
}

type atomicWrite struct {
	kvstore.AtomicWriteOperation
	w *backend
}

// Exec applies the atomic write, timing it. A failed condition is not an error.
func (a *atomicWrite) Exec(ctx context.Context) (bool, error) {
	start := time.Now()
	ok, err := a.AtomicWriteOperation.Exec(ctx)
	a.w.done("AtomicWrite.Exec", start, err)
	return ok, err
}
