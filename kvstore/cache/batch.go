package cache

import (
	"context"
	"maps"
	"slices"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// Batch returns a batch whose reads are served from the cache when it holds them;
// the rest go to one batch of the backend, and the batch's writes invalidate what they
// touch (whatever their outcome). Reads of a key that the same batch writes always go
// to the backend and are not cached.
func (c *Backend) Batch() kvstore.BatchOperation { return &batch{c: c} }

type batch struct {
	kvstore.BatchOps
	c *Backend
}

// pending is an operation sent to the backend's batch: fill copies its result into
// op and returns, for a read, a copy to cache.
type pending struct {
	op   *kvstore.BatchOp
	read bool
	t    ticket
	ek   entryKey
	ns   namespace
	fill func() any
}

// batchRead returns the cached read a batched read kind is, and its argument.
func batchRead(op *kvstore.BatchOp) (namespace, op, string) {
	switch op.Kind {
	case kvstore.BatchGet:
		return valueNS, opGet, ""
	case kvstore.BatchSMembers:
		return valueNS, opSMembers, ""
	case kvstore.BatchHGetAll:
		return valueNS, opHGetAll, ""
	case kvstore.BatchZScore:
		return sortedNS, opZScore, op.Members[0]
	}
	return 0, 0, ""
}

func batchNamespace(kind kvstore.BatchOpKind) namespace {
	switch kind {
	case kvstore.BatchZAdd, kvstore.BatchZRem, kvstore.BatchZScore:
		return sortedNS
	}
	return valueNS
}

// Exec runs the batch: cached reads are answered at once, everything else goes to the
// backend in one batch, in queue order. A read it sends is cached when the backend
// reported, in the batch's context, when what it read expires.
func (b *batch) Exec(ctx context.Context) error {
	ops, err := b.Operations()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		for _, op := range ops {
			op.Err = err
		}
		return kvstore.BatchError(ops)
	}
	c := b.c
	var writes []stateKey
	seen := make(map[stateKey]bool)
	for _, op := range ops {
		sk := stateKey{ns: batchNamespace(op.Kind), key: op.Key}
		if op.Kind.IsWrite() && !seen[sk] {
			seen[sk] = true
			writes = append(writes, sk)
		}
	}
	c.s.beginWrite(writes...)
	defer c.s.endWrite(writes...)

	inner := c.inner.Batch()
	var pend []pending
	for _, op := range ops {
		if !op.Kind.IsWrite() {
			ns, o, arg := batchRead(op)
			cached, hit, t := c.s.lookup(stateKey{ns: ns, key: op.Key}, c.candidates(o, arg)...)
			c.report(o, hit)
			if hit {
				fillFromCache(op, cached)
				continue
			}
			pend = append(pend, pending{op: op, read: true, t: t, ns: ns,
				ek: entryKey{mode: c.mode, op: o, arg: arg}, fill: queueRead(inner, op)})
			continue
		}
		pend = append(pend, pending{op: op, fill: queueWrite(inner, op)})
	}
	if len(pend) == 0 {
		return nil
	}
	rep := new(expiryreport.Report)
	execErr := inner.Exec(expiryreport.NewContext(ctx, rep))
	for _, p := range pend {
		v := p.fill()
		if p.read {
			exp, cacheable := rep.Lookup(p.op.Key, p.ns == sortedNS)
			c.s.endRead(p.t, p.ek, v, exp, cacheable && execErr == nil && p.op.Err == nil)
		}
	}
	if err := kvstore.BatchError(ops); err != nil {
		return err
	}
	return execErr
}

// fillFromCache answers a batched read from a cached value.
func fillFromCache(op *kvstore.BatchOp, cached any) {
	switch v := cached.(type) {
	case *string:
		op.String = cloneString(v)
	case []string:
		op.Strings = slices.Clone(v)
	case map[string]string:
		op.Map = maps.Clone(v)
	case *float64:
		op.Float = cloneFloat(v)
	}
}

// queueRead queues a read in the backend's batch.
func queueRead(inner kvstore.BatchOperation, op *kvstore.BatchOp) func() any {
	switch op.Kind {
	case kvstore.BatchGet:
		r := inner.Get(op.Key)
		return func() any { op.String, op.Err = r.Result(); return cloneString(op.String) }
	case kvstore.BatchSMembers:
		r := inner.SMembers(op.Key)
		return func() any { op.Strings, op.Err = r.Result(); return slices.Clone(op.Strings) }
	case kvstore.BatchHGetAll:
		r := inner.HGetAll(op.Key)
		return func() any { op.Map, op.Err = r.Result(); return maps.Clone(op.Map) }
	default: // kvstore.BatchZScore
		r := inner.ZScore(op.Key, op.Members[0])
		return func() any { op.Float, op.Err = r.Result(); return cloneFloat(op.Float) }
	}
}

// queueWrite queues a write in the backend's batch.
func queueWrite(inner kvstore.BatchOperation, op *kvstore.BatchOp) func() any {
	var r kvstore.ErrorResult
	switch op.Kind {
	case kvstore.BatchSet:
		r = inner.Set(op.Key, op.Value)
	case kvstore.BatchDelete:
		r = inner.Delete(op.Key)
	case kvstore.BatchSAdd:
		r = inner.SAdd(op.Key, op.Members[0], toAny(op.Members[1:])...)
	case kvstore.BatchSRem:
		r = inner.SRem(op.Key, op.Members[0], toAny(op.Members[1:])...)
	case kvstore.BatchZAdd:
		r = inner.ZAdd(op.Key, op.Members[0], op.Score)
	default: // kvstore.BatchZRem
		r = inner.ZRem(op.Key, op.Members[0])
	}
	return func() any { op.Err = r.Result(); return nil }
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
