package testservers

import (
	"os"
	"testing"
)

// Missing ends a test that needs something the machine lacks (a server, a tool, a
// package): it skips the test, or fails it when the environment variable CI is set,
// where every dependency must be installed (`make deps`).
func Missing(t testing.TB, what any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%v (CI is set, so this fails instead of skipping)", what)
	}
	t.Skip(what)
}
