package memory

import (
	"context"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// zread runs f on the sorted data at key (nil when absent) under a read lock, and
// records when that data expires in ctx's expiry report, if any.
func (b *Backend) zread(ctx context.Context, key string, f func(*zset)) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	rep := expiryreport.FromContext(ctx)
	s := b.shard(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	z := s.zget(key)
	if rep != nil {
		var exp int64
		if z != nil {
			exp = z.exp
		}
		rep.Record(key, true, exp)
	}
	f(z)
	return nil
}

// zwrite runs f on the sorted data at key (created when absent) under the shard's
// lock, and drops the key once it is empty.
func (b *Backend) zwrite(ctx context.Context, key string, f func(*zset) error) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	return s.zwrite(key, f)
}

func (s *shard) zwrite(key string, f func(*zset) error) error {
	z := s.ztake(key)
	if z == nil {
		z = newZset()
	}
	err := f(z)
	switch {
	case z.len() == 0:
		delete(s.sorted, key)
	case s.sorted[key] != z:
		if s.sorted == nil {
			s.sorted = make(map[string]*zset)
		}
		s.sorted[key] = z
	}
	return err
}

func zentryOf(key, field string, member any, score float64) (*zentry, error) {
	m, score, err := kvstore.SortedEntry(key, field, member, score)
	if err != nil {
		return nil, err
	}
	return newZentry(score, field, m), nil
}

// ZAdd implements kvstore.Backend.
func (b *Backend) ZAdd(ctx context.Context, key string, member any, score float64) error {
	m, err := kvstore.ToString(member)
	if err != nil {
		return err
	}
	return b.ZHAdd(ctx, key, m, m, score)
}

// ZHAdd implements kvstore.Backend.
func (b *Backend) ZHAdd(ctx context.Context, key, field string, member any, score float64) error {
	e, err := zentryOf(key, field, member, score)
	if err != nil {
		return err
	}
	return b.zwrite(ctx, key, func(z *zset) error { z.put(e); return nil })
}

// ZScore implements kvstore.Backend.
func (b *Backend) ZScore(ctx context.Context, key string, member any) (*float64, error) {
	field, err := kvstore.SortedField(member)
	if err != nil {
		return nil, err
	}
	var out *float64
	err = b.zread(ctx, key, func(z *zset) {
		if z == nil {
			return
		}
		if e := z.get(field); e != nil {
			s := e.score
			out = &s
		}
	})
	return out, err
}

// ZRem implements kvstore.Backend.
func (b *Backend) ZRem(ctx context.Context, key string, member any) error {
	field, err := kvstore.SortedField(member)
	if err != nil {
		return err
	}
	return b.ZHRem(ctx, key, field)
}

// ZHRem implements kvstore.Backend.
func (b *Backend) ZHRem(ctx context.Context, key, field string) error {
	if err := kvstore.ValidateSortedMember(field); err != nil {
		return err
	}
	if err := begin(ctx, key); err != nil {
		return err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	if z := s.ztake(key); z != nil {
		z.remove(field)
		if z.len() == 0 {
			delete(s.sorted, key)
		}
	}
	return nil
}

// ZIncrBy implements kvstore.Backend.
func (b *Backend) ZIncrBy(ctx context.Context, key string, member string, n float64) (float64, error) {
	if err := kvstore.ValidateSortedMember(member); err != nil {
		return 0, err
	}
	if err := kvstore.CheckItemSize(key, kvstore.SortedItemSize(key, member, len(member))); err != nil {
		return 0, err
	}
	var out float64
	err := b.zwrite(ctx, key, func(z *zset) error {
		cur := 0.0
		m := member
		if e := z.get(member); e != nil {
			cur, m = e.score, e.member()
		}
		r, err := kvstore.AddScore(cur, n)
		if err != nil {
			return err
		}
		out = r
		z.put(newZentry(r, member, m))
		return nil
	})
	return out, err
}

// scoreRange reads a score range as entries.
func (b *Backend) scoreRange(ctx context.Context, key string, min, max float64, limit int, rev bool) ([]*zentry, error) {
	if err := kvstore.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if err := kvstore.ValidateScoreRange(min, max); err != nil {
		return nil, err
	}
	var out []*zentry
	err := b.zread(ctx, key, func(z *zset) {
		if z == nil {
			return
		}
		z.rangeScore(min, max, rev, func(e *zentry) bool {
			out = append(out, e)
			return limit == 0 || len(out) < limit
		})
	})
	return out, err
}

// lexRange reads a lex range as entries.
func (b *Backend) lexRange(ctx context.Context, key, min, max string, limit int, rev bool) ([]*zentry, error) {
	if err := kvstore.ValidateLimit(limit); err != nil {
		return nil, err
	}
	lo, hi, err := kvstore.ParseLexRange(min, max)
	if err != nil {
		return nil, err
	}
	var out []*zentry
	err = b.zread(ctx, key, func(z *zset) {
		if z == nil {
			return
		}
		z.rangeLex(lo, hi, rev, func(e *zentry) bool {
			out = append(out, e)
			return limit == 0 || len(out) < limit
		})
	})
	return out, err
}

func members(es []*zentry, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.member()
	}
	return out, nil
}

func scored(es []*zentry, err error) (kvstore.ScoredMembers, error) {
	if err != nil {
		return nil, err
	}
	out := make(kvstore.ScoredMembers, len(es))
	all := make([]kvstore.ScoredMember, len(es))
	for i, e := range es {
		all[i] = kvstore.ScoredMember{Score: e.score, Value: e.member()}
		out[i] = &all[i]
	}
	return out, nil
}

// ZRangeByScore implements kvstore.Backend.
func (b *Backend) ZRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return members(b.scoreRange(ctx, key, min, max, limit, false))
}

// ZRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return scored(b.scoreRange(ctx, key, min, max, limit, false))
}

// ZRevRangeByScore implements kvstore.Backend.
func (b *Backend) ZRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return members(b.scoreRange(ctx, key, min, max, limit, true))
}

// ZRevRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return scored(b.scoreRange(ctx, key, min, max, limit, true))
}

// ZCount implements kvstore.Backend.
func (b *Backend) ZCount(ctx context.Context, key string, min, max float64) (int, error) {
	if err := kvstore.ValidateScoreRange(min, max); err != nil {
		return 0, err
	}
	n := 0
	err := b.zread(ctx, key, func(z *zset) {
		if z != nil {
			n = z.countScore(min, max)
		}
	})
	return n, err
}

// ZLexCount implements kvstore.Backend.
func (b *Backend) ZLexCount(ctx context.Context, key string, min, max string) (int, error) {
	lo, hi, err := kvstore.ParseLexRange(min, max)
	if err != nil {
		return 0, err
	}
	n := 0
	err = b.zread(ctx, key, func(z *zset) {
		if z != nil {
			n = z.countLex(lo, hi)
		}
	})
	return n, err
}

// ZRangeByLex implements kvstore.Backend.
func (b *Backend) ZRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return members(b.lexRange(ctx, key, min, max, limit, false))
}

// ZRevRangeByLex implements kvstore.Backend.
func (b *Backend) ZRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return members(b.lexRange(ctx, key, min, max, limit, true))
}

// ZHRangeByScore implements kvstore.Backend.
func (b *Backend) ZHRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return b.ZRangeByScore(ctx, key, min, max, limit)
}

// ZHRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZHRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return b.ZRangeByScoreWithScores(ctx, key, min, max, limit)
}

// ZHRevRangeByScore implements kvstore.Backend.
func (b *Backend) ZHRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return b.ZRevRangeByScore(ctx, key, min, max, limit)
}

// ZHRevRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZHRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return b.ZRevRangeByScoreWithScores(ctx, key, min, max, limit)
}

// ZHRangeByLex implements kvstore.Backend.
func (b *Backend) ZHRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return b.ZRangeByLex(ctx, key, min, max, limit)
}

// ZHRevRangeByLex implements kvstore.Backend.
func (b *Backend) ZHRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return b.ZRevRangeByLex(ctx, key, min, max, limit)
}
