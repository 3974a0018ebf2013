package kvstoreurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

// Variable is the environment variable FromEnv reads.
const Variable = "KVSTORE_URL"

// Open returns the backend rawURL describes (see the package documentation). An
// empty rawURL means memory://. Clients are built but no connection is made, except
// by DAX, whose client dials its cluster when it is built (within ctx).
func Open(ctx context.Context, rawURL string) (kvstore.Backend, error) {
	b, _, err := OpenWithCloser(ctx, rawURL)
	return b, err
}

// OpenWithCloser is Open also returning what releases the backend's client
// (connections, background goroutines); the backend must not be used after Close.
// The closer is never nil.
func OpenWithCloser(ctx context.Context, rawURL string) (kvstore.Backend, io.Closer, error) {
	s, err := parse(rawURL)
	if err != nil {
		return nil, nil, err
	}
	var b kvstore.Backend
	closer := io.Closer(nopCloser{})
	switch s.scheme {
	case "memory":
		b = memory.NewBackend()
	case "redis", "rediss":
		b, closer, err = openRedis(s)
	case "dynamodb":
		b, err = openDynamoDB(ctx, s)
	case "dax", "daxs":
		if openDAX == nil {
			return nil, nil, errNoDAX(s)
		}
		b, closer, err = openDAX(ctx, s)
	}
	if err != nil {
		return nil, nil, err
	}
	return wrap(b, s), closer, nil
}

// wrap puts the wrappers the URL asks for around b: the profiler right over the
// backend (so it times what reaches the store), the cache over it (reporting its hits
// and misses to the same profiler).
func wrap(b kvstore.Backend, s *spec) kvstore.Backend {
	var p *profile.Profiler
	if s.profile {
		p = profile.New()
		b = profile.Wrap(b, p)
	}
	if s.cache > 0 {
		c := cache.New(b, cache.WithMaxEntries(s.cache))
		if p != nil {
			return c.WithProfiler(p)
		}
		return c
	}
	return b
}

// openDAX opens a dax:// or daxs:// URL; dax.go sets it, and a build with the tag
// kvstore_nodax leaves it nil, so that the DAX client (github.com/aws/aws-dax-go-v2
// and what it pulls in: about 2 MB of a binary) is not linked.
var openDAX func(ctx context.Context, s *spec) (kvstore.Backend, io.Closer, error)

// errNoDAX is Open's error for a DAX URL in a build without DAX.
func errNoDAX(s *spec) error {
	return errorf("%s URL: this program was built without the DAX client (build tag kvstore_nodax); "+
		"build it without that tag (for kvlambda's functions: make build DAX=true)", s.scheme)
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

var (
	fromEnvMu     sync.Mutex
	fromEnvOpened = make(map[string]kvstore.Backend)
)

// FromEnv returns the backend KVSTORE_URL describes (memory when it is unset or
// empty). It opens it once per process and value of the variable, and returns the
// same backend afterwards: call it at a Lambda's cold start or in each invocation
// alike, the clients and their connections are built once and reused. Errors name the
// variable.
func FromEnv(ctx context.Context) (kvstore.Backend, error) {
	raw := strings.TrimSpace(os.Getenv(Variable))
	fromEnvMu.Lock()
	defer fromEnvMu.Unlock()
	if b, ok := fromEnvOpened[raw]; ok {
		return b, nil
	}
	b, err := Open(ctx, raw)
	if err != nil {
		return nil, err
	}
	fromEnvOpened[raw] = b
	return b, nil
}

// errorf returns an ErrInvalidArgument naming the variable.
func errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", Variable, kvstore.InvalidArgumentf(format, args...))
}

// failf returns an error naming the variable that is not about the URL's syntax (a
// client that could not be built), wrapping err.
func failf(err error, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %w", Variable, fmt.Sprintf(format, args...), err)
}

var errNoRegion = errors.New("no AWS region: set AWS_REGION or add ?region= to the URL")
