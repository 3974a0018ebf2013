package memory

import (
	"context"
	"slices"

	"github.com/kvlambda/kvlambda/kvstore"
)

// AtomicWrite implements kvstore.Backend.
func (b *Backend) AtomicWrite() kvstore.AtomicWriteOperation { return &atomicWrite{b: b} }

type atomicWrite struct {
	kvstore.AtomicWriteOps
	b *Backend
}

// Exec locks every shard the operations touch (in index order, so concurrent atomic
// writes cannot deadlock), checks every operation against the current state, then
// applies all of them: nothing is written unless everything can be.
func (w *atomicWrite) Exec(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	ops, err := w.Operations()
	if err != nil || len(ops) == 0 {
		return err == nil, err
	}
	idx := make([]int, 0, len(ops))
	for _, op := range ops {
		idx = append(idx, w.b.shardIndex(op.Key))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		w.b.shards[i].lock()
	}
	defer func() {
		for _, i := range idx {
			w.b.shards[i].unlock()
		}
	}()
	// TTLs count from now; keys expired by now are reclaimed first, so that every
	// operation sees them absent.
	now := w.b.nowMs()
	for _, op := range ops {
		s := w.b.shard(op.Key)
		s.take(op.Key)
		s.ztake(op.Key)
	}

	for _, op := range ops {
		op.SetConditionalFailed(false)
		if err := w.check(op); err != nil {
			return false, err
		}
	}
	ok := true
	for _, op := range ops {
		if op.HasCondition() && !w.holds(op) {
			op.SetConditionalFailed(true)
			ok = false
		}
	}
	if !ok {
		return false, nil
	}
	for _, op := range ops {
		w.apply(op, now)
	}
	return true, nil
}

// check returns the error an operation would meet (wrong kind of value, a counter
// that is not an integer, an item grown too large), changing nothing.
func (w *atomicWrite) check(op *kvstore.AtomicWriteOp) error {
	v := w.b.shard(op.Key).get(op.Key)
	switch op.Kind {
	case kvstore.AtomicNIncrBy:
		_, err := incr(op.Key, v, op.N)
		return err
	case kvstore.AtomicSAdd:
		return checkAddMembers(op.Key, v, op.Members)
	case kvstore.AtomicSRem:
		_, err := setOf(op.Key, v)
		return err
	case kvstore.AtomicHSet:
		return checkSetFields(op.Key, v, op.Fields)
	case kvstore.AtomicHSetNX:
		return checkSetFields(op.Key, v, []kvstore.HashField{{Field: op.Field, Value: op.Value}})
	case kvstore.AtomicHDel:
		_, err := hashOf(op.Key, v)
		return err
	}
	return nil
}

// holds reports whether an operation's condition holds.
func (w *atomicWrite) holds(op *kvstore.AtomicWriteOp) bool {
	s := w.b.shard(op.Key)
	v := s.get(op.Key)
	switch op.Kind {
	case kvstore.AtomicSetNX, kvstore.AtomicSetNXEX:
		return isAbsent(v)
	case kvstore.AtomicExpire:
		return v != nil || s.zget(op.Key) != nil
	case kvstore.AtomicSetXX, kvstore.AtomicDeleteXX:
		return isPresent(v)
	case kvstore.AtomicSetEQ:
		return equals(v, op.OldValue)
	case kvstore.AtomicZHAddNX:
		z := s.zget(op.Key)
		return z == nil || z.get(op.Field) == nil
	case kvstore.AtomicHSetNX:
		_, present := v.hashField(op.Field)
		return !present
	}
	return true
}

func (v *value) hashField(field string) (string, bool) {
	if v == nil || v.kind != kindHash {
		return "", false
	}
	x, ok := v.hash[field]
	return x, ok
}

// apply performs an operation that check and holds accepted.
func (w *atomicWrite) apply(op *kvstore.AtomicWriteOp, now int64) {
	s := w.b.shard(op.Key)
	v := s.get(op.Key)
	store := func(nv *value) {
		if nv == nil {
			delete(s.values, op.Key)
		} else {
			s.put(op.Key, nv)
		}
	}
	switch op.Kind {
	case kvstore.AtomicSet, kvstore.AtomicSetNX, kvstore.AtomicSetXX, kvstore.AtomicSetEQ:
		store(&value{kind: kindString, str: op.Value})
	case kvstore.AtomicSetEX, kvstore.AtomicSetNXEX:
		nv := &value{kind: kindString, str: op.Value}
		store(nv)
		s.setValueExp(op.Key, nv, now+op.TTL.Milliseconds())
	case kvstore.AtomicExpire:
		s.setKeyExp(op.Key, now+op.TTL.Milliseconds(), now)
	case kvstore.AtomicDelete, kvstore.AtomicDeleteXX:
		store(nil)
	case kvstore.AtomicNIncrBy:
		if op.N != 0 {
			r, _ := incr(op.Key, v, op.N)
			store(counterValue(v, r))
		}
	case kvstore.AtomicZHAdd, kvstore.AtomicZHAddNX:
		e := newZentry(op.Score, op.Field, op.Value)
		_ = s.zwrite(op.Key, func(z *zset) error { z.put(e); return nil })
	case kvstore.AtomicZHRem:
		_ = s.zwrite(op.Key, func(z *zset) error { z.remove(op.Field); return nil })
	case kvstore.AtomicSAdd:
		store(addMembers(v, op.Members))
	case kvstore.AtomicSRem:
		if v != nil {
			store(removeMembers(v, op.Members))
		}
	case kvstore.AtomicHSet:
		store(setFields(v, op.Fields))
	case kvstore.AtomicHSetNX:
		store(setFields(v, []kvstore.HashField{{Field: op.Field, Value: op.Value}}))
	case kvstore.AtomicHDel:
		if v != nil {
			store(deleteFields(v, op.Members))
		}
	}
}
