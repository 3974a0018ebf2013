package redis_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// TestScoresExact checks that scores survive Redis' 17-digit text bit for bit:
// through ZAdd and ZScore, ranges with scores, batches and atomic writes.
func TestScoresExact(t *testing.T) {
	b, _ := newBackend(t)
	scores := []float64{
		1e300, -1e300, 5e-324, -5e-324, 0.1, 1.0 / 3, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 1 << 53, 1<<53 + 2, math.Pi,
		math.Inf(1), math.Inf(-1), 0, 123456789.123456789,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for len(scores) < 300 {
		f := math.Float64frombits(rng.Uint64())
		if !math.IsNaN(f) {
			scores = append(scores, f)
		}
	}

	batch := b.Batch()
	for i, s := range scores {
		batch.ZAdd("exact", strconv.Itoa(i), s)
	}
	if err := batch.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	reads := b.Batch()
	results := make([]kvstore.ZScoreResult, len(scores))
	for i := range scores {
		results[i] = reads.ZScore("exact", strconv.Itoa(i))
	}
	if err := reads.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, s := range scores {
		got, err := results[i].Result()
		if err != nil || got == nil || math.Float64bits(*got) != math.Float64bits(s) {
			t.Errorf("batched ZScore of %v (bits %#x) = %v, %v", s, math.Float64bits(s), got, err)
		}
	}
	all, err := b.ZRangeByScoreWithScores(ctx, "exact", math.Inf(-1), math.Inf(1), 0)
	if err != nil || len(all) != len(scores) {
		t.Fatalf("range = %d members, %v", len(all), err)
	}
	for _, m := range all {
		i, _ := strconv.Atoi(m.Value)
		if math.Float64bits(m.Score) != math.Float64bits(scores[i]) {
			t.Errorf("ranged score of %s = %v, want %v", m.Value, m.Score, scores[i])
		}
	}
	for _, s := range scores[:17] {
		if err := b.ZAdd(ctx, "single", "m", s); err != nil {
			t.Fatal(err)
		}
		if got, err := b.ZScore(ctx, "single", "m"); err != nil || got == nil || math.Float64bits(*got) != math.Float64bits(s) {
			t.Errorf("ZScore after ZAdd(%v) = %v, %v", s, got, err)
		}
		if n, err := b.ZCount(ctx, "single", s, s); err != nil || n != 1 {
			t.Errorf("ZCount(%v, %v) = %d, %v; want 1", s, s, n, err)
		}
		w := b.AtomicWrite()
		w.ZAdd("atomic", "m", s)
		if ok, err := w.Exec(ctx); !ok || err != nil {
			t.Fatalf("atomic ZAdd: %v, %v", ok, err)
		}
		if got, err := b.ZScore(ctx, "atomic", "m"); err != nil || got == nil || math.Float64bits(*got) != math.Float64bits(s) {
			t.Errorf("ZScore after atomic ZAdd(%v) = %v, %v", s, got, err)
		}
	}
}

func TestNegativeZero(t *testing.T) {
	b, _ := newBackend(t)
	negZero := math.Copysign(0, -1)
	// Redis stores ZINCRBY's increment as is for a new member: -0 must not get there.
	if got, err := b.ZIncrBy(ctx, "z", "new", negZero); err != nil || math.Signbit(got) {
		t.Errorf("ZIncrBy(-0) on a new member = %v, %v; want +0", got, err)
	}
	if got, err := b.ZScore(ctx, "z", "new"); err != nil || got == nil || math.Signbit(*got) {
		t.Errorf("ZScore after ZIncrBy(-0) = %v, %v; want +0", got, err)
	}
	if err := b.ZAdd(ctx, "z", "added", negZero); err != nil {
		t.Fatal(err)
	}
	ms, err := b.ZRangeByScoreWithScores(ctx, "z", negZero, 0, 0)
	if err != nil || len(ms) != 2 {
		t.Fatalf("range = %v, %v", ms, err)
	}
	for _, m := range ms {
		if math.Signbit(m.Score) {
			t.Errorf("%s has score -0", m.Value)
		}
	}
}

func TestZIncrByNaN(t *testing.T) {
	b, _ := newBackend(t)
	if err := b.ZAdd(ctx, "z", "m", math.Inf(-1)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ZIncrBy(ctx, "z", "m", math.Inf(1)); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("ZIncrBy to NaN: %v, want ErrInvalidArgument", err)
	}
	if _, err := b.ZIncrBy(ctx, "z", "m", math.NaN()); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("ZIncrBy by NaN: %v, want ErrInvalidArgument", err)
	}
	if got, err := b.ZScore(ctx, "z", "m"); err != nil || got == nil || !math.IsInf(*got, -1) {
		t.Errorf("score after refused ZIncrBy = %v, %v; want -Inf", got, err)
	}
	if _, err := b.ZRangeByScore(ctx, "z", math.NaN(), 1, 0); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("range with a NaN bound: %v, want ErrInvalidArgument", err)
	}
}
