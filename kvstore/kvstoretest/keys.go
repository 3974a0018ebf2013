package kvstoretest

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// RandomKey returns a key that no other test uses, short enough (26 bytes) to append
// suffixes to. The suite derives every key of a case from one RandomKey, so that cases
// sharing a backend never see each other's data.
func RandomKey(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("kvstoretest:%016x", rand.Uint64())
}

// newKeys returns a function that names the keys of one case: key("a") is the case's
// random prefix, "/" and "a".
func newKeys(t testing.TB) func(name string) string {
	t.Helper()
	prefix := RandomKey(t)
	return func(name string) string { return prefix + "/" + name }
}
