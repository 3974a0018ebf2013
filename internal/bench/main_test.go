package bench_test

import (
	"os"
	"testing"

	"github.com/kvlambda/kvlambda/internal/testservers"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testservers.StopDynamoDBLocal()
	os.Exit(code)
}
