package main

import (
	"context"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl"
)

// openBackend opens the backend KVSTORE_URL names (memory when empty) through the
// shared opener, so every function reads the variable alike.
func openBackend(ctx context.Context, url string) (kvstore.Backend, error) {
	return kvstoreurl.Open(ctx, url)
}
