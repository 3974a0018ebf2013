package bench_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/internal/bench"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// DelayEnv names the environment variable holding the delay the proxy adds to each
// DynamoDB request in the second run of BenchmarkDynamoDB (a Go duration, default
// 10ms), standing in for the network between Lambda and DynamoDB.
const DelayEnv = "KVLAMBDA_BENCH_DELAY"

// delays returns the proxy delays BenchmarkDynamoDB runs at: none, and DelayEnv's.
func delays(b *testing.B) []time.Duration {
	d := 10 * time.Millisecond
	if v := os.Getenv(DelayEnv); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < 0 {
			b.Fatalf("%s=%q: want a duration such as 10ms", DelayEnv, v)
		}
	}
	if d == 0 {
		return []time.Duration{0}
	}
	return []time.Duration{0, d}
}

var (
	dynamoWarmUp sync.Once
	dynamoRuns   atomic.Int64
	clientRuns   atomic.Int64
	zaddKeys     atomic.Int64
)

// capacityProfiler makes the backend ask DynamoDB for consumed capacity (as it does
// under any profiler), which the proxy then counts; it keeps nothing itself.
type capacityProfiler struct{}

func (capacityProfiler) ProfileDynamoDBRequest(string, time.Duration, float64, float64, error) {}

// dynamoOp is one benchmarked operation, through the backend and through the
// hand-written SDK reference; i counts the calls.
type dynamoOp struct {
	name    string
	kvstore func(ctx context.Context, i int) error
	sdk     func(ctx context.Context, i int) error
}

func keys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// BenchmarkDynamoDB compares the DynamoDB backend with a hand-written aws-sdk-go-v2
// reference (bench.Reference) doing the same work, on DynamoDB Local behind a proxy
// that adds a delay per request (none, then DelayEnv's) and counts requests and the
// capacity units DynamoDB reports. Besides wall time (ns/op) each reports
// requests/op, RCU/op, WCU/op and in-flight-max (the most requests in flight at
// once).
func BenchmarkDynamoDB(b *testing.B) {
	endpoint := testservers.DynamoDBLocal(b)
	direct := testservers.NewDynamoDBClient(b, endpoint)
	table := testservers.NewDynamoDBTable(b, direct)
	ctx := context.Background()

	const zsize = 1000
	batchGetKeys, batchSetKeys := keys("bg", 1000), keys("bs", 1000)
	aw25, aw100 := keys("aw25-", 25), keys("aw100-", 100)
	// The data the reads find, written without the proxy.
	setup := dynamodb.NewBackend(direct, table).Batch()
	setup.Set("k", "value")
	for _, k := range batchGetKeys {
		setup.Set(k, "value")
	}
	for i := range zsize {
		setup.ZAdd("z", fmt.Sprintf("member-%04d", i), float64(i))
	}
	if err := setup.Exec(ctx); err != nil {
		b.Fatal(err)
	}

	proxy, err := bench.NewProxy(endpoint, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = proxy.Close() })
	client := proxy.Client()
	kv := dynamodb.NewBackend(client, table).WithProfiler(capacityProfiler{})
	ref := &bench.Reference{Client: client, Table: table}

	var zaddKey string
	atomicWrite := func(ks []string) func(ctx context.Context, i int) error {
		return func(ctx context.Context, i int) error {
			w := kv.AtomicWrite()
			for _, k := range ks {
				w.Set(k, "value")
			}
			ok, err := w.Exec(ctx)
			if err == nil && !ok {
				err = fmt.Errorf("atomic write of unconditional sets failed a condition")
			}
			return err
		}
	}
	ops := []dynamoOp{
		{"Get",
			func(ctx context.Context, i int) error { return found(kv.Get(ctx, "k")) },
			func(ctx context.Context, i int) error { return found(ref.Get(ctx, "k")) }},
		{"Set",
			func(ctx context.Context, i int) error { return kv.Set(ctx, "k", "value") },
			func(ctx context.Context, i int) error { return ref.Set(ctx, "k", "value") }},
		// Every ZAdd adds a new member (to a key of its own per run): 1 WCU for the
		// item and 1 for its copy in the rk2 index.
		{"ZAdd",
			func(ctx context.Context, i int) error {
				return kv.ZAdd(ctx, zaddKey, "m"+strconv.Itoa(i), float64(i))
			},
			func(ctx context.Context, i int) error {
				return ref.ZAdd(ctx, zaddKey, "m"+strconv.Itoa(i), float64(i))
			}},
		{"ZRangeByScore",
			func(ctx context.Context, i int) error {
				lo := float64(i % (zsize - 100))
				return ten(kv.ZRangeByScore(ctx, "z", lo, lo+100, 10))
			},
			func(ctx context.Context, i int) error {
				lo := float64(i % (zsize - 100))
				return ten(ref.ZRangeByScore(ctx, "z", lo, lo+100, 10))
			}},
		{"AtomicWrite25",
			atomicWrite(aw25),
			func(ctx context.Context, i int) error { return ref.AtomicSet(ctx, aw25, "value") }},
		{"AtomicWrite100",
			atomicWrite(aw100),
			func(ctx context.Context, i int) error { return ref.AtomicSet(ctx, aw100, "value") }},
		{"BatchGet1000",
			func(ctx context.Context, i int) error {
				bt := kv.Batch()
				res := make([]kvstore.GetResult, len(batchGetKeys))
				for j, k := range batchGetKeys {
					res[j] = bt.Get(k)
				}
				if err := bt.Exec(ctx); err != nil {
					return err
				}
				return found(res[len(res)-1].Result())
			},
			func(ctx context.Context, i int) error {
				m, err := ref.BatchGet(ctx, batchGetKeys)
				if err == nil && len(m) != len(batchGetKeys) {
					err = fmt.Errorf("read %d of %d keys", len(m), len(batchGetKeys))
				}
				return err
			}},
		{"BatchSet1000",
			func(ctx context.Context, i int) error {
				bt := kv.Batch()
				for _, k := range batchSetKeys {
					bt.Set(k, "value")
				}
				return bt.Exec(ctx)
			},
			func(ctx context.Context, i int) error { return ref.BatchSet(ctx, batchSetKeys, "value") }},
	}

	// DynamoDB Local runs on a JVM: warm its JIT up once per process, so that the
	// first benchmarks do not pay for it.
	dynamoWarmUp.Do(func() {
		for _, op := range ops {
			n := 30
			if strings.HasPrefix(op.name, "Batch") || strings.HasPrefix(op.name, "Atomic") {
				n = 3
			}
			for i := range n {
				zaddKey = "zadd-warmup"
				if err := op.kvstore(ctx, i); err != nil {
					b.Fatal(err)
				}
				if err := op.sdk(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
		}
	})

	// Each run of this function (one per -count) puts the implementations in the
	// other order, so that neither always runs first.
	impls := []string{"kvstore", "sdk"}
	if dynamoRuns.Add(1)%2 == 0 {
		impls = []string{"sdk", "kvstore"}
	}
	for _, d := range delays(b) {
		b.Run("delay="+d.String(), func(b *testing.B) {
			proxy.SetDelay(d)
			for _, op := range ops {
				for _, impl := range impls {
					run := op.kvstore
					if impl == "sdk" {
						run = op.sdk
					}
					b.Run("op="+op.name+"/impl="+impl, func(b *testing.B) {
						zaddKey = fmt.Sprintf("zadd-%d", zaddKeys.Add(1))
						before := proxy.Stats()
						i := 0
						for b.Loop() {
							if err := run(ctx, i); err != nil {
								b.Fatal(err)
							}
							i++
						}
						reportProxy(b, proxy.Stats().Sub(before))
					})
				}
			}
		})
	}
}

// reportProxy reports what the proxy counted per operation.
func reportProxy(b *testing.B, s bench.Stats) {
	n := float64(b.N)
	b.ReportMetric(float64(s.Total())/n, "requests/op")
	b.ReportMetric(s.Capacity.Read/n, "RCU/op")
	b.ReportMetric(s.Capacity.Write/n, "WCU/op")
	b.ReportMetric(float64(s.Peak), "in-flight-max")
}

// found checks that a read found its value.
func found(s *string, err error) error {
	if err == nil && s == nil {
		err = fmt.Errorf("value not found")
	}
	return err
}

// ten checks that a range returned 10 members.
func ten(ms []string, err error) error {
	if err == nil && len(ms) != 10 {
		err = fmt.Errorf("range returned %d members, want 10", len(ms))
	}
	return err
}
