package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/redis"
)

// TestOutageUnderLoad kills redis-server (append-only file, fsync always) while
// writers run, and starts it again on the same port: calls during the outage fail
// by their deadline and never hang, the same client recovers without a restart, no
// acknowledged write is lost and no counter is incremented more often than it was
// asked to be.
func TestOutageUnderLoad(t *testing.T) {
	srv := testservers.StartRedisWith(t, testservers.RedisOptions{AppendOnly: true})
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	b := redis.NewBackend(client)
	ctx := t.Context()

	const workers = 6
	const callTimeout = 300 * time.Millisecond
	const slack = 2 * time.Second // scheduling on a loaded machine, not performance
	var (
		stop                   atomic.Bool
		calls, failed, late    atomic.Int64
		okAfterRestart         atomic.Int64
		restarted              atomic.Bool
		mu                     sync.Mutex
		acked                  = map[string]string{} // key -> value acknowledged
		ackedIncr, unknownIncr [workers]int64
		slowest                time.Duration
		failedBeforeKill       atomic.Int64
	)
	var killed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				callCtx, cancel := context.WithTimeout(ctx, callTimeout)
				start := time.Now()
				var err error
				key := fmt.Sprintf("w%d:%d", w, i)
				if i%2 == 0 {
					err = b.Set(callCtx, key, "v"+key)
				} else {
					_, err = b.NIncrBy(callCtx, "ctr:"+strconv.Itoa(w), 1)
				}
				elapsed := time.Since(start)
				cancel()
				calls.Add(1)
				mu.Lock()
				slowest = max(slowest, elapsed)
				switch {
				case err == nil && i%2 == 0:
					acked[key] = "v" + key
				case err == nil:
					ackedIncr[w]++
				case i%2 == 1 && errors.Is(err, kvstore.ErrOutcomeUnknown):
					unknownIncr[w]++
				}
				mu.Unlock()
				if err != nil {
					failed.Add(1)
					// A deadline met before the kill is the machine's load, not a fault.
					if !killed.Load() && !errors.Is(err, context.DeadlineExceeded) {
						failedBeforeKill.Add(1)
					}
				} else if restarted.Load() {
					okAfterRestart.Add(1)
				}
				if elapsed > callTimeout+slack {
					late.Add(1)
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	time.Sleep(400 * time.Millisecond)
	killed.Store(true)
	srv.Kill()
	time.Sleep(700 * time.Millisecond)
	srv.Restart()
	restarted.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for okAfterRestart.Load() < 50 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()

	if okAfterRestart.Load() < 50 {
		t.Fatalf("only %d calls succeeded within 10s of the restart: the client did not recover", okAfterRestart.Load())
	}
	lost := 0
	for key, want := range acked {
		if v, err := b.Get(ctx, key); err != nil || v == nil || *v != want {
			lost++
		}
	}
	dup := int64(0)
	for w := range workers {
		n, err := b.NIncrBy(ctx, "ctr:"+strconv.Itoa(w), 0)
		if err != nil {
			t.Fatal(err)
		}
		if n < ackedIncr[w] {
			lost += int(ackedIncr[w] - n)
		}
		if n > ackedIncr[w]+unknownIncr[w] {
			dup += n - ackedIncr[w] - unknownIncr[w]
		}
	}
	t.Logf("redis outage under load: %d calls, %d failed during the outage (slowest call %v, %d past deadline+%v); "+
		"%d acknowledged writes checked after the restart: %d lost; duplicates applied: %d",
		calls.Load(), failed.Load(), slowest.Round(time.Millisecond), late.Load(), slack, len(acked)+workers, lost, dup)
	if failed.Load() == 0 {
		t.Error("no call failed: the outage was not seen")
	}
	if late.Load() > 0 {
		t.Errorf("%d calls returned more than %v after their deadline", late.Load(), slack)
	}
	if n := failedBeforeKill.Load(); n > 0 {
		t.Errorf("%d calls failed before the kill", n)
	}
	if lost > 0 || dup > 0 {
		t.Errorf("lost %d acknowledged writes, applied %d increments more than asked", lost, dup)
	}
}
