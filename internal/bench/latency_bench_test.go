package bench_test

import (
	"context"
	"testing"

	"github.com/kvlambda/kvlambda/internal/bench"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// BenchmarkBatchLatency runs the 1,000-item batches of BenchmarkDynamoDB against a
// stub that answers every request after the delay of its second run (DelayEnv,
// default 10ms) and does no work: with no server time in the way, the wall time is
// the number of request waves times the delay, which shows what the batch's
// concurrency does about network latency (DynamoDB Local, on a small machine, spends
// more time per request than the delay).
func BenchmarkBatchLatency(b *testing.B) {
	ds := delays(b)
	stub, err := bench.NewStub()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stub.Close() })
	stub.SetDelay(ds[len(ds)-1])
	client := stub.Client()
	kv := dynamodb.NewBackend(client, "stub")
	ref := &bench.Reference{Client: client, Table: "stub"}
	ctx := context.Background()
	getKeys, setKeys := keys("bg", 1000), keys("bs", 1000)
	ops := []struct {
		name         string
		kvstore, sdk func() error
	}{
		{"BatchGet1000",
			func() error {
				bt := kv.Batch()
				for _, k := range getKeys {
					bt.Get(k)
				}
				return bt.Exec(ctx)
			},
			func() error { _, err := ref.BatchGet(ctx, getKeys); return err }},
		{"BatchSet1000",
			func() error {
				bt := kv.Batch()
				for _, k := range setKeys {
					bt.Set(k, "value")
				}
				return bt.Exec(ctx)
			},
			func() error { return ref.BatchSet(ctx, setKeys, "value") }},
	}
	for _, op := range ops {
		for _, impl := range []string{"kvstore", "sdk"} {
			run := op.kvstore
			if impl == "sdk" {
				run = op.sdk
			}
			b.Run("op="+op.name+"/impl="+impl, func(b *testing.B) {
				for b.Loop() {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
