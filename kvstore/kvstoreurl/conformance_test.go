package kvstoreurl

import (
	"testing"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
)

// The conformance suite over the wrappers around the real stores, opened by URL: a
// read cache over a profiler over Redis or DynamoDB Local.

func TestConformanceRedis(t *testing.T) {
	r := testservers.StartRedis(t)
	b, closer, err := OpenWithCloser(t.Context(), "redis://"+r.Addr()+"?cache=1000&profile=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return b })
}

func TestConformanceDynamoDBLocal(t *testing.T) {
	endpoint := testservers.DynamoDBLocal(t)
	table := testservers.NewDynamoDBTable(t, testservers.NewDynamoDBClient(t, endpoint))
	isolateAWS(t)
	b, err := Open(t.Context(), "dynamodb:///"+table+"?endpoint="+endpoint+"&region=us-east-1&cache=1000&profile=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("strong", func(t *testing.T) {
		kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return b })
	})
	t.Run("eventual", func(t *testing.T) {
		kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return b.WithEventuallyConsistentReads() })
	})
}
