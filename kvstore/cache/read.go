package cache

import (
	"context"
	"encoding/binary"
	"maps"
	"math"
	"slices"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// op names a cached read.
type op uint8

const (
	opGet op = iota + 1
	opHGet
	opHGetAll
	opSMembers
	opZScore
	opZRangeByScore
	opZRangeByScoreWithScores
	opZRevRangeByScore
	opZRevRangeByScoreWithScores
	opZCount
	opZLexCount
	opZRangeByLex
	opZRevRangeByLex
	opZHRangeByScore
	opZHRangeByScoreWithScores
	opZHRevRangeByScore
	opZHRevRangeByScoreWithScores
	opZHRangeByLex
	opZHRevRangeByLex
)

var opNames = [...]string{"", "Get", "HGet", "HGetAll", "SMembers", "ZScore",
	"ZRangeByScore", "ZRangeByScoreWithScores", "ZRevRangeByScore", "ZRevRangeByScoreWithScores",
	"ZCount", "ZLexCount", "ZRangeByLex", "ZRevRangeByLex",
	"ZHRangeByScore", "ZHRangeByScoreWithScores", "ZHRevRangeByScore", "ZHRevRangeByScoreWithScores",
	"ZHRangeByLex", "ZHRevRangeByLex"}

// String returns the read's method name.
func (o op) String() string { return opNames[o] }

// candidates returns the entries that may answer a read of ek: in eventual mode, a
// strongly consistent read's result is good too (it is at least as fresh).
func (c *Backend) candidates(o op, arg string) []entryKey {
	ek := entryKey{mode: c.mode, op: o, arg: arg}
	if c.mode == eventual {
		return []entryKey{ek, {mode: strong, op: o, arg: arg}}
	}
	return []entryKey{ek}
}

func (c *Backend) report(o op, hit bool) {
	if c.prof != nil {
		c.prof.ProfileCacheRead(o.String(), hit)
	}
}

// read serves one read of key's namespace ns from the cache, or fetches it from the
// backend and caches a copy of the result when no write overlapped the fetch and the
// backend reported, in fetch's context, when what it read expires (see expiry.go).
func read[T any](ctx context.Context, c *Backend, ns namespace, key string, o op, arg string,
	fetch func(context.Context, kvstore.Backend) (T, error), clone func(T) T) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	sk := stateKey{ns: ns, key: key}
	cached, hit, t := c.s.lookup(sk, c.candidates(o, arg)...)
	c.report(o, hit)
	if hit {
		return clone(cached.(T)), nil
	}
	rep := new(expiryreport.Report)
	v, err := fetch(expiryreport.NewContext(ctx, rep), c.inner)
	exp, cacheable := rep.Lookup(key, ns == sortedNS)
	if err != nil || !cacheable {
		c.s.endRead(t, entryKey{}, nil, 0, false)
		return v, err
	}
	c.s.endRead(t, entryKey{mode: c.mode, op: o, arg: arg}, clone(v), exp, true)
	return v, nil
}

func cloneString(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneFloat(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneScored(s kvstore.ScoredMembers) kvstore.ScoredMembers {
	if s == nil {
		return nil
	}
	out := make(kvstore.ScoredMembers, len(s))
	for i, m := range s {
		if m != nil {
			c := *m
			out[i] = &c
		}
	}
	return out
}

func same[T any](v T) T { return v }

// scoreArg encodes a score range's arguments.
func scoreArg(min, max float64, limit int) string {
	b := make([]byte, 0, 16+binary.MaxVarintLen64)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(min))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(max))
	return string(binary.AppendVarint(b, int64(limit)))
}

// lexArg encodes a lex range's arguments.
func lexArg(min, max string, limit int) string {
	b := make([]byte, 0, len(min)+len(max)+2*binary.MaxVarintLen64)
	b = binary.AppendUvarint(b, uint64(len(min)))
	b = append(b, min...)
	b = append(b, max...)
	return string(binary.AppendVarint(b, int64(limit)))
}

// Get returns the string at key, from the cache when it holds it.
func (c *Backend) Get(ctx context.Context, key string) (*string, error) {
	return read(ctx, c, valueNS, key, opGet, "", func(ctx context.Context, b kvstore.Backend) (*string, error) {
		return b.Get(ctx, key)
	}, cloneString)
}

// SMembers returns the members of the set at key, from the cache when it holds them.
func (c *Backend) SMembers(ctx context.Context, key string) ([]string, error) {
	return read(ctx, c, valueNS, key, opSMembers, "", func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.SMembers(ctx, key)
	}, slices.Clone[[]string])
}

// HGetAll returns the hash at key, from the cache when it holds it.
func (c *Backend) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	return read(ctx, c, valueNS, key, opHGetAll, "", func(ctx context.Context, b kvstore.Backend) (map[string]string, error) {
		return b.HGetAll(ctx, key)
	}, maps.Clone[map[string]string])
}

// HGet returns one field of the hash at key, from the cache when it holds that field
// or the whole hash.
func (c *Backend) HGet(ctx context.Context, key, field string) (*string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if kvstore.ValidateKey(key) != nil || kvstore.ValidateHashField(field) != nil {
		return c.inner.HGet(ctx, key, field) // the backend's error, uncached
	}
	sk := stateKey{ns: valueNS, key: key}
	cands := append(c.candidates(opHGet, field), c.candidates(opHGetAll, "")...)
	cached, hit, t := c.s.lookup(sk, cands...)
	c.report(opHGet, hit)
	if hit {
		switch v := cached.(type) {
		case *string:
			return cloneString(v), nil
		case map[string]string:
			if s, ok := v[field]; ok {
				return &s, nil
			}
			return nil, nil
		}
		return c.inner.HGet(ctx, key, field) // unreachable: no other kind is cached here
	}
	rep := new(expiryreport.Report)
	v, err := c.inner.HGet(expiryreport.NewContext(ctx, rep), key, field)
	exp, cacheable := rep.Lookup(key, false)
	c.s.endRead(t, entryKey{mode: c.mode, op: opHGet, arg: field}, cloneString(v), exp, err == nil && cacheable)
	return v, err
}

// ZScore returns member's score, from the cache when it holds it.
func (c *Backend) ZScore(ctx context.Context, key string, member any) (*float64, error) {
	m, err := kvstore.ToString(member)
	if err != nil {
		return c.inner.ZScore(ctx, key, member) // the backend's error, uncached
	}
	return read(ctx, c, sortedNS, key, opZScore, m, func(ctx context.Context, b kvstore.Backend) (*float64, error) {
		return b.ZScore(ctx, key, m)
	}, cloneFloat)
}

func (c *Backend) scoreRange(ctx context.Context, o op, key string, min, max float64, limit int,
	fetch func(context.Context, kvstore.Backend) ([]string, error)) ([]string, error) {
	return read(ctx, c, sortedNS, key, o, scoreArg(min, max, limit), fetch, slices.Clone[[]string])
}

func (c *Backend) scoredRange(ctx context.Context, o op, key string, min, max float64, limit int,
	fetch func(context.Context, kvstore.Backend) (kvstore.ScoredMembers, error)) (kvstore.ScoredMembers, error) {
	return read(ctx, c, sortedNS, key, o, scoreArg(min, max, limit), fetch, cloneScored)
}

func (c *Backend) lexRange(ctx context.Context, o op, key string, min, max string, limit int,
	fetch func(context.Context, kvstore.Backend) ([]string, error)) ([]string, error) {
	return read(ctx, c, sortedNS, key, o, lexArg(min, max, limit), fetch, slices.Clone[[]string])
}

// ZRangeByScore is cached per key and arguments.
func (c *Backend) ZRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return c.scoreRange(ctx, opZRangeByScore, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZRangeByScore(ctx, key, min, max, limit)
	})
}

// ZRangeByScoreWithScores is cached per key and arguments.
func (c *Backend) ZRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return c.scoredRange(ctx, opZRangeByScoreWithScores, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) (kvstore.ScoredMembers, error) {
		return b.ZRangeByScoreWithScores(ctx, key, min, max, limit)
	})
}

// ZRevRangeByScore is cached per key and arguments.
func (c *Backend) ZRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return c.scoreRange(ctx, opZRevRangeByScore, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZRevRangeByScore(ctx, key, min, max, limit)
	})
}

// ZRevRangeByScoreWithScores is cached per key and arguments.
func (c *Backend) ZRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return c.scoredRange(ctx, opZRevRangeByScoreWithScores, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) (kvstore.ScoredMembers, error) {
		return b.ZRevRangeByScoreWithScores(ctx, key, min, max, limit)
	})
}

// ZCount is cached per key and arguments.
func (c *Backend) ZCount(ctx context.Context, key string, min, max float64) (int, error) {
	return read(ctx, c, sortedNS, key, opZCount, scoreArg(min, max, 0), func(ctx context.Context, b kvstore.Backend) (int, error) {
		return b.ZCount(ctx, key, min, max)
	}, same[int])
}

// ZLexCount is cached per key and arguments.
func (c *Backend) ZLexCount(ctx context.Context, key string, min, max string) (int, error) {
	return read(ctx, c, sortedNS, key, opZLexCount, lexArg(min, max, 0), func(ctx context.Context, b kvstore.Backend) (int, error) {
		return b.ZLexCount(ctx, key, min, max)
	}, same[int])
}

// ZRangeByLex is cached per key and arguments.
func (c *Backend) ZRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return c.lexRange(ctx, opZRangeByLex, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZRangeByLex(ctx, key, min, max, limit)
	})
}

// ZRevRangeByLex is cached per key and arguments.
func (c *Backend) ZRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return c.lexRange(ctx, opZRevRangeByLex, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZRevRangeByLex(ctx, key, min, max, limit)
	})
}

// ZHRangeByScore is cached per key and arguments.
func (c *Backend) ZHRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return c.scoreRange(ctx, opZHRangeByScore, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZHRangeByScore(ctx, key, min, max, limit)
	})
}

// ZHRangeByScoreWithScores is cached per key and arguments.
func (c *Backend) ZHRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return c.scoredRange(ctx, opZHRangeByScoreWithScores, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) (kvstore.ScoredMembers, error) {
		return b.ZHRangeByScoreWithScores(ctx, key, min, max, limit)
	})
}

// ZHRevRangeByScore is cached per key and arguments.
func (c *Backend) ZHRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return c.scoreRange(ctx, opZHRevRangeByScore, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZHRevRangeByScore(ctx, key, min, max, limit)
	})
}

// ZHRevRangeByScoreWithScores is cached per key and arguments.
func (c *Backend) ZHRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return c.scoredRange(ctx, opZHRevRangeByScoreWithScores, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) (kvstore.ScoredMembers, error) {
		return b.ZHRevRangeByScoreWithScores(ctx, key, min, max, limit)
	})
}

// ZHRangeByLex is cached per key and arguments.
func (c *Backend) ZHRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return c.lexRange(ctx, opZHRangeByLex, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZHRangeByLex(ctx, key, min, max, limit)
	})
}

// ZHRevRangeByLex is cached per key and arguments.
func (c *Backend) ZHRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return c.lexRange(ctx, opZHRevRangeByLex, key, min, max, limit, func(ctx context.Context, b kvstore.Backend) ([]string, error) {
		return b.ZHRevRangeByLex(ctx, key, min, max, limit)
	})
}
