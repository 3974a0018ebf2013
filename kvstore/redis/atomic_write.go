package redis

import (
	"context"
	"fmt"

	"github.com/kvlambda/kvlambda/kvstore"
)

// AtomicWrite implements kvstore.Backend: Exec runs every operation in one call of
// the write script (one EVALSHA round trip; a second, EVAL, only when Redis has not
// cached the script yet). Redis runs a script alone, so the checks and writes are
// atomic; the script checks every type, size and condition before its first write.
// An atomic write of unconditional Sets and Deletes only, which needs no check, is
// one MULTI/EXEC instead (see execPlainAtomicWrite). On Redis Cluster all keys must
// share a hash slot (see ErrCrossSlot).
func (b *Backend) AtomicWrite() kvstore.AtomicWriteOperation { return &atomicWrite{b: b} }

type atomicWrite struct {
	kvstore.AtomicWriteOps
	b *Backend
}

// Exec implements kvstore.AtomicWriteOperation.
func (w *atomicWrite) Exec(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	ops, err := w.Operations()
	if err != nil {
		return false, err
	}
	if len(ops) == 0 {
		return true, nil
	}
	if isPlainAtomicWrite(ops) {
		return w.b.execPlainAtomicWrite(ctx, ops)
	}
	keys := make([]string, len(ops))
	c := w.b.newWriteCall()
	for i, op := range ops {
		op.SetConditionalFailed(false)
		keys[i] = op.Key
		if err := addAtomicOp(c, op); err != nil {
			return false, err
		}
	}
	if err := w.b.checkColocated(keys); err != nil {
		return false, err
	}
	r, err := c.run(ctx)
	if err != nil {
		return false, err
	}
	for _, i := range r.failed {
		if i >= 0 && i < len(ops) {
			ops[i].SetConditionalFailed(true)
		}
	}
	return r.ok, nil
}

// addAtomicOp adds one recorded operation to the write script's call.
func addAtomicOp(c *writeCall, op *kvstore.AtomicWriteOp) error {
	switch op.Kind {
	case kvstore.AtomicSet:
		c.set(op.Key, "", op.Value, "")
	case kvstore.AtomicSetNX:
		c.set(op.Key, "NX", op.Value, "")
	case kvstore.AtomicSetXX:
		c.set(op.Key, "XX", op.Value, "")
	case kvstore.AtomicSetEQ:
		c.set(op.Key, "EQ", op.Value, op.OldValue)
	case kvstore.AtomicSetEX:
		c.setex(op.Key, "", op.Value, clampMillis(op.TTL.Milliseconds()))
	case kvstore.AtomicSetNXEX:
		c.setex(op.Key, "NX", op.Value, clampMillis(op.TTL.Milliseconds()))
	case kvstore.AtomicExpire:
		c.expire(op.Key, clampMillis(op.TTL.Milliseconds()))
	case kvstore.AtomicDelete:
		c.delete(op.Key, "")
	case kvstore.AtomicDeleteXX:
		c.delete(op.Key, "XX")
	case kvstore.AtomicNIncrBy:
		c.incr(op.Key, op.N)
	case kvstore.AtomicZHAdd:
		c.zhadd(op.Key, "", op.Field, op.Value, op.Score)
	case kvstore.AtomicZHAddNX:
		c.zhadd(op.Key, "NX", op.Field, op.Value, op.Score)
	case kvstore.AtomicZHRem:
		c.zhrem(op.Key, op.Field)
	case kvstore.AtomicSAdd:
		c.sadd(op.Key, op.Members)
	case kvstore.AtomicSRem:
		c.srem(op.Key, op.Members)
	case kvstore.AtomicHSet:
		c.hset(op.Key, "", op.Fields)
	case kvstore.AtomicHSetNX:
		c.hset(op.Key, "NX", []kvstore.HashField{{Field: op.Field, Value: op.Value}})
	case kvstore.AtomicHDel:
		c.hdel(op.Key, op.Members)
	default:
		return fmt.Errorf("%w: unknown atomic write operation %v", kvstore.ErrInvalidArgument, op.Kind)
	}
	return nil
}
