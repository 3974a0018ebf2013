package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// Batch implements kvstore.Backend: Exec sends every queued operation in one
// pipeline, so a batch of any size is one round trip (on Redis Cluster, one per
// node, concurrently). Plain commands serve reads and Set (consecutive Sets are one
// MSET on a single server); Delete, SAdd, SRem, ZAdd and ZRem are EVALSHAs of the
// write script, which the same pipeline loads first with SCRIPT LOAD. For a read
// cache (see readexpiry.go), the pipeline also carries a PTTL per key read.
func (b *Backend) Batch() kvstore.BatchOperation { return &batch{b: b} }

type batch struct {
	kvstore.BatchOps
	b *Backend
}

// batchCmd is one queued operation's command and how to read its reply.
type batchCmd struct {
	op   *kvstore.BatchOp
	cmd  goredis.Cmder
	call *writeCall // for the write script's operations
	// merged is true for the Sets after the first of a run sent as one MSET (see
	// msetRun): they share its command, which the pipeline carries once.
	merged bool
}

// msetRun sends a run of consecutive Sets at the start of ops as one MSET, which
// takes them in order (the last of several to one key wins, as in queue order) and
// costs Redis and the client one command instead of one each. It fills their
// batchCmds and returns how many Sets it took: 0 when ops does not start with two
// Sets, or on Redis Cluster and Ring, where the keys of one MSET would have to share
// a hash slot.
func (b *Backend) msetRun(ctx context.Context, ops []*kvstore.BatchOp, cmds []batchCmd) int {
	n := 0
	for n < len(ops) && ops[n].Kind == kvstore.BatchSet {
		n++
	}
	if n < 2 || b.shared.topology != topologySingle {
		return 0
	}
	args := make([]any, 1, 1+2*n)
	args[0] = "mset"
	for _, op := range ops[:n] {
		args = append(args, b.redisKey(op.Key, valueKey), op.Value)
	}
	cmd := goredis.NewStatusCmd(ctx, args...)
	for i, op := range ops[:n] {
		cmds[i] = batchCmd{op: op, cmd: cmd, merged: i > 0}
	}
	return n
}

// Exec implements kvstore.BatchOperation. Operations on one key run in queue order:
// a pipeline runs its commands in order on one connection.
func (bt *batch) Exec(ctx context.Context) error {
	ops, err := bt.Operations()
	if err != nil || len(ops) == 0 {
		return err
	}
	b := bt.b
	cmds := make([]batchCmd, len(ops))
	scripted := false
	for i := 0; i < len(ops); i++ {
		if n := b.msetRun(ctx, ops[i:], cmds[i:]); n > 0 {
			i += n - 1
			continue
		}
		cmds[i] = b.batchCmd(ctx, ops[i])
		scripted = scripted || cmds[i].call != nil
	}
	all := make([]goredis.Cmder, 0, len(cmds)+1)
	if scripted {
		if b.shared.topology == topologySingle {
			// One connection runs the pipeline in order, so the scripts below find it.
			all = append(all, goredis.NewStringCmd(ctx, "script", "load", writeLua))
		} else if err := b.loadScriptsOnShards(ctx); err != nil {
			return failAll(ops, err)
		}
	}
	rep := expiryreport.FromContext(ctx)
	var probes []expiryProbe
	var probed map[expiryreport.Key]bool
	for _, c := range cmds {
		if c.cmd == nil || c.merged {
			continue
		}
		if rep != nil {
			// A read cache asked when what the batch's reads see expires: one PTTL per
			// key and kind of data read, just before the first read of it.
			if kind, ok := batchReadKind(c.op.Kind); ok {
				k := expiryreport.Key{Key: c.op.Key, Sorted: kind == zsetKey}
				if !probed[k] {
					if probed == nil {
						probed = make(map[expiryreport.Key]bool)
					}
					probed[k] = true
					p := b.newExpiryProbe(ctx, c.op.Key, kind)
					probes = append(probes, p)
					all = append(all, p.cmd)
				}
			}
		}
		all = append(all, c.cmd)
	}
	if len(all) > 0 {
		sent := time.Now().UnixMilli()
		if err := b.roundTrip(ctx, all...); err != nil {
			return failAll(ops, err)
		}
		for _, p := range probes {
			p.record(rep, sent)
		}
	}
	for _, c := range cmds {
		if c.cmd == nil {
			continue
		}
		c.result()
		if c.call != nil && isNoScript(c.cmd.Err()) {
			// Only on a Cluster or Ring whose script cache was flushed since the
			// scripts were loaded: load them again for the next batch.
			b.shared.clusterScriptsLoaded.Store(false)
		}
	}
	return kvstore.BatchError(ops)
}

// batchReadKind returns the kind of Redis key a batched read reads, and false for a
// write.
func batchReadKind(kind kvstore.BatchOpKind) (int, bool) {
	switch kind {
	case kvstore.BatchGet, kvstore.BatchSMembers, kvstore.BatchHGetAll:
		return valueKey, true
	case kvstore.BatchZScore:
		return zsetKey, true
	}
	return 0, false
}

// failAll gives every operation err, when the batch could not run.
func failAll(ops []*kvstore.BatchOp, err error) error {
	for _, op := range ops {
		op.Err = err
	}
	return kvstore.BatchError(ops)
}

func (b *Backend) batchCmd(ctx context.Context, op *kvstore.BatchOp) batchCmd {
	c := batchCmd{op: op}
	script := func(add func(*writeCall)) {
		c.call = b.newWriteCall()
		add(c.call)
		c.cmd = c.call.cmd(ctx)
	}
	switch op.Kind {
	case kvstore.BatchGet:
		c.cmd = goredis.NewStringCmd(ctx, "get", b.redisKey(op.Key, valueKey))
	case kvstore.BatchSet:
		c.cmd = goredis.NewStatusCmd(ctx, "set", b.redisKey(op.Key, valueKey), op.Value)
	case kvstore.BatchDelete:
		script(func(w *writeCall) { w.delete(op.Key, "") })
	case kvstore.BatchSMembers:
		c.cmd = goredis.NewStringSliceCmd(ctx, "smembers", b.redisKey(op.Key, valueKey))
	case kvstore.BatchSAdd:
		script(func(w *writeCall) { w.sadd(op.Key, op.Members) })
	case kvstore.BatchSRem:
		script(func(w *writeCall) { w.srem(op.Key, op.Members) })
	case kvstore.BatchZAdd:
		script(func(w *writeCall) { w.zhadd(op.Key, "", op.Members[0], op.Members[0], op.Score) })
	case kvstore.BatchZRem:
		script(func(w *writeCall) { w.zhrem(op.Key, op.Members[0]) })
	case kvstore.BatchZScore:
		c.cmd = goredis.NewFloatCmd(ctx, "zscore", b.redisKey(op.Key, zsetKey), op.Members[0])
	case kvstore.BatchHGetAll:
		c.cmd = goredis.NewMapStringStringCmd(ctx, "hgetall", b.redisKey(op.Key, valueKey))
	default:
		op.Err = fmt.Errorf("%w: unknown batch operation %v", kvstore.ErrInvalidArgument, op.Kind)
	}
	return c
}

// result fills the operation's result from its command's reply.
func (c batchCmd) result() {
	op := c.op
	if c.call != nil {
		_, op.Err = c.call.reply(c.cmd.(*goredis.Cmd))
		return
	}
	switch cmd := c.cmd.(type) {
	case *goredis.StringCmd:
		op.String, op.Err = optionalString(op.Key, cmd)
	case *goredis.StatusCmd:
		op.Err = mapError(op.Key, cmd.Err())
	case *goredis.StringSliceCmd:
		op.Strings, op.Err = cmd.Result()
		op.Err = mapError(op.Key, op.Err)
	case *goredis.FloatCmd:
		op.Float, op.Err = optionalScore(op.Key, cmd)
	case *goredis.MapStringStringCmd:
		op.Map, op.Err = cmd.Result()
		op.Err = mapError(op.Key, op.Err)
	default:
		op.Err = errors.New("kvstore/redis: unexpected batch command")
	}
}
