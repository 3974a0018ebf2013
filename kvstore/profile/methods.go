package profile

import (
	"context"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// The timed methods: each calls the wrapped backend and reports the call under the
// method's name.

// Get is the wrapped backend's Get, timed.
func (w *backend) Get(ctx context.Context, key string) (*string, error) {
	start := time.Now()
	v, err := w.inner.Get(ctx, key)
	w.done("Get", start, err)
	return v, err
}

// Set is the wrapped backend's Set, timed.
func (w *backend) Set(ctx context.Context, key string, value any) error {
	start := time.Now()
	err := w.inner.Set(ctx, key, value)
	w.done("Set", start, err)
	return err
}

// SetNX is the wrapped backend's SetNX, timed.
func (w *backend) SetNX(ctx context.Context, key string, value any) (bool, error) {
	start := time.Now()
	ok, err := w.inner.SetNX(ctx, key, value)
	w.done("SetNX", start, err)
	return ok, err
}

// SetXX is the wrapped backend's SetXX, timed.
func (w *backend) SetXX(ctx context.Context, key string, value any) (bool, error) {
	start := time.Now()
	ok, err := w.inner.SetXX(ctx, key, value)
	w.done("SetXX", start, err)
	return ok, err
}

// SetEQ is the wrapped backend's SetEQ, timed.
func (w *backend) SetEQ(ctx context.Context, key string, value, oldValue any) (bool, error) {
	start := time.Now()
	ok, err := w.inner.SetEQ(ctx, key, value, oldValue)
	w.done("SetEQ", start, err)
	return ok, err
}

// Delete is the wrapped backend's Delete, timed.
func (w *backend) Delete(ctx context.Context, key string) (bool, error) {
	start := time.Now()
	ok, err := w.inner.Delete(ctx, key)
	w.done("Delete", start, err)
	return ok, err
}

// NIncrBy is the wrapped backend's NIncrBy, timed.
func (w *backend) NIncrBy(ctx context.Context, key string, n int64) (int64, error) {
	start := time.Now()
	v, err := w.inner.NIncrBy(ctx, key, n)
	w.done("NIncrBy", start, err)
	return v, err
}

// SAdd is the wrapped backend's SAdd, timed.
func (w *backend) SAdd(ctx context.Context, key string, member any, members ...any) error {
	start := time.Now()
	err := w.inner.SAdd(ctx, key, member, members...)
	w.done("SAdd", start, err)
	return err
}

// SRem is the wrapped backend's SRem, timed.
func (w *backend) SRem(ctx context.Context, key string, member any, members ...any) error {
	start := time.Now()
	err := w.inner.SRem(ctx, key, member, members...)
	w.done("SRem", start, err)
	return err
}

// SMembers is the wrapped backend's SMembers, timed.
func (w *backend) SMembers(ctx context.Context, key string) ([]string, error) {
	start := time.Now()
	v, err := w.inner.SMembers(ctx, key)
	w.done("SMembers", start, err)
	return v, err
}

// HSet is the wrapped backend's HSet, timed.
func (w *backend) HSet(ctx context.Context, key, field string, value any, fields ...kvstore.KeyValue) error {
	start := time.Now()
	err := w.inner.HSet(ctx, key, field, value, fields...)
	w.done("HSet", start, err)
	return err
}

// HDel is the wrapped backend's HDel, timed.
func (w *backend) HDel(ctx context.Context, key, field string, fields ...string) error {
	start := time.Now()
	err := w.inner.HDel(ctx, key, field, fields...)
	w.done("HDel", start, err)
	return err
}

// HGet is the wrapped backend's HGet, timed.
func (w *backend) HGet(ctx context.Context, key, field string) (*string, error) {
	start := time.Now()
	v, err := w.inner.HGet(ctx, key, field)
	w.done("HGet", start, err)
	return v, err
}

// HGetAll is the wrapped backend's HGetAll, timed.
func (w *backend) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	start := time.Now()
	v, err := w.inner.HGetAll(ctx, key)
	w.done("HGetAll", start, err)
	return v, err
}

// ZAdd is the wrapped backend's ZAdd, timed.
func (w *backend) ZAdd(ctx context.Context, key string, member any, score float64) error {
	start := time.Now()
	err := w.inner.ZAdd(ctx, key, member, score)
	w.done("ZAdd", start, err)
	return err
}

// ZScore is the wrapped backend's ZScore, timed.
func (w *backend) ZScore(ctx context.Context, key string, member any) (*float64, error) {
	start := time.Now()
	v, err := w.inner.ZScore(ctx, key, member)
	w.done("ZScore", start, err)
	return v, err
}

// ZRem is the wrapped backend's ZRem, timed.
func (w *backend) ZRem(ctx context.Context, key string, member any) error {
	start := time.Now()
	err := w.inner.ZRem(ctx, key, member)
	w.done("ZRem", start, err)
	return err
}

// ZIncrBy is the wrapped backend's ZIncrBy, timed.
func (w *backend) ZIncrBy(ctx context.Context, key string, member string, n float64) (float64, error) {
	start := time.Now()
	v, err := w.inner.ZIncrBy(ctx, key, member, n)
	w.done("ZIncrBy", start, err)
	return v, err
}

// ZRangeByScore is the wrapped backend's ZRangeByScore, timed.
func (w *backend) ZRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZRangeByScore(ctx, key, min, max, limit)
	w.done("ZRangeByScore", start, err)
	return v, err
}

// ZRangeByScoreWithScores is the wrapped backend's ZRangeByScoreWithScores, timed.
func (w *backend) ZRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	start := time.Now()
	v, err := w.inner.ZRangeByScoreWithScores(ctx, key, min, max, limit)
	w.done("ZRangeByScoreWithScores", start, err)
	return v, err
}

// ZRevRangeByScore is the wrapped backend's ZRevRangeByScore, timed.
func (w *backend) ZRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZRevRangeByScore(ctx, key, min, max, limit)
	w.done("ZRevRangeByScore", start, err)
	return v, err
}

// ZRevRangeByScoreWithScores is the wrapped backend's ZRevRangeByScoreWithScores, timed.
func (w *backend) ZRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	start := time.Now()
	v, err := w.inner.ZRevRangeByScoreWithScores(ctx, key, min, max, limit)
	w.done("ZRevRangeByScoreWithScores", start, err)
	return v, err
}

// ZCount is the wrapped backend's ZCount, timed.
func (w *backend) ZCount(ctx context.Context, key string, min, max float64) (int, error) {
	start := time.Now()
	v, err := w.inner.ZCount(ctx, key, min, max)
	w.done("ZCount", start, err)
	return v, err
}

// ZLexCount is the wrapped backend's ZLexCount, timed.
func (w *backend) ZLexCount(ctx context.Context, key string, min, max string) (int, error) {
	start := time.Now()
	v, err := w.inner.ZLexCount(ctx, key, min, max)
	w.done("ZLexCount", start, err)
	return v, err
}

// ZRangeByLex is the wrapped backend's ZRangeByLex, timed.
func (w *backend) ZRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZRangeByLex(ctx, key, min, max, limit)
	w.done("ZRangeByLex", start, err)
	return v, err
}

// ZRevRangeByLex is the wrapped backend's ZRevRangeByLex, timed.
func (w *backend) ZRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZRevRangeByLex(ctx, key, min, max, limit)
	w.done("ZRevRangeByLex", start, err)
	return v, err
}

// ZHAdd is the wrapped backend's ZHAdd, timed.
func (w *backend) ZHAdd(ctx context.Context, key, field string, member any, score float64) error {
	start := time.Now()
	err := w.inner.ZHAdd(ctx, key, field, member, score)
	w.done("ZHAdd", start, err)
	return err
}

// ZHRem is the wrapped backend's ZHRem, timed.
func (w *backend) ZHRem(ctx context.Context, key, field string) error {
	start := time.Now()
	err := w.inner.ZHRem(ctx, key, field)
	w.done("ZHRem", start, err)
	return err
}

// ZHRangeByScore is the wrapped backend's ZHRangeByScore, timed.
func (w *backend) ZHRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZHRangeByScore(ctx, key, min, max, limit)
	w.done("ZHRangeByScore", start, err)
	return v, err
}

// ZHRangeByScoreWithScores is the wrapped backend's ZHRangeByScoreWithScores, timed.
func (w *backend) ZHRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	start := time.Now()
	v, err := w.inner.ZHRangeByScoreWithScores(ctx, key, min, max, limit)
	w.done("ZHRangeByScoreWithScores", start, err)
	return v, err
}

// ZHRevRangeByScore is the wrapped backend's ZHRevRangeByScore, timed.
func (w *backend) ZHRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZHRevRangeByScore(ctx, key, min, max, limit)
	w.done("ZHRevRangeByScore", start, err)
	return v, err
}

// ZHRevRangeByScoreWithScores is the wrapped backend's ZHRevRangeByScoreWithScores, timed.
func (w *backend) ZHRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	start := time.Now()
	v, err := w.inner.ZHRevRangeByScoreWithScores(ctx, key, min, max, limit)
	w.done("ZHRevRangeByScoreWithScores", start, err)
	return v, err
}

// ZHRangeByLex is the wrapped backend's ZHRangeByLex, timed.
func (w *backend) ZHRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZHRangeByLex(ctx, key, min, max, limit)
	w.done("ZHRangeByLex", start, err)
	return v, err
}

// ZHRevRangeByLex is the wrapped backend's ZHRevRangeByLex, timed.
func (w *backend) ZHRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	start := time.Now()
	v, err := w.inner.ZHRevRangeByLex(ctx, key, min, max, limit)
	w.done("ZHRevRangeByLex", start, err)
	return v, err
}
