package commands

import (
	"context"
	"sync"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// Executor runs parsed commands against a kvstore backend. It is safe for concurrent
// use.
type Executor struct {
	backend kvstore.Backend
	now     func() time.Time
}

// Option configures an Executor.
type Option func(*Executor)

// WithClock sets the clock the executor reads for the expiry commands that need the
// current time: absolute expiries (EXAT, PXAT, EXPIREAT, PEXPIREAT) are checked
// against it, EXPIRE with NX, XX, GT or LT counts from it, and EXPIRETIME and
// PEXPIRETIME are computed as its time plus the key's TTL. The default is time.Now;
// tests pass the clock their backend uses.
func WithClock(now func() time.Time) Option {
	return func(x *Executor) {
		if now != nil {
			x.now = now
		}
	}
}

// NewExecutor returns an executor over backend.
func NewExecutor(backend kvstore.Backend, opts ...Option) *Executor {
	x := &Executor{backend: backend, now: time.Now}
	for _, o := range opts {
		o(x)
	}
	return x
}

// Backend returns the backend the executor runs commands on.
func (x *Executor) Backend() kvstore.Backend { return x.backend }

// Exec runs one command and returns its reply; failures are *Error replies.
func (x *Executor) Exec(ctx context.Context, c Command) Reply {
	if c.spec == nil {
		return Errorf("ERR unknown command '%s'", printable(c.Name))
	}
	if err := ctx.Err(); err != nil {
		return FromError(err)
	}
	return c.spec.run(ctx, x, c.Args)
}

// fanOutLimit is how many independent backend calls one command makes at once
// (DEL k1 k2 ..., EXISTS fallbacks).
const fanOutLimit = 16

// forEach calls f(i) for i in [0, n), up to fanOutLimit at a time.
func forEach(n int, f func(i int)) {
	if n == 1 {
		f(0)
		return
	}
	sem := make(chan struct{}, fanOutLimit)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// distinct returns the strings of s without repeats, in first-seen order.
func distinct(s []string) []string {
	seen := make(map[string]struct{}, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if _, ok := seen[v]; !ok {
			seen[v] = struct{}{}
			out = append(out, v)
		}
	}
	return out
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
