package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// isPlainAtomicWrite reports whether an atomic write holds only unconditional Sets
// and Deletes: operations that need no check (Set replaces a value of any kind) and
// that Redis cannot refuse, so that a MULTI/EXEC applies them all or nothing as the
// write script would, at a fraction of its cost (the script spends microseconds of
// Lua per operation; issue 12).
func isPlainAtomicWrite(ops []*kvstore.AtomicWriteOp) bool {
	for _, op := range ops {
		if op.Kind != kvstore.AtomicSet && op.Kind != kvstore.AtomicDelete {
			return false
		}
	}
	return true
}

// execPlainAtomicWrite applies an atomic write of unconditional Sets and Deletes in
// one round trip: MULTI, one MSET of the values, one DEL of the size keys (and of
// the deleted values), EXEC; exactly what the write script writes for them. Like any
// single write, it is never resent once it may have reached Redis (see resend.go).
func (b *Backend) execPlainAtomicWrite(ctx context.Context, ops []*kvstore.AtomicWriteOp) (bool, error) {
	keys := make([]string, len(ops))
	mset := make([]any, 1, 1+2*len(ops))
	mset[0] = "mset"
	del := make([]any, 1, 1+2*len(ops))
	del[0] = "del"
	for i, op := range ops {
		op.SetConditionalFailed(false)
		keys[i] = op.Key
		if op.Kind == kvstore.AtomicSet {
			mset = append(mset, b.redisKey(op.Key, valueKey), op.Value)
			del = append(del, b.redisKey(op.Key, sizeKey))
		} else {
			del = append(del, b.redisKey(op.Key, valueKey), b.redisKey(op.Key, sizeKey))
		}
	}
	if err := b.checkColocated(keys); err != nil {
		return false, err
	}
	cmds := make([]goredis.Cmder, 0, 2)
	if len(mset) > 1 {
		cmds = append(cmds, noRetry{goredis.NewStatusCmd(ctx, mset...)})
	}
	cmds = append(cmds, noRetry{goredis.NewIntCmd(ctx, del...)})
	if err := ctx.Err(); err != nil {
		return false, err
	}
	err := b.call(ctx, cmds, func(ctx context.Context) {
		pipe := b.client.TxPipeline()
		_ = pipe.BatchProcess(ctx, cmds...)
		_, _ = pipe.Exec(ctx)
	})
	if err != nil {
		return false, kvstore.OutcomeUnknown(err)
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			key := ""
			if len(ops) == 1 {
				key = ops[0].Key
			}
			return false, markUnknown(mapError(key, err))
		}
	}
	return true, nil
}
