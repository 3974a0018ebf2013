package users_test

import (
	"testing"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// TestStoreDynamoDB runs the user store's scenarios on DynamoDB Local, a fresh table
// per scenario (skipped without DynamoDB Local, failing when CI is set).
func TestStoreDynamoDB(t *testing.T) {
	endpoint := testservers.DynamoDBLocal(t)
	RunStoreTests(t, func(t *testing.T) kvstore.Backend {
		client := testservers.NewDynamoDBClient(t, endpoint)
		return dynamodb.NewBackend(client, testservers.NewDynamoDBTable(t, client))
	})
}
