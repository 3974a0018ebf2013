package commands

import (
	"context"
	"errors"
	"math"
	"strings"

	"github.com/kvlambda/kvlambda/kvstore"
)

type zpair struct {
	score  float64
	member string
}

type zaddOpts struct {
	nx, xx, gt, lt, ch, incr bool
	pairs                    []zpair
}

// parseZAdd parses ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
// with Redis' checks and texts.
func parseZAdd(a []string) (zaddOpts, *Error) {
	var o zaddOpts
	i := 1
flags:
	for ; i < len(a); i++ {
		switch upper(a[i]) {
		case "NX":
			o.nx = true
		case "XX":
			o.xx = true
		case "GT":
			o.gt = true
		case "LT":
			o.lt = true
		case "CH":
			o.ch = true
		case "INCR":
			o.incr = true
		default:
			break flags
		}
	}
	rest := a[i:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		return o, errSyntax
	}
	if o.nx && o.xx {
		return o, Errorf("ERR XX and NX options at the same time are not compatible")
	}
	if (o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt) {
		return o, Errorf("ERR GT, LT, and/or NX options at the same time are not compatible")
	}
	if o.incr && len(rest) > 2 {
		return o, Errorf("ERR INCR option supports a single increment-element pair")
	}
	for j := 0; j < len(rest); j += 2 {
		s, ok := parseFloat(rest[j])
		if !ok {
			return o, errNotFloat
		}
		o.pairs = append(o.pairs, zpair{score: s, member: rest[j+1]})
	}
	return o, nil
}

// foldPairs folds repeated members: under NX the first occurrence wins (the later
// ones find the member present), otherwise the last score wins.
func foldPairs(pairs []zpair, firstWins bool) []zpair {
	idx := make(map[string]int, len(pairs))
	var out []zpair
	for _, p := range pairs {
		if j, ok := idx[p.member]; ok {
			if !firstWins {
				out[j].score = p.score
			}
			continue
		}
		idx[p.member] = len(out)
		out = append(out, p)
	}
	return out
}

func runZAdd(ctx context.Context, x *Executor, a []string) Reply {
	o, e := parseZAdd(a)
	if e != nil {
		return e
	}
	key := a[0]
	if o.incr {
		return zaddIncr(ctx, x, key, o)
	}
	pairs := foldPairs(o.pairs, o.nx)
	for _, p := range pairs {
		if err := kvstore.ValidateSortedMember(p.member); err != nil {
			return FromError(err)
		}
	}
	if o.nx {
		return zaddNX(ctx, x, key, pairs)
	}
	// Read the current scores in one batch to count what is added (and changed).
	b := x.backend.Batch()
	olds := make([]kvstore.ZScoreResult, len(pairs))
	for i, p := range pairs {
		olds[i] = b.ZScore(key, p.member)
	}
	if err := b.Exec(ctx); err != nil {
		return FromError(err)
	}
	w := x.backend.Batch()
	writes := 0
	added, changed := int64(0), int64(0)
	for i, p := range pairs {
		old, _ := olds[i].Result()
		switch {
		case old == nil && o.xx:
			continue
		case old != nil && (*old == p.score || (o.gt && !(p.score > *old)) || (o.lt && !(p.score < *old))):
			continue
		case old == nil:
			added++
		default:
			changed++
		}
		w.ZAdd(key, p.member, p.score)
		writes++
	}
	if writes > 0 {
		if err := w.Exec(ctx); err != nil {
			return FromError(err)
		}
	}
	if o.ch {
		return added + changed
	}
	return added
}

// zaddNX adds the members with atomic writes of ZAddNX (up to
// kvstore.MaxAtomicWriteOperations members each): a member found present drops out
// and the rest is retried, so the count of added members is exact.
func zaddNX(ctx context.Context, x *Executor, key string, pairs []zpair) Reply {
	added := int64(0)
	for len(pairs) > 0 {
		chunk := pairs[:min(len(pairs), kvstore.MaxAtomicWriteOperations)]
		pairs = pairs[len(chunk):]
		for len(chunk) > 0 {
			w := x.backend.AtomicWrite()
			rs := make([]kvstore.AtomicWriteResult, len(chunk))
			for i, p := range chunk {
				rs[i] = w.ZAddNX(key, p.member, p.score)
			}
			ok, err := w.Exec(ctx)
			if err != nil {
				return FromError(err)
			}
			if ok {
				added += int64(len(chunk))
				break
			}
			var rest []zpair
			for i, p := range chunk {
				if !rs[i].ConditionalFailed() {
					rest = append(rest, p)
				}
			}
			chunk = rest
		}
	}
	return added
}

// zaddIncr is ZADD ... INCR: the reply is the new score, or nil when a condition
// stops the update.
func zaddIncr(ctx context.Context, x *Executor, key string, o zaddOpts) Reply {
	p := o.pairs[0]
	if err := kvstore.ValidateSortedMember(p.member); err != nil {
		return FromError(err)
	}
	if o.nx {
		if math.IsNaN(p.score) {
			return errNaN
		}
		w := x.backend.AtomicWrite()
		w.ZAddNX(key, p.member, p.score)
		ok, err := w.Exec(ctx)
		if err != nil {
			return FromError(err)
		}
		if !ok {
			return nil
		}
		return FormatScore(p.score)
	}
	if !o.xx && !o.gt && !o.lt {
		return zincr(ctx, x, key, p.member, p.score)
	}
	old, err := x.backend.ZScore(ctx, key, p.member)
	if err != nil {
		return FromError(err)
	}
	if old == nil && o.xx {
		return nil
	}
	if old == nil || (!o.gt && !o.lt) {
		return zincr(ctx, x, key, p.member, p.score)
	}
	n, err := kvstore.AddScore(*old, p.score)
	if err != nil {
		return errNaN
	}
	if (o.gt && !(n > *old)) || (o.lt && !(n < *old)) {
		return nil
	}
	if err := x.backend.ZAdd(ctx, key, p.member, n); err != nil {
		return FromError(err)
	}
	return FormatScore(n)
}

var errNaN = Errorf("ERR resulting score is not a number (NaN)")

func zincr(ctx context.Context, x *Executor, key, member string, n float64) Reply {
	s, err := x.backend.ZIncrBy(ctx, key, member, n)
	if errors.Is(err, kvstore.ErrInvalidArgument) && strings.Contains(err.Error(), "NaN") {
		return errNaN
	}
	if err != nil {
		return FromError(err)
	}
	return FormatScore(s)
}

func zaddAtomicOK(a []string) bool {
	o, e := parseZAdd(a)
	return e != nil || (o.nx && !o.incr)
}

// atomicZAdd is ZADD NX in an atomic write: every member's condition is "absent", so
// when the write commits every member was added and the reply is their count.
func atomicZAdd(_ context.Context, _ *Executor, a []string) (atomicPlan, *Error) {
	o, e := parseZAdd(a)
	if e != nil {
		return atomicPlan{}, e
	}
	key := a[0]
	pairs := foldPairs(o.pairs, true)
	p := atomicPlan{reply: int64(len(pairs))}
	for _, z := range pairs {
		p.ops = append(p.ops, userCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
			return w.ZAddNX(key, z.member, z.score)
		}))
	}
	return p, nil
}

func scoreReply(s *float64) Reply {
	if s == nil {
		return nil
	}
	return FormatScore(*s)
}

func runZScore(ctx context.Context, x *Executor, a []string) Reply {
	s, err := x.backend.ZScore(ctx, a[0], a[1])
	if err != nil {
		return FromError(err)
	}
	return scoreReply(s)
}

func batchZScore(a []string) (batchPlan, bool) {
	return batchPlan{reads: a[:1], queue: func(b kvstore.BatchOperation) func() Reply {
		r := b.ZScore(a[0], a[1])
		return func() Reply {
			s, err := r.Result()
			if err != nil {
				return FromError(err)
			}
			return scoreReply(s)
		}
	}}, true
}

func runZMScore(ctx context.Context, x *Executor, a []string) Reply {
	p, _ := batchZMScore(a)
	b := x.backend.Batch()
	reply := p.queue(b)
	_ = b.Exec(ctx) // each result carries its own error
	return reply()
}

func batchZMScore(a []string) (batchPlan, bool) {
	return batchPlan{reads: a[:1], queue: func(b kvstore.BatchOperation) func() Reply {
		rs := make([]kvstore.ZScoreResult, len(a)-1)
		for i, m := range a[1:] {
			rs[i] = b.ZScore(a[0], m)
		}
		return func() Reply {
			out := make([]Reply, len(rs))
			for i, r := range rs {
				s, err := r.Result()
				if err != nil {
					return FromError(err)
				}
				out[i] = scoreReply(s)
			}
			return out
		}
	}}, true
}

// runZRem reads the members' scores in one batch to count those present, then
// removes them in one batch: two round trips; the count is exact unless another
// writer changes the same members between the two.
func runZRem(ctx context.Context, x *Executor, a []string) Reply {
	key, ms := a[0], distinct(a[1:])
	b := x.backend.Batch()
	rs := make([]kvstore.ZScoreResult, len(ms))
	for i, m := range ms {
		rs[i] = b.ZScore(key, m)
	}
	if err := b.Exec(ctx); err != nil {
		return FromError(err)
	}
	w := x.backend.Batch()
	n := int64(0)
	for i, m := range ms {
		if s, _ := rs[i].Result(); s != nil {
			w.ZRem(key, m)
			n++
		}
	}
	if n > 0 {
		if err := w.Exec(ctx); err != nil {
			return FromError(err)
		}
	}
	return n
}

func runZIncrBy(ctx context.Context, x *Executor, a []string) Reply {
	n, ok := parseFloat(a[1])
	if !ok {
		return errNotFloat
	}
	return zincr(ctx, x, a[0], a[2], n)
}

func runZCard(ctx context.Context, x *Executor, a []string) Reply {
	n, err := x.backend.ZCount(ctx, a[0], math.Inf(-1), math.Inf(1))
	if err != nil {
		return FromError(err)
	}
	return int64(n)
}

func runZCount(ctx context.Context, x *Executor, a []string) Reply {
	min, max, ok, e := parseScoreRange(a[1], a[2])
	if e != nil {
		return e
	}
	if !ok {
		return int64(0)
	}
	n, err := x.backend.ZCount(ctx, a[0], min, max)
	if err != nil {
		return FromError(err)
	}
	return int64(n)
}

func runZLexCount(ctx context.Context, x *Executor, a []string) Reply {
	if e := parseLexRange(a[1], a[2]); e != nil {
		return e
	}
	n, err := x.backend.ZLexCount(ctx, a[0], a[1], a[2])
	if err != nil {
		return FromError(err)
	}
	return int64(n)
}
