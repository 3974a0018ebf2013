package commands

import (
	"context"
	"errors"

	"github.com/kvlambda/kvlambda/kvstore"
)

// batchPlan is a command planned as kvstore batch operations: the keys it reads and
// writes, and queue, which adds its operations to a batch and returns the function
// that builds its reply after Exec.
type batchPlan struct {
	reads, writes []string
	queue         func(b kvstore.BatchOperation) func() Reply
}

// Batchable reports whether the command can share a kvstore batch with its
// neighbours in a pipeline: GET, MGET, SET without options, SMEMBERS, ZSCORE,
// ZMSCORE and HGETALL, whose replies a batch gives exactly. Writes whose reply counts
// something (DEL, SADD, SREM, ZADD, ZREM, HSET, ...) run singly.
func (c Command) Batchable() bool {
	if c.spec == nil || c.spec.batch == nil {
		return false
	}
	_, ok := c.spec.batch(c.Args)
	return ok
}

// ExecPipeline runs commands in order, not atomically, and returns one reply each.
// Runs of consecutive batchable commands (see Command.Batchable) share one kvstore
// batch, one round trip, as long as no key is both read and written within the run
// (a batch does not say whether a read sees a write queued beside it, so such a run
// is cut there to keep the replies those of running the commands one by one). Every
// other command runs singly, in order.
func (x *Executor) ExecPipeline(ctx context.Context, cmds []Command) []Reply {
	replies := make([]Reply, len(cmds))
	for i := 0; i < len(cmds); {
		plan, ok := cmds[i].plan()
		if !ok {
			replies[i] = x.Exec(ctx, cmds[i])
			i++
			continue
		}
		reads, writes := map[string]bool{}, map[string]bool{}
		plans := []batchPlan{}
		j := i
		for ; j < len(cmds); j++ {
			if j > i {
				plan, ok = cmds[j].plan()
				if !ok || conflicts(plan, reads, writes) {
					break
				}
			}
			plans = append(plans, plan)
			for _, k := range plan.reads {
				reads[k] = true
			}
			for _, k := range plan.writes {
				writes[k] = true
			}
		}
		if len(plans) == 1 {
			replies[i] = x.Exec(ctx, cmds[i])
		} else {
			x.execBatch(ctx, cmds[i:j], plans, replies[i:j])
		}
		i = j
	}
	return replies
}

func (c Command) plan() (batchPlan, bool) {
	if c.spec == nil || c.spec.batch == nil {
		return batchPlan{}, false
	}
	return c.spec.batch(c.Args)
}

// conflicts reports whether p reads a key written earlier in the run or writes a key
// read earlier.
func conflicts(p batchPlan, reads, writes map[string]bool) bool {
	for _, k := range p.reads {
		if writes[k] {
			return true
		}
	}
	for _, k := range p.writes {
		if reads[k] {
			return true
		}
	}
	return false
}

// execBatch runs a run of planned commands as one batch. A batch holding an invalid
// operation (an empty key, an oversized value) runs nothing: the run is then replayed
// one command at a time, so each command gets its own reply.
func (x *Executor) execBatch(ctx context.Context, cmds []Command, plans []batchPlan, out []Reply) {
	b := x.backend.Batch()
	replies := make([]func() Reply, len(plans))
	for i, p := range plans {
		replies[i] = p.queue(b)
	}
	if err := b.Exec(ctx); err != nil && errors.Is(err, kvstore.ErrInvalidArgument) && invalidBatch(replies) {
		for i, c := range cmds {
			out[i] = x.Exec(ctx, c)
		}
		return
	}
	for i, r := range replies {
		out[i] = r()
	}
}

// invalidBatch reports whether every reply is an error, as when the batch did not run.
func invalidBatch(replies []func() Reply) bool {
	for _, r := range replies {
		if !IsError(r()) {
			return false
		}
	}
	return true
}
