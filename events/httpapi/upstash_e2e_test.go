package httpapi_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testservers.StopDynamoDBLocal()
	os.Exit(code)
}

// TestUpstashClient drives the API with the real @upstash/redis npm client
// (test/upstash/e2e.mjs, installed by `make deps-upstash`) against the handler on a
// loopback port, over the memory backend and over DynamoDB Local. Without node or
// the installed client (or DynamoDB Local) it skips, or fails under CI.
func TestUpstashClient(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testUpstashClient(t, memory.NewBackend()) })
	t.Run("dynamodb", func(t *testing.T) {
		client := testservers.NewDynamoDBClient(t, testservers.DynamoDBLocal(t))
		testUpstashClient(t, dynamodb.NewBackend(client, testservers.NewDynamoDBTable(t, client)))
	})
}

func testUpstashClient(t *testing.T, backend kvstore.Backend) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "test", "upstash"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not on PATH"
	default:
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@upstash", "redis", "package.json")); err != nil {
			missing = "@upstash/redis is not installed (run make deps-upstash)"
		}
	}
	if missing != "" {
		testservers.Missing(t, missing)
	}

	const token, readOnly = "e2e-full-token", "e2e-readonly-token"
	h, err := httpapi.New(httpapi.Config{Backend: backend, Token: token, ReadOnlyToken: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "e2e.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"KVLAMBDA_URL="+srv.URL,
		"KVLAMBDA_TOKEN="+token,
		"KVLAMBDA_READONLY_TOKEN="+readOnly,
		"NODE_OPTIONS=",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node e2e.mjs: %v\n%s", err, out)
	}
	t.Logf("node e2e.mjs:\n%s", out)
}
