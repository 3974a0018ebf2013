package commands

import (
	"context"
	"strings"

	"github.com/kvlambda/kvlambda/kvstore"
)

// atomicOp adds one operation to an atomic write. A user condition is the command's
// own (SET NX, SETNX, HSETNX, ZADD NX): when it fails the transaction is aborted. An
// internal condition guards a value the plan read (counters, DEL): when it fails,
// another writer got in between and the transaction is planned and tried again.
type atomicOp struct {
	add      func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult
	user     bool
	internal bool
}

func userCond(add func(kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult) atomicOp {
	return atomicOp{add: add, user: true}
}

func internalCond(add func(kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult) atomicOp {
	return atomicOp{add: add, internal: true}
}

// atomicPlan is a command planned as atomic-write operations, with the reply it has
// when the write commits.
type atomicPlan struct {
	ops   []atomicOp
	reply Reply
}

// AtomicResult is the outcome of ExecAtomic.
type AtomicResult struct {
	// Committed is true when the atomic write was applied.
	Committed bool
	// Replies holds one reply per command. When committed, each command's Redis reply;
	// when a command's condition failed, nil for that command and an EXECABORT error
	// for every other.
	Replies []Reply
	// ConditionFailed tells, per command, whether its own condition failed.
	ConditionFailed []bool
}

// AtomicWriteSupported lists the commands ExecAtomic accepts: writes whose reply is
// known exactly from the atomic write itself or from a value it guards with a
// condition.
const AtomicWriteSupported = "SET without GET (NX, XX, IFEQ allowed; EX or PX alone or with NX), SETNX, SETEX, PSETEX, MSET, DEL, INCR, INCRBY, DECR, DECRBY, EXPIRE and PEXPIRE (positive time, no options), HSETNX, ZADD NX (without INCR)"

// ExecAtomic runs write commands as ONE kvstore atomic write: all or nothing.
//
// Each command must be Atomic (see Command.Atomic and AtomicWriteSupported); any
// other is an EXECABORT error before anything is read or written. extra, when not
// nil, is called with the atomic write before Exec, on every attempt, to add the
// caller's own operations (the bus function's exactly-once marker); it must record
// its results afresh each time.
//
// A failed condition of a command (SET NX on a taken key, SET IFEQ on another value,
// SETNX, HSETNX, ZADD NX on a present member) writes nothing: the result is not
// committed, the failed commands reply nil and the others EXECABORT. When only an
// operation added by extra failed its condition, the result is not committed and every
// command replies EXECABORT. Counters and DEL read before the write and guard what
// they read with conditions; if another writer changed it in between, the whole
// transaction is planned again (a bounded number of times).
//
// The returned error (an *Error reply) is for a transaction that could not run: a
// command that is not allowed, a syntax error, a wrong type, too many operations or
// two operations on one item, a backend failure. Nothing was written then.
func (x *Executor) ExecAtomic(ctx context.Context, cmds []Command, extra func(w kvstore.AtomicWriteOperation)) (AtomicResult, *Error) {
	for _, c := range cmds {
		if c.spec == nil {
			return AtomicResult{}, execAbort(Errorf("ERR unknown command '%s'", printable(c.Name)))
		}
		if !c.Atomic() {
			return AtomicResult{}, execAbort(Errorf("ERR '%s' cannot be part of an atomic write (supported: %s)", c.spec.name, AtomicWriteSupported))
		}
	}
	if e := checkExpireKeys(cmds); e != nil {
		return AtomicResult{}, execAbort(e)
	}
	for range casAttempts {
		if err := ctx.Err(); err != nil {
			return AtomicResult{}, execAbort(FromError(err))
		}
		plans := make([]atomicPlan, len(cmds))
		for i, c := range cmds {
			p, e := c.spec.atomic(ctx, x, c.Args)
			if e != nil {
				return AtomicResult{}, execAbort(e)
			}
			plans[i] = p
		}
		w := x.backend.AtomicWrite()
		results := make([][]kvstore.AtomicWriteResult, len(cmds))
		for i, p := range plans {
			for _, op := range p.ops {
				results[i] = append(results[i], op.add(w))
			}
		}
		if extra != nil {
			extra(w)
		}
		ok, err := w.Exec(ctx)
		if err != nil {
			return AtomicResult{}, execAbort(FromError(err))
		}
		res := AtomicResult{Committed: ok, Replies: make([]Reply, len(cmds)), ConditionFailed: make([]bool, len(cmds))}
		if ok {
			for i, p := range plans {
				res.Replies[i] = p.reply
			}
			return res, nil
		}
		userFailed, internalFailed := false, false
		for i, p := range plans {
			for j, op := range p.ops {
				if !results[i][j].ConditionalFailed() {
					continue
				}
				if op.user {
					res.ConditionFailed[i] = true
					userFailed = true
				}
				if op.internal {
					internalFailed = true
				}
			}
		}
		if internalFailed && !userFailed {
			continue // a value read for the plan changed: plan again
		}
		for i := range cmds {
			if res.ConditionFailed[i] {
				res.Replies[i] = nil
			} else {
				res.Replies[i] = &Error{Msg: msgExecAbort}
			}
		}
		return res, nil
	}
	return AtomicResult{}, execAbort(&Error{Msg: msgConflict, Internal: false})
}

// execAbort wraps the reason a transaction could not run in an EXECABORT error.
func execAbort(e *Error) *Error {
	if strings.HasPrefix(e.Msg, "EXECABORT") {
		return e
	}
	return &Error{Msg: msgExecAbortOf + e.Msg, Internal: e.Internal, cause: e.cause}
}
