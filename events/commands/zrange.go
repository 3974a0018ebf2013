package commands

import (
	"context"
	"math"
	"slices"

	"github.com/kvlambda/kvlambda/kvstore"
)

type zrangeBy int

const (
	byRank zrangeBy = iota
	byScore
	byLex
)

// zrangeReq is a parsed ZRANGE-family request. min and max are in ascending order
// (the REV forms' reversed arguments are swapped back).
type zrangeReq struct {
	key        string
	by         zrangeBy
	rev        bool
	min, max   string
	limit      limitArgs
	withScores bool
}

// parseZRangeOptions parses the options after key and the two bounds.
func parseZRangeOptions(r *zrangeReq, opts []string, allowBy bool) *Error {
	for i := 0; i < len(opts); i++ {
		switch upper(opts[i]) {
		case "BYSCORE":
			if !allowBy || r.by == byLex {
				return errSyntax
			}
			r.by = byScore
		case "BYLEX":
			if !allowBy || r.by == byScore {
				return errSyntax
			}
			r.by = byLex
		case "REV":
			if !allowBy {
				return errSyntax
			}
			r.rev = true
		case "WITHSCORES":
			r.withScores = true
		case "LIMIT":
			if i+2 >= len(opts) {
				return errSyntax
			}
			o, e := parseInt(opts[i+1])
			if e != nil {
				return e
			}
			c, e := parseInt(opts[i+2])
			if e != nil {
				return e
			}
			r.limit = limitArgs{set: true, offset: o, count: c}
			i += 2
		default:
			return errSyntax
		}
	}
	return nil
}

// runZRange is ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]
// [WITHSCORES].
func runZRange(ctx context.Context, x *Executor, a []string) Reply {
	r := zrangeReq{key: a[0], min: a[1], max: a[2]}
	if e := parseZRangeOptions(&r, a[3:], true); e != nil {
		return e
	}
	if r.limit.set && r.by == byRank {
		return Errorf("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	}
	if r.withScores && r.by == byLex {
		return Errorf("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
	}
	if r.rev && r.by != byRank {
		r.min, r.max = r.max, r.min
	}
	return x.zrange(ctx, r)
}

func zrangeRunner(by zrangeBy, rev bool) func(context.Context, *Executor, []string) Reply {
	return func(ctx context.Context, x *Executor, a []string) Reply {
		r := zrangeReq{key: a[0], min: a[1], max: a[2], by: by, rev: rev}
		if rev {
			r.min, r.max = r.max, r.min
		}
		if e := parseZRangeOptions(&r, a[3:], false); e != nil {
			return e
		}
		if r.withScores && by == byLex {
			return errSyntax
		}
		return x.zrange(ctx, r)
	}
}

var (
	runZRangeByScore    = zrangeRunner(byScore, false)
	runZRevRangeByScore = zrangeRunner(byScore, true)
	runZRangeByLex      = zrangeRunner(byLex, false)
	runZRevRangeByLex   = zrangeRunner(byLex, true)
)

func (x *Executor) zrange(ctx context.Context, r zrangeReq) Reply {
	switch r.by {
	case byScore:
		min, max, ok, e := parseScoreRange(r.min, r.max)
		if e != nil {
			return e
		}
		limit, empty := r.limit.fetch()
		if !ok || empty {
			return []Reply{}
		}
		ms, err := x.scored(ctx, r.key, min, max, limit, r.rev)
		if err != nil {
			return FromError(err)
		}
		return scoredReply(applyLimit(r.limit, ms), r.withScores)
	case byLex:
		if e := parseLexRange(r.min, r.max); e != nil {
			return e
		}
		limit, empty := r.limit.fetch()
		if empty {
			return []Reply{}
		}
		var ms []string
		var err error
		if r.rev {
			ms, err = x.backend.ZRevRangeByLex(ctx, r.key, r.min, r.max, limit)
		} else {
			ms, err = x.backend.ZRangeByLex(ctx, r.key, r.min, r.max, limit)
		}
		if err != nil {
			return FromError(err)
		}
		ms = applyLimit(r.limit, ms)
		out := make([]Reply, len(ms))
		for i, m := range ms {
			out[i] = m
		}
		return out
	}
	return x.zrangeByRank(ctx, r)
}

func (x *Executor) scored(ctx context.Context, key string, min, max float64, limit int, rev bool) (kvstore.ScoredMembers, error) {
	if rev {
		return x.backend.ZRevRangeByScoreWithScores(ctx, key, min, max, limit)
	}
	return x.backend.ZRangeByScoreWithScores(ctx, key, min, max, limit)
}

func scoredReply(ms kvstore.ScoredMembers, withScores bool) Reply {
	n := len(ms)
	if withScores {
		n *= 2
	}
	out := make([]Reply, 0, n)
	for _, m := range ms {
		out = append(out, m.Value)
		if withScores {
			out = append(out, FormatScore(m.Score))
		}
	}
	return out
}

// fetchLimit turns a count of members into a kvstore limit (0, no limit, when too
// large to matter).
func fetchLimit(n int64) int {
	if n > math.MaxInt32 {
		return 0
	}
	return int(n)
}

// zrangeByRank answers a rank range with score-range reads, reading no more than it
// must: "start..stop" with both indexes >= 0 reads the first stop+1 members; both < 0
// reads the last -start members from the other end; mixed signs read the whole
// sorted set to learn its size.
func (x *Executor) zrangeByRank(ctx context.Context, r zrangeReq) Reply {
	start, e := parseInt(r.min)
	if e != nil {
		return e
	}
	stop, e := parseInt(r.max)
	if e != nil {
		return e
	}
	all := func(limit int, rev bool) (kvstore.ScoredMembers, error) {
		return x.scored(ctx, r.key, math.Inf(-1), math.Inf(1), limit, rev)
	}
	switch {
	case start >= 0 && stop >= 0:
		if start > stop {
			return []Reply{}
		}
		ms, err := all(fetchLimit(stop+1), r.rev)
		if err != nil {
			return FromError(err)
		}
		if start >= int64(len(ms)) {
			return []Reply{}
		}
		return scoredReply(ms[start:min(int64(len(ms)), stop+1)], r.withScores)
	case start < 0 && stop < 0 && start != math.MinInt64:
		if start > stop {
			return []Reply{}
		}
		m := -start
		tail, err := all(fetchLimit(m), !r.rev)
		if err != nil {
			return FromError(err)
		}
		slices.Reverse(tail)
		if int64(len(tail)) == m {
			// The set has at least m members: tail is exactly start..-1.
			return scoredReply(tail[:min(int64(len(tail)), stop-start+1)], r.withScores)
		}
		return scoredReply(rankSlice(tail, start, stop), r.withScores)
	}
	ms, err := all(0, r.rev)
	if err != nil {
		return FromError(err)
	}
	return scoredReply(rankSlice(ms, start, stop), r.withScores)
}

// rankSlice applies Redis' rank normalization to a whole sorted set.
func rankSlice(ms kvstore.ScoredMembers, start, stop int64) kvstore.ScoredMembers {
	n := int64(len(ms))
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return nil
	}
	if stop >= n {
		stop = n - 1
	}
	return ms[start : stop+1]
}
