package commands

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/kvlambda/kvlambda/kvstore"
)

// casAttempts bounds the read-then-compare-and-set loops (SET ... GET, counters in
// atomic writes) under contention.
const casAttempts = 16

func runGet(ctx context.Context, x *Executor, a []string) Reply {
	v, err := x.backend.Get(ctx, a[0])
	if err != nil {
		return FromError(err)
	}
	return strPtr(v)
}

func strPtr(v *string) Reply {
	if v == nil {
		return nil
	}
	return *v
}

func batchGet(a []string) (batchPlan, bool) {
	return batchPlan{reads: a[:1], queue: func(b kvstore.BatchOperation) func() Reply {
		r := b.Get(a[0])
		return func() Reply {
			v, err := r.Result()
			if err != nil {
				return FromError(err)
			}
			return strPtr(v)
		}
	}}, true
}

// runMGet reads every key in one batch. As in Redis, a key holding a set or hash
// reads as nil rather than failing the command.
func runMGet(ctx context.Context, x *Executor, a []string) Reply {
	p, _ := batchMGet(a)
	b := x.backend.Batch()
	reply := p.queue(b)
	_ = b.Exec(ctx) // each result carries its own error
	return reply()
}

func batchMGet(a []string) (batchPlan, bool) {
	return batchPlan{reads: a, queue: func(b kvstore.BatchOperation) func() Reply {
		rs := make([]kvstore.GetResult, len(a))
		for i, k := range a {
			rs[i] = b.Get(k)
		}
		return func() Reply {
			out := make([]Reply, len(rs))
			for i, r := range rs {
				v, err := r.Result()
				switch {
				case errors.Is(err, kvstore.ErrWrongType):
					out[i] = nil
				case err != nil:
					return FromError(err)
				default:
					out[i] = strPtr(v)
				}
			}
			return out
		}
	}}, true
}

// setCond is SET's condition.
type setCond int

const (
	setAlways setCond = iota
	setNX
	setXX
	setIFEQ
)

type setOpts struct {
	cond setCond
	old  string // IFEQ's comparison value
	get  bool
	exp  expFlag // EX, PX, EXAT, PXAT, KEEPTTL or none
	arg  string  // the expiry option's argument
}

// parseSet parses SET's options as Redis 7.4 does: NX and XX exclude each other, at
// most one of EX, PX, EXAT, PXAT and KEEPTTL (the same one repeated is allowed, the
// last argument wins), each of EX, PX, EXAT and PXAT needs an argument. IFEQ is
// kvlambda's (as Valkey's): it excludes NX and XX, and the expiry options, which
// kvstore cannot combine with a compare-and-set.
func parseSet(a []string) (setOpts, *Error) {
	var o setOpts
	for i := 2; i < len(a); i++ {
		switch opt := upper(a[i]); opt {
		case "NX":
			if o.cond != setAlways && o.cond != setNX {
				return o, errSyntax
			}
			o.cond = setNX
		case "XX":
			if o.cond != setAlways && o.cond != setXX {
				return o, errSyntax
			}
			o.cond = setXX
		case "IFEQ":
			if o.cond != setAlways || i+1 >= len(a) {
				return o, errSyntax
			}
			o.cond, o.old = setIFEQ, a[i+1]
			i++
		case "GET":
			o.get = true
		case "KEEPTTL":
			if o.exp != expNone && o.exp != expKeep {
				return o, errSyntax
			}
			o.exp = expKeep
		case "EX", "PX", "EXAT", "PXAT":
			f := expFlags[opt]
			if (o.exp != expNone && o.exp != f) || i+1 >= len(a) {
				return o, errSyntax
			}
			o.exp, o.arg = f, a[i+1]
			i++
		default:
			return o, errSyntax
		}
	}
	if o.cond == setIFEQ && o.exp != expNone {
		return o, errIFEQExpiry
	}
	return o, nil
}

// setMode returns the kvstore condition of SET's NX or XX.
func (o setOpts) setMode() kvstore.SetMode {
	switch o.cond {
	case setNX:
		return kvstore.SetIfAbsent
	case setXX:
		return kvstore.SetIfPresent
	}
	return kvstore.SetAlways
}

func runSet(ctx context.Context, x *Executor, a []string) Reply {
	o, e := parseSet(a)
	if e != nil {
		return e
	}
	key, val := a[0], a[1]
	if o.cond == setIFEQ && o.get {
		return setGet(ctx, x, key, val, o)
	}
	if o.get || o.exp != expNone {
		return setArgs(ctx, x, key, val, o)
	}
	var ok bool
	var err error
	switch o.cond {
	case setAlways:
		err, ok = x.backend.Set(ctx, key, val), true
	case setNX:
		ok, err = x.backend.SetNX(ctx, key, val)
	case setXX:
		ok, err = x.backend.SetXX(ctx, key, val)
	case setIFEQ:
		ok, err = x.backend.SetEQ(ctx, key, val, o.old)
	}
	if err != nil {
		return FromError(err)
	}
	if !ok {
		return nil
	}
	return OK
}

// setArgs is SET with an expiry option or GET (and NX or XX): one kvstore SetArgs,
// after the expiry is checked as Redis checks it.
func setArgs(ctx context.Context, x *Executor, key, val string, o setOpts) Reply {
	ex, e := x.expiry("set", o.exp, o.arg)
	if e != nil {
		return e
	}
	res, err := x.backend.SetArgs(ctx, key, val, kvstore.SetArgs{
		Mode: o.setMode(), TTL: ex.ttl, ExpireAt: ex.at, KeepTTL: o.exp == expKeep, Get: o.get,
	})
	if err != nil {
		return FromError(err)
	}
	if o.get {
		return strPtr(res.Old)
	}
	if !res.Done {
		return nil
	}
	return OK
}

// setGet is SET ... IFEQ old GET: it reads the old string and writes with a
// compare-and-set on what it read (SetEQ), retrying when another writer got in
// between, so the old value returned is exactly the one replaced. (SET ... GET with
// NX, XX or no condition is one kvstore SetArgs.)
func setGet(ctx context.Context, x *Executor, key, val string, o setOpts) Reply {
	for range casAttempts {
		cur, err := x.backend.Get(ctx, key)
		if err != nil {
			return FromError(err)
		}
		if cur == nil || *cur != o.old {
			return strPtr(cur)
		}
		ok, err := x.backend.SetEQ(ctx, key, val, *cur)
		if err != nil {
			return FromError(err)
		}
		if ok {
			return strPtr(cur)
		}
	}
	return &Error{Msg: msgConflict}
}

func batchSet(a []string) (batchPlan, bool) {
	if len(a) != 2 {
		return batchPlan{}, false
	}
	return batchPlan{writes: a[:1], queue: func(b kvstore.BatchOperation) func() Reply {
		r := b.Set(a[0], a[1])
		return func() Reply {
			if err := r.Result(); err != nil {
				return FromError(err)
			}
			return OK
		}
	}}, true
}

// setAtomicOK accepts SET without GET, with no expiry or with EX or PX alone or with
// NX (kvstore's atomic SetEX and SetNXEX). A SET that does not parse is accepted
// here, so that its error is the transaction's.
func setAtomicOK(a []string) bool {
	o, e := parseSet(a)
	if e != nil {
		return true
	}
	switch {
	case o.get:
		return false
	case o.exp == expNone:
		return true
	case o.exp == expEX || o.exp == expPX:
		return o.cond == setAlways || o.cond == setNX
	}
	return false
}

func atomicSet(_ context.Context, x *Executor, a []string) (atomicPlan, *Error) {
	o, e := parseSet(a)
	if e != nil {
		return atomicPlan{}, e
	}
	key, val := a[0], a[1]
	if o.exp != expNone {
		ex, e := x.expiry("set", o.exp, o.arg)
		if e != nil {
			return atomicPlan{}, e
		}
		if o.cond == setNX {
			return atomicPlan{reply: OK, ops: []atomicOp{userCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
				return w.SetNXEX(key, val, ex.ttl)
			})}}, nil
		}
		return atomicPlan{reply: OK, ops: []atomicOp{{add: func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
			return w.SetEX(key, val, ex.ttl)
		}}}}, nil
	}
	var op atomicOp
	switch o.cond {
	case setAlways:
		op = atomicOp{add: func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.Set(key, val) }}
	case setNX:
		op = userCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.SetNX(key, val) })
	case setXX:
		op = userCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.SetXX(key, val) })
	case setIFEQ:
		op = userCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.SetEQ(key, val, o.old) })
	}
	return atomicPlan{ops: []atomicOp{op}, reply: OK}, nil
}

// msetPairs returns MSET's keys and values with repeated keys folded (the last value
// wins, as when Redis sets them in order).
func msetPairs(a []string) (keys []string, vals map[string]string) {
	vals = make(map[string]string, len(a)/2)
	for i := 0; i+1 < len(a); i += 2 {
		if _, ok := vals[a[i]]; !ok {
			keys = append(keys, a[i])
		}
		vals[a[i]] = a[i+1]
	}
	return keys, vals
}

// runMSet writes every key in one atomic write when they fit in one (up to
// kvstore.MaxAtomicWriteOperations keys), so MSET is atomic as in Redis; larger MSETs
// are one batch, which is not atomic.
func runMSet(ctx context.Context, x *Executor, a []string) Reply {
	keys, vals := msetPairs(a)
	if len(keys) <= kvstore.MaxAtomicWriteOperations {
		w := x.backend.AtomicWrite()
		for _, k := range keys {
			w.Set(k, vals[k])
		}
		if _, err := w.Exec(ctx); err != nil {
			return FromError(err)
		}
		return OK
	}
	b := x.backend.Batch()
	for _, k := range keys {
		b.Set(k, vals[k])
	}
	if err := b.Exec(ctx); err != nil {
		return FromError(err)
	}
	return OK
}

func atomicMSet(_ context.Context, _ *Executor, a []string) (atomicPlan, *Error) {
	keys, vals := msetPairs(a)
	p := atomicPlan{reply: OK}
	for _, k := range keys {
		v := vals[k]
		p.ops = append(p.ops, atomicOp{add: func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.Set(k, v) }})
	}
	return p, nil
}

func runSetNX(ctx context.Context, x *Executor, a []string) Reply {
	ok, err := x.backend.SetNX(ctx, a[0], a[1])
	if err != nil {
		return FromError(err)
	}
	return boolInt(ok)
}

func atomicSetNX(_ context.Context, _ *Executor, a []string) (atomicPlan, *Error) {
	return atomicPlan{reply: int64(1), ops: []atomicOp{userCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
		return w.SetNX(a[0], a[1])
	})}}, nil
}

func boolInt(b bool) Reply {
	if b {
		return int64(1)
	}
	return int64(0)
}

// runDel deletes each distinct key (concurrently) and counts those that held a
// value. A key's sorted set is not a value: DEL leaves it (remove members with ZREM).
func runDel(ctx context.Context, x *Executor, a []string) Reply {
	keys := distinct(a)
	existed := make([]bool, len(keys))
	errs := make([]error, len(keys))
	forEach(len(keys), func(i int) {
		existed[i], errs[i] = x.backend.Delete(ctx, keys[i])
	})
	n := int64(0)
	for i := range keys {
		if errs[i] != nil {
			return FromError(errs[i])
		}
		if existed[i] {
			n++
		}
	}
	return n
}

// exists reads which keys hold a value (a string, counter, set or hash) in one batch.
func (x *Executor) exists(ctx context.Context, keys []string) (map[string]bool, *Error) {
	b := x.backend.Batch()
	rs := make([]kvstore.GetResult, len(keys))
	for i, k := range keys {
		rs[i] = b.Get(k)
	}
	_ = b.Exec(ctx) // each result carries its own error
	out := make(map[string]bool, len(keys))
	for i, r := range rs {
		v, err := r.Result()
		switch {
		case errors.Is(err, kvstore.ErrWrongType):
			out[keys[i]] = true // a set or a hash
		case err != nil:
			return nil, FromError(err)
		default:
			out[keys[i]] = v != nil
		}
	}
	return out, nil
}

// runExists counts the keys holding a value, counting a key named twice twice, as
// Redis does.
func runExists(ctx context.Context, x *Executor, a []string) Reply {
	present, e := x.exists(ctx, distinct(a))
	if e != nil {
		return e
	}
	n := int64(0)
	for _, k := range a {
		if present[k] {
			n++
		}
	}
	return n
}

// atomicDel reads which keys exist, then deletes the present ones with DeleteXX (a
// key that vanished before the write makes the transaction retry), so the count is
// exact. Keys absent at the read are not written.
func atomicDel(ctx context.Context, x *Executor, a []string) (atomicPlan, *Error) {
	keys := distinct(a)
	present, e := x.exists(ctx, keys)
	if e != nil {
		return atomicPlan{}, e
	}
	p := atomicPlan{}
	n := int64(0)
	for _, k := range keys {
		if present[k] {
			n++
			p.ops = append(p.ops, internalCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult { return w.DeleteXX(k) }))
		}
	}
	p.reply = n
	return p, nil
}

// counterDelta returns the increment an INCR-family command applies.
type counterDelta func(a []string) (int64, *Error)

func deltaIncr([]string) (int64, *Error) { return 1, nil }
func deltaDecr([]string) (int64, *Error) { return -1, nil }
func deltaIncrBy(a []string) (int64, *Error) {
	return parseInt(a[1])
}
func deltaDecrBy(a []string) (int64, *Error) {
	n, e := parseInt(a[1])
	if e != nil {
		return 0, e
	}
	if n == math.MinInt64 {
		return 0, Errorf("ERR decrement would overflow")
	}
	return -n, nil
}

func runCounter(delta counterDelta) func(context.Context, *Executor, []string) Reply {
	return func(ctx context.Context, x *Executor, a []string) Reply {
		d, e := delta(a)
		if e != nil {
			return e
		}
		n, err := x.backend.NIncrBy(ctx, a[0], d)
		if errors.Is(err, kvstore.ErrNotInteger) && strings.Contains(err.Error(), "overflow") {
			return Errorf("ERR increment or decrement would overflow")
		}
		if err != nil {
			return FromError(err)
		}
		return n
	}
}

// atomicCounter reads the counter and writes the new value on condition that the
// counter is unchanged (SetNX when absent, SetEQ otherwise), so the atomic write can
// reply the exact new value; a concurrent change makes the transaction retry.
func atomicCounter(delta counterDelta) func(context.Context, *Executor, []string) (atomicPlan, *Error) {
	return func(ctx context.Context, x *Executor, a []string) (atomicPlan, *Error) {
		d, e := delta(a)
		if e != nil {
			return atomicPlan{}, e
		}
		key := a[0]
		cur, err := x.backend.Get(ctx, key)
		if err != nil {
			return atomicPlan{}, FromError(err)
		}
		if cur == nil {
			v := strconv.FormatInt(d, 10)
			return atomicPlan{reply: d, ops: []atomicOp{internalCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
				return w.SetNX(key, v)
			})}}, nil
		}
		old, err := kvstore.ParseCounter(*cur)
		if err != nil {
			return atomicPlan{}, errNotInteger
		}
		n, err := kvstore.AddCounter(old, d)
		if err != nil {
			return atomicPlan{}, Errorf("ERR increment or decrement would overflow")
		}
		v, was := strconv.FormatInt(n, 10), *cur
		return atomicPlan{reply: n, ops: []atomicOp{internalCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
			return w.SetEQ(key, v, was)
		})}}, nil
	}
}
