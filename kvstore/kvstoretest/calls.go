package kvstoretest

import (
	"context"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// call is one use of a backend method, for checks that apply to every method.
type call struct {
	name string
	run  func(ctx context.Context) error
}

// errOf drops a call's result.
func errOf[T any](_ T, err error) error { return err }

// everyCall returns a call of every Backend method on key, plus a batch and an
// atomic write of one operation on key. Each is valid but for key and ctx.
func everyCall(b kvstore.Backend, key string) []call {
	return []call{
		{"Get", func(ctx context.Context) error { return errOf(b.Get(ctx, key)) }},
		{"Set", func(ctx context.Context) error { return b.Set(ctx, key, "v") }},
		{"SetNX", func(ctx context.Context) error { return errOf(b.SetNX(ctx, key, "v")) }},
		{"SetXX", func(ctx context.Context) error { return errOf(b.SetXX(ctx, key, "v")) }},
		{"SetEQ", func(ctx context.Context) error { return errOf(b.SetEQ(ctx, key, "v", "w")) }},
		{"Delete", func(ctx context.Context) error { return errOf(b.Delete(ctx, key)) }},
		{"NIncrBy", func(ctx context.Context) error { return errOf(b.NIncrBy(ctx, key, 1)) }},
		{"SAdd", func(ctx context.Context) error { return b.SAdd(ctx, key, "m") }},
		{"SRem", func(ctx context.Context) error { return b.SRem(ctx, key, "m") }},
		{"SMembers", func(ctx context.Context) error { return errOf(b.SMembers(ctx, key)) }},
		{"HSet", func(ctx context.Context) error { return b.HSet(ctx, key, "f", "v") }},
		{"HDel", func(ctx context.Context) error { return b.HDel(ctx, key, "f") }},
		{"HGet", func(ctx context.Context) error { return errOf(b.HGet(ctx, key, "f")) }},
		{"HGetAll", func(ctx context.Context) error { return errOf(b.HGetAll(ctx, key)) }},
		{"ZAdd", func(ctx context.Context) error { return b.ZAdd(ctx, key, "m", 1) }},
		{"ZScore", func(ctx context.Context) error { return errOf(b.ZScore(ctx, key, "m")) }},
		{"ZRem", func(ctx context.Context) error { return b.ZRem(ctx, key, "m") }},
		{"ZIncrBy", func(ctx context.Context) error { return errOf(b.ZIncrBy(ctx, key, "m", 1)) }},
		{"ZRangeByScore", func(ctx context.Context) error { return errOf(b.ZRangeByScore(ctx, key, 0, 1, 0)) }},
		{"ZRangeByScoreWithScores", func(ctx context.Context) error { return errOf(b.ZRangeByScoreWithScores(ctx, key, 0, 1, 0)) }},
		{"ZRevRangeByScore", func(ctx context.Context) error { return errOf(b.ZRevRangeByScore(ctx, key, 0, 1, 0)) }},
		{"ZRevRangeByScoreWithScores", func(ctx context.Context) error { return errOf(b.ZRevRangeByScoreWithScores(ctx, key, 0, 1, 0)) }},
		{"ZCount", func(ctx context.Context) error { return errOf(b.ZCount(ctx, key, 0, 1)) }},
		{"ZLexCount", func(ctx context.Context) error { return errOf(b.ZLexCount(ctx, key, "-", "+")) }},
		{"ZRangeByLex", func(ctx context.Context) error { return errOf(b.ZRangeByLex(ctx, key, "-", "+", 0)) }},
		{"ZRevRangeByLex", func(ctx context.Context) error { return errOf(b.ZRevRangeByLex(ctx, key, "-", "+", 0)) }},
		{"ZHAdd", func(ctx context.Context) error { return b.ZHAdd(ctx, key, "f", "m", 1) }},
		{"ZHRem", func(ctx context.Context) error { return b.ZHRem(ctx, key, "f") }},
		{"ZHRangeByScore", func(ctx context.Context) error { return errOf(b.ZHRangeByScore(ctx, key, 0, 1, 0)) }},
		{"ZHRangeByScoreWithScores", func(ctx context.Context) error { return errOf(b.ZHRangeByScoreWithScores(ctx, key, 0, 1, 0)) }},
		{"ZHRevRangeByScore", func(ctx context.Context) error { return errOf(b.ZHRevRangeByScore(ctx, key, 0, 1, 0)) }},
		{"ZHRevRangeByScoreWithScores", func(ctx context.Context) error { return errOf(b.ZHRevRangeByScoreWithScores(ctx, key, 0, 1, 0)) }},
		{"ZHRangeByLex", func(ctx context.Context) error { return errOf(b.ZHRangeByLex(ctx, key, "-", "+", 0)) }},
		{"ZHRevRangeByLex", func(ctx context.Context) error { return errOf(b.ZHRevRangeByLex(ctx, key, "-", "+", 0)) }},
		{"SetArgs", func(ctx context.Context) error {
			return errOf(b.SetArgs(ctx, key, "v", kvstore.SetArgs{Mode: kvstore.SetIfAbsent, TTL: time.Hour, Get: true}))
		}},
		{"SetEX", func(ctx context.Context) error { return b.SetEX(ctx, key, "v", time.Hour) }},
		{"SetNXEX", func(ctx context.Context) error { return errOf(b.SetNXEX(ctx, key, "v", time.Hour)) }},
		{"GetEx", func(ctx context.Context) error { return errOf(b.GetEx(ctx, key, kvstore.GetExArgs{TTL: time.Hour})) }},
		{"GetDel", func(ctx context.Context) error { return errOf(b.GetDel(ctx, key)) }},
		{"Expire", func(ctx context.Context) error { return errOf(b.Expire(ctx, key, time.Hour)) }},
		{"ExpireAt", func(ctx context.Context) error { return errOf(b.ExpireAt(ctx, key, time.Now().Add(time.Hour))) }},
		{"ExpireAtIf", func(ctx context.Context) error {
			return errOf(b.ExpireAtIf(ctx, key, time.Now().Add(time.Hour), kvstore.ExpireGT))
		}},
		{"Persist", func(ctx context.Context) error { return errOf(b.Persist(ctx, key)) }},
		{"TTL", func(ctx context.Context) error { return errOf(b.TTL(ctx, key)) }},
		{"Batch.Get", func(ctx context.Context) error {
			batch := b.Batch()
			r := batch.Get(key)
			if err := batch.Exec(ctx); err != nil {
				return err
			}
			return errOf(r.Result())
		}},
		{"Batch.Set", func(ctx context.Context) error {
			batch := b.Batch()
			r := batch.Set(key, "v")
			if err := batch.Exec(ctx); err != nil {
				return err
			}
			return r.Result()
		}},
		{"AtomicWrite.Set", func(ctx context.Context) error {
			w := b.AtomicWrite()
			w.Set(key, "v")
			return errOf(w.Exec(ctx))
		}},
		{"AtomicWrite.SetEX", func(ctx context.Context) error {
			w := b.AtomicWrite()
			w.SetEX(key, "v", time.Hour)
			return errOf(w.Exec(ctx))
		}},
		{"AtomicWrite.ZAdd", func(ctx context.Context) error {
			w := b.AtomicWrite()
			w.ZAdd(key, "m", 1)
			return errOf(w.Exec(ctx))
		}},
	}
}
