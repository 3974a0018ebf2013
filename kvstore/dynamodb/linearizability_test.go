package dynamodb_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kvlambda/kvlambda/internal/linearizability"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// TestLinearizable runs concurrent clients (Get, Set, SetNX, SetEQ, Delete, NIncrBy
// and atomic writes on a few keys) against DynamoDB Local, bare and behind one
// shared read cache, and checks each history with porcupine. Reads are strongly
// consistent: the backend's WithEventuallyConsistentReads view is not linearizable
// by design and is not checked. Atomic writes that lose a race with another
// transaction return ErrAtomicWriteConflict and must have written nothing.
func TestLinearizable(t *testing.T) {
	client := testservers.NewDynamoDBClient(t, testservers.DynamoDBLocal(t))
	table := testservers.NewDynamoDBTable(t, client)
	cfg := linearizability.Config{Clients: 6, OpsPerClient: 120, Atomic: true, Seed: 3}

	b := dynamodb.NewBackend(client, table)
	linearizability.Require(t, "dynamodb", linearizability.Run(t.Context(), linearizability.NewBackendTarget(b, "bare:"), cfg))

	c := cache.New(b)
	linearizability.Require(t, "dynamodb+cache", linearizability.Run(t.Context(), linearizability.NewBackendTarget(c, "cached:"), cfg))
}

// TestConcurrentDeletesReportOnce deletes one key from several goroutines at once,
// many times: exactly one Delete may report that the key existed. (DynamoDB Local
// returns the old item to every concurrent unconditional DeleteItem; the backend's
// Delete is conditional so that it is serialized there as on DynamoDB.)
func TestConcurrentDeletesReportOnce(t *testing.T) {
	client := testservers.NewDynamoDBClient(t, testservers.DynamoDBLocal(t))
	b := dynamodb.NewBackend(client, testservers.NewDynamoDBTable(t, client))
	ctx := t.Context()
	bad := 0
	for range 40 {
		if err := b.Set(ctx, "k", "v"); err != nil {
			t.Fatal(err)
		}
		var existed atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				ok, err := b.Delete(ctx, "k")
				if err != nil {
					t.Error(err)
				}
				if ok {
					existed.Add(1)
				}
			})
		}
		wg.Wait()
		if existed.Load() != 1 {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("in %d of 40 rounds, not exactly one of 4 concurrent Deletes reported that the key existed", bad)
	}
}
