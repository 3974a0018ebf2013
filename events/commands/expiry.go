package commands

import (
	"context"
	"math"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// The expiry commands (SETEX, PSETEX, GETEX, GETDEL, EXPIRE, PEXPIRE, EXPIREAT,
// PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST) and SET's expiry options,
// over kvstore's Expirer methods, with Redis 7.4's replies and error texts.

// expFlag is an expiry option of SET or GETEX.
type expFlag int

const (
	expNone    expFlag = iota
	expEX              // seconds from now
	expPX              // milliseconds from now
	expEXAT            // Unix seconds
	expPXAT            // Unix milliseconds
	expKeep            // SET's KEEPTTL
	expPersist         // GETEX's PERSIST
)

var expFlags = map[string]expFlag{"EX": expEX, "PX": expPX, "EXAT": expEXAT, "PXAT": expPXAT}

// maxTTLMillis is the furthest ahead, in milliseconds, an expiry may be set:
// kvstore reports a key's TTL as a time.Duration, which holds about 292 years. Later
// expiries, which Redis accepts, are an "invalid expire time" here.
const maxTTLMillis = math.MaxInt64 / int64(time.Millisecond)

// expiry is a checked expiry option: ttl (EX, PX) or at (EXAT, PXAT); neither for
// no option, KEEPTTL and PERSIST.
type expiry struct {
	ttl time.Duration
	at  time.Time
}

func errExpireTime(cmd string) *Error {
	return Errorf("ERR invalid expire time in '%s' command", cmd)
}

// expiry checks the argument of an expiry option as Redis' SET, SETEX, PSETEX and
// GETEX do: an integer (else "not an integer"), positive and without overflow once in
// milliseconds and, for EX and PX, once added to now (else "invalid expire time in
// '<cmd>' command"); and not beyond maxTTLMillis from now.
func (x *Executor) expiry(cmd string, f expFlag, arg string) (expiry, *Error) {
	if f != expEX && f != expPX && f != expEXAT && f != expPXAT {
		return expiry{}, nil
	}
	n, e := parseInt(arg)
	if e != nil {
		return expiry{}, e
	}
	seconds := f == expEX || f == expEXAT
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		return expiry{}, errExpireTime(cmd)
	}
	if seconds {
		n *= 1000
	}
	now := x.now().UnixMilli()
	if f == expEX || f == expPX {
		if n > math.MaxInt64-now || n > maxTTLMillis {
			return expiry{}, errExpireTime(cmd)
		}
		return expiry{ttl: time.Duration(n) * time.Millisecond}, nil
	}
	if n-now > maxTTLMillis {
		return expiry{}, errExpireTime(cmd)
	}
	return expiry{at: time.UnixMilli(n)}, nil
}

// parseSetEX returns SETEX's or PSETEX's time to live.
func parseSetEX(x *Executor, cmd string, f expFlag, a []string) (time.Duration, *Error) {
	ex, e := x.expiry(cmd, f, a[1])
	return ex.ttl, e
}

// runSetEX is SETEX key seconds value (PSETEX key milliseconds value): SET key value
// EX seconds (PX milliseconds).
func runSetEX(cmd string, f expFlag) func(context.Context, *Executor, []string) Reply {
	return func(ctx context.Context, x *Executor, a []string) Reply {
		ttl, e := parseSetEX(x, cmd, f, a)
		if e != nil {
			return e
		}
		if err := x.backend.SetEX(ctx, a[0], a[2], ttl); err != nil {
			return FromError(err)
		}
		return OK
	}
}

func atomicSetEX(cmd string, f expFlag) func(context.Context, *Executor, []string) (atomicPlan, *Error) {
	return func(_ context.Context, x *Executor, a []string) (atomicPlan, *Error) {
		ttl, e := parseSetEX(x, cmd, f, a)
		if e != nil {
			return atomicPlan{}, e
		}
		key, val := a[0], a[2]
		return atomicPlan{reply: OK, ops: []atomicOp{{add: func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
			return w.SetEX(key, val, ttl)
		}}}}, nil
	}
}

// parseGetEx parses GETEX's options as Redis 7.4 does: at most one of EX, PX, EXAT,
// PXAT and PERSIST (the same one repeated is allowed, the last wins); anything else,
// NX, XX, GET and KEEPTTL included, is a syntax error.
func parseGetEx(a []string) (f expFlag, arg string, e *Error) {
	for i := 1; i < len(a); i++ {
		opt := upper(a[i])
		switch opt {
		case "PERSIST":
			if f != expNone && f != expPersist {
				return f, arg, errSyntax
			}
			f = expPersist
		case "EX", "PX", "EXAT", "PXAT":
			g := expFlags[opt]
			if (f != expNone && f != g) || i+1 >= len(a) {
				return f, arg, errSyntax
			}
			f, arg = g, a[i+1]
			i++
		default:
			return f, arg, errSyntax
		}
	}
	return f, arg, nil
}

// runGetEx is GETEX key [EX s | PX ms | EXAT ts | PXAT ts-ms | PERSIST]: the string
// at key, with its expiry changed. As in Redis, an absent key replies nil and a key
// of another kind WRONGTYPE even when the expiry is invalid.
func runGetEx(ctx context.Context, x *Executor, a []string) Reply {
	f, arg, e := parseGetEx(a)
	if e != nil {
		return e
	}
	ex, e := x.expiry("getex", f, arg)
	if e != nil {
		v, err := x.backend.Get(ctx, a[0])
		switch {
		case err != nil:
			return FromError(err)
		case v == nil:
			return nil
		}
		return e
	}
	v, err := x.backend.GetEx(ctx, a[0], kvstore.GetExArgs{TTL: ex.ttl, ExpireAt: ex.at, Persist: f == expPersist})
	if err != nil {
		return FromError(err)
	}
	return strPtr(v)
}

// runGetDel is GETDEL key: the string at key (nil when absent), deleted.
func runGetDel(ctx context.Context, x *Executor, a []string) Reply {
	v, err := x.backend.GetDel(ctx, a[0])
	if err != nil {
		return FromError(err)
	}
	return strPtr(v)
}

// expireFlags is EXPIRE's options: NX, XX, GT, LT.
type expireFlags struct{ nx, xx, gt, lt bool }

// parseExpireFlags parses EXPIRE's options as Redis 7.4 does: any of NX, XX, GT, LT,
// repeated or not; NX excludes the others, GT excludes LT.
func parseExpireFlags(opts []string) (expireFlags, *Error) {
	var f expireFlags
	for _, o := range opts {
		switch upper(o) {
		case "NX":
			f.nx = true
		case "XX":
			f.xx = true
		case "GT":
			f.gt = true
		case "LT":
			f.lt = true
		default:
			return f, Errorf("ERR Unsupported option %s", printable(o))
		}
	}
	if f.nx && (f.xx || f.gt || f.lt) {
		return f, Errorf("ERR NX and XX, GT or LT options at the same time are not compatible")
	}
	if f.gt && f.lt {
		return f, Errorf("ERR GT and LT options at the same time are not compatible")
	}
	return f, nil
}

// cond returns the kvstore condition of the options. XX with GT is GT (GT already
// needs an expiry); XX with LT is LT, which the caller completes with a check that
// the key has an expiry.
func (f expireFlags) cond() kvstore.ExpireCondition {
	switch {
	case f.nx:
		return kvstore.ExpireNX
	case f.gt:
		return kvstore.ExpireGT
	case f.lt:
		return kvstore.ExpireLT
	case f.xx:
		return kvstore.ExpireXX
	}
	return kvstore.ExpireAlways
}

// expireArgs are a parsed EXPIRE, PEXPIRE, EXPIREAT or PEXPIREAT.
type expireArgs struct {
	flags    expireFlags
	relative bool
	ms       int64 // milliseconds from now (relative) or Unix milliseconds
	at       int64 // the expiry, Unix milliseconds
}

// parseExpire parses EXPIRE-family arguments as Redis 7.4 does: the options first,
// then the time, an integer that may be negative (a time that has passed deletes the
// key) but must not overflow once in milliseconds and added to its base ("invalid
// expire time in '<cmd>' command"); and, kvlambda's limit, not beyond maxTTLMillis
// from now.
func parseExpire(x *Executor, cmd string, seconds, relative bool, a []string) (expireArgs, *Error) {
	flags, e := parseExpireFlags(a[2:])
	if e != nil {
		return expireArgs{}, e
	}
	n, e := parseInt(a[1])
	if e != nil {
		return expireArgs{}, e
	}
	if seconds {
		if n > math.MaxInt64/1000 || n < math.MinInt64/1000 {
			return expireArgs{}, errExpireTime(cmd)
		}
		n *= 1000
	}
	now := x.now().UnixMilli()
	at := n
	if relative {
		if n > math.MaxInt64-now {
			return expireArgs{}, errExpireTime(cmd)
		}
		at = n + now
	}
	if at > now && at-now > maxTTLMillis {
		return expireArgs{}, errExpireTime(cmd)
	}
	return expireArgs{flags: flags, relative: relative, ms: n, at: at}, nil
}

// runExpire is EXPIRE key seconds [NX|XX|GT|LT] and its PEXPIRE, EXPIREAT and
// PEXPIREAT variants: 1 when the expiry was set (or the key deleted, for a time that
// has passed), 0 when the key is absent or the condition failed.
func runExpire(cmd string, seconds, relative bool) func(context.Context, *Executor, []string) Reply {
	return func(ctx context.Context, x *Executor, a []string) Reply {
		p, e := parseExpire(x, cmd, seconds, relative, a)
		if e != nil {
			return e
		}
		key := a[0]
		var ok bool
		var err error
		switch cond := p.flags.cond(); {
		case cond == kvstore.ExpireAlways && relative:
			ok, err = x.backend.Expire(ctx, key, time.Duration(max(p.ms, 0))*time.Millisecond)
		case cond == kvstore.ExpireAlways:
			ok, err = x.backend.ExpireAt(ctx, key, time.UnixMilli(p.at))
		default:
			if p.flags.xx && p.flags.lt {
				// LT alone also sets an expiry on a key without one: XX first
				// checks that there is one (two calls, not one atomic step).
				var ttl time.Duration
				if ttl, err = x.backend.TTL(ctx, key); err != nil || ttl == kvstore.NoExpiry || ttl == kvstore.KeyAbsent {
					return boolIntOrError(false, err)
				}
			}
			ok, err = x.backend.ExpireAtIf(ctx, key, time.UnixMilli(p.at), cond)
		}
		return boolIntOrError(ok, err)
	}
}

func boolIntOrError(ok bool, err error) Reply {
	if err != nil {
		return FromError(err)
	}
	return boolInt(ok)
}

// expireAtomicOK accepts EXPIRE and PEXPIRE without options and with a positive
// time: kvstore's atomic Expire. One that does not parse is accepted here, so that
// its error is the transaction's.
func expireAtomicOK(a []string) bool {
	if len(a) != 2 {
		return false
	}
	n, e := parseInt(a[1])
	return e != nil || n > 0
}

// atomicExpire plans EXPIRE or PEXPIRE as an atomic Expire, which needs the key
// present: the plan first reads whether the key exists (its TTL). A present key gets
// the Expire, guarded by its condition (the transaction is planned again if the key
// vanished before the write), and replies 1; an absent key is not written and
// replies 0, as in Redis.
func atomicExpire(cmd string, seconds bool) func(context.Context, *Executor, []string) (atomicPlan, *Error) {
	return func(ctx context.Context, x *Executor, a []string) (atomicPlan, *Error) {
		p, e := parseExpire(x, cmd, seconds, true, a)
		if e != nil {
			return atomicPlan{}, e
		}
		key, ttl := a[0], time.Duration(p.ms)*time.Millisecond
		cur, err := x.backend.TTL(ctx, key)
		if err != nil {
			return atomicPlan{}, FromError(err)
		}
		if cur == kvstore.KeyAbsent {
			return atomicPlan{reply: int64(0)}, nil
		}
		return atomicPlan{reply: int64(1), ops: []atomicOp{internalCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
			return w.Expire(key, ttl)
		})}}, nil
	}
}

// ttlReply is what TTL, PTTL, EXPIRETIME and PEXPIRETIME answer.
type ttlReply int

const (
	ttlSeconds ttlReply = iota
	ttlMillis
	expireTimeSeconds
	expireTimeMillis
)

// runTTL is TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for an absent key, -1 for a
// key without expiry, else the time left (TTL rounds to the nearest second, as
// Redis) or the expiry as a Unix time (computed as now plus the time left).
func runTTL(kind ttlReply) func(context.Context, *Executor, []string) Reply {
	return func(ctx context.Context, x *Executor, a []string) Reply {
		d, err := x.backend.TTL(ctx, a[0])
		switch {
		case err != nil:
			return FromError(err)
		case d == kvstore.KeyAbsent:
			return int64(-2)
		case d == kvstore.NoExpiry:
			return int64(-1)
		}
		ms := max(d.Milliseconds(), 0)
		switch kind {
		case ttlMillis:
			return ms
		case ttlSeconds:
			return (ms + 500) / 1000
		}
		at := x.now().UnixMilli() + ms
		if kind == expireTimeMillis {
			return at
		}
		return (at + 500) / 1000
	}
}

// runPersist is PERSIST key: 1 when it removed the key's expiry, 0 when the key is
// absent or had none.
func runPersist(ctx context.Context, x *Executor, a []string) Reply {
	return boolIntOrError(x.backend.Persist(ctx, a[0]))
}

// errTwoOps is the transaction error of two commands on one key, in the words of
// kvstore's atomic write.
func errTwoOps(key string) *Error {
	return Errorf("ERR invalid argument: atomic write has two operations on key %q", key)
}

// checkExpireKeys refuses a transaction in which EXPIRE or PEXPIRE names a key that
// another command writes: the EXPIRE would be planned against the key as it was
// before the transaction (an absent key replies 0 and is not written), which would
// not be what running the commands in order does.
func checkExpireKeys(cmds []Command) *Error {
	for i, c := range cmds {
		if c.Name != "EXPIRE" && c.Name != "PEXPIRE" {
			continue
		}
		for j, o := range cmds {
			if j == i {
				continue
			}
			for _, k := range o.WriteKeys() {
				if k == c.Args[0] {
					return errTwoOps(k)
				}
			}
		}
	}
	return nil
}
