package dynamodb_test

import (
	"os"
	"testing"

	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testservers.StopDynamoDBLocal()
	os.Exit(code)
}

// local returns a client of this process's DynamoDB Local and a fresh table in it.
func local(t testing.TB) (*awsdynamodb.Client, string) {
	t.Helper()
	client := testservers.NewDynamoDBClient(t, testservers.DynamoDBLocal(t))
	return client, testservers.NewDynamoDBTable(t, client)
}

// newBackend returns a backend over a fresh table of DynamoDB Local.
func newBackend(t testing.TB, opts ...dynamodb.Option) *dynamodb.Backend {
	t.Helper()
	client, table := local(t)
	return dynamodb.NewBackend(client, table, opts...)
}

func TestConformance(t *testing.T) {
	kvstoretest.Run(t, func(t *testing.T) kvstore.Backend { return newBackend(t) })
}

// proxied returns a backend over a fresh table whose requests go through a proxy
// (see proxy); sdkAttempts is the SDK's maximum number of attempts per request.
func proxied(t testing.TB, sdkAttempts int, opts ...dynamodb.Option) (*dynamodb.Backend, *proxy) {
	t.Helper()
	endpoint := testservers.DynamoDBLocal(t)
	_, table := local(t)
	p := newProxy(t, endpoint)
	return dynamodb.NewBackend(p.client(sdkAttempts), table, opts...), p
}
