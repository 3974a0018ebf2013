package users_test

import (
	"os"
	"testing"

	"github.com/kvlambda/kvlambda/internal/testservers"
)

// TestMain stops the DynamoDB Local that TestStoreDynamoDB starts.
func TestMain(m *testing.M) {
	code := m.Run()
	testservers.StopDynamoDBLocal()
	os.Exit(code)
}
