package kvstoretest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// The concurrency cases use modest counts, so that they stay quick on real servers,
// yet still race every goroutine on one key.
const (
	racers       = 10
	opsPerRacer  = 10
	claimRounds  = 3
	maxConflicts = 100
)

// execRetrying runs an atomic write built by build, again while it meets contention
// (IsAtomicWriteConflict), as a client should.
func execRetrying(ctx context.Context, build func() kvstore.AtomicWriteOperation) (bool, error) {
	for attempt := 0; ; attempt++ {
		ok, err := build().Exec(ctx)
		if !kvstore.IsAtomicWriteConflict(err) || attempt == maxConflicts {
			return ok, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(time.Duration(1+attempt%10) * time.Millisecond):
		}
	}
}

// testConcurrency races goroutines on one key: exactly one winner of a claim, no
// lost updates.
func testConcurrency(t *testing.T, b kvstore.Backend) {
	t.Run("SetNX", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		for round := range claimRounds {
			k := key(fmt.Sprint(round))
			var wg sync.WaitGroup
			var winners atomic.Int32
			winner := make(chan string, racers)
			for g := range racers {
				wg.Go(func() {
					ok, err := b.SetNX(ctx, k, fmt.Sprint("racer-", g))
					if err != nil {
						t.Errorf("SetNX: %v", err)
					} else if ok {
						winners.Add(1)
						winner <- fmt.Sprint("racer-", g)
					}
				})
			}
			wg.Wait()
			if n := winners.Load(); n != 1 {
				t.Fatalf("round %d: %d goroutines won SetNX on one key, want exactly 1", round, n)
			}
			checkString(t, ctx, b, k, <-winner)
		}
	})

	t.Run("NIncrBy", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		var mu sync.Mutex
		var seen []int64
		var wg sync.WaitGroup
		for range racers {
			wg.Go(func() {
				for range opsPerRacer {
					n, err := b.NIncrBy(ctx, key("c"), 1)
					if err != nil {
						t.Errorf("NIncrBy: %v", err)
						return
					}
					mu.Lock()
					seen = append(seen, n)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		eq(t, "counter after concurrent NIncrBy", int64(racers*opsPerRacer))(b.NIncrBy(ctx, key("c"), 0))
		// Each increment returned its own result: 1, 2, ... with none twice.
		slices.Sort(seen)
		for i, n := range seen {
			if n != int64(i+1) {
				t.Fatalf("NIncrBy results sorted = %v, want 1..%d each once", seen, racers*opsPerRacer)
			}
		}
	})

	t.Run("SetEQ", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("c")
		must(t, "Set", b.Set(ctx, k, 0))
		var mu sync.Mutex
		var swapped []int
		var wg sync.WaitGroup
		for range racers / 2 {
			wg.Go(func() {
				for range opsPerRacer {
					for {
						cur, err := b.Get(ctx, k)
						if err != nil || cur == nil {
							t.Errorf("Get = %v, %v", cur, err)
							return
						}
						n, err := strconv.Atoi(*cur)
						if err != nil {
							t.Errorf("counter %q: %v", *cur, err)
							return
						}
						ok, err := b.SetEQ(ctx, k, n+1, *cur)
						if err != nil {
							t.Errorf("SetEQ: %v", err)
							return
						}
						if ok {
							mu.Lock()
							swapped = append(swapped, n)
							mu.Unlock()
							break
						}
					}
				}
			})
		}
		wg.Wait()
		total := racers / 2 * opsPerRacer
		checkString(t, ctx, b, k, strconv.Itoa(total))
		slices.Sort(swapped)
		for i, n := range swapped {
			if n != i {
				t.Fatalf("values SetEQ swapped out = %v, want 0..%d each once", swapped, total-1)
			}
		}
	})

	t.Run("Members", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		var wg sync.WaitGroup
		var want []string
		for g := range racers / 2 {
			for i := range opsPerRacer / 2 {
				want = append(want, fmt.Sprintf("%d-%d", g, i))
			}
			wg.Go(func() {
				for i := range opsPerRacer / 2 {
					m := fmt.Sprintf("%d-%d", g, i)
					noErr(t, "SAdd", b.SAdd(ctx, key("set"), m))
					noErr(t, "HSet", b.HSet(ctx, key("hash"), m, i))
					eqFloat(t, "ZIncrBy", float64(g+1))(b.ZIncrBy(ctx, key("z"), m, float64(g+1)))
					if _, err := b.ZIncrBy(ctx, key("shared"), "m", 1); err != nil {
						t.Errorf("ZIncrBy: %v", err)
					}
				}
			})
		}
		wg.Wait()
		checkMembers(t, ctx, b, key("set"), want...)
		eq(t, "HGetAll length", len(want))(lenOfMap(b.HGetAll(ctx, key("hash"))))
		eq(t, "ZCount", len(want))(b.ZCount(ctx, key("z"), negInf, inf))
		eqScore(t, "ZScore after concurrent ZIncrBy", num(float64(len(want))))(b.ZScore(ctx, key("shared"), "m"))
	})

	t.Run("AtomicClaim", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		for round := range claimRounds {
			claim := key(fmt.Sprint("username:", round))
			var wg sync.WaitGroup
			var winners atomic.Int32
			for g := range racers {
				wg.Go(func() {
					own := key(fmt.Sprint("user:", round, ":", g))
					var claimResult, ownResult kvstore.AtomicWriteResult
					ok, err := execRetrying(ctx, func() kvstore.AtomicWriteOperation {
						w := b.AtomicWrite()
						claimResult = w.SetNX(claim, g)
						ownResult = w.Set(own, g)
						return w
					})
					switch {
					case err != nil:
						t.Errorf("Exec of a claim: %v", err)
					case ok:
						winners.Add(1)
						if claimResult.ConditionalFailed() || ownResult.ConditionalFailed() {
							t.Error("a successful atomic write reported ConditionalFailed")
						}
					default:
						if !claimResult.ConditionalFailed() {
							t.Error("a refused claim did not report ConditionalFailed on SetNX")
						}
						if ownResult.ConditionalFailed() {
							t.Error("a refused claim reported ConditionalFailed on Set, which has no condition")
						}
						checkAbsent(t, ctx, b, own)
					}
				})
			}
			wg.Wait()
			if n := winners.Load(); n != 1 {
				t.Fatalf("round %d: %d atomic writes claimed one key, want exactly 1", round, n)
			}
			winner, err := b.Get(ctx, claim)
			must(t, "Get", err)
			if winner == nil {
				t.Fatal("the claimed key is absent")
			}
			checkString(t, ctx, b, key(fmt.Sprint("user:", round, ":", *winner)), *winner)
		}
	})

	t.Run("AtomicNIncrBy", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		var wg sync.WaitGroup
		for g := range racers / 2 {
			wg.Go(func() {
				for i := range opsPerRacer / 2 {
					_, err := execRetrying(ctx, func() kvstore.AtomicWriteOperation {
						w := b.AtomicWrite()
						w.NIncrBy(key("c"), 1)
						w.SAdd(key("s"), fmt.Sprintf("%d-%d", g, i))
						return w
					})
					noErr(t, "Exec of NIncrBy and SAdd", err)
				}
			})
		}
		wg.Wait()
		n := racers / 2 * (opsPerRacer / 2)
		eq(t, "counter after concurrent atomic NIncrBy", int64(n))(b.NIncrBy(ctx, key("c"), 0))
		eq(t, "members after concurrent atomic SAdd", n)(lenOf(b.SMembers(ctx, key("s"))))
	})
}

func lenOfMap(m map[string]string, err error) (int, error) { return len(m), err }
