package profile

import (
	"context"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// The timed expiry methods (kvstore.Expirer): each calls the wrapped backend and
// reports the call under the method's name.

// SetArgs is the wrapped backend's SetArgs, timed.
func (w *backend) SetArgs(ctx context.Context, key string, value any, a kvstore.SetArgs) (kvstore.SetResult, error) {
	start := time.Now()
	r, err := w.inner.SetArgs(ctx, key, value, a)
	w.done("SetArgs", start, err)
	return r, err
}

// SetEX is the wrapped backend's SetEX, timed.
func (w *backend) SetEX(ctx context.Context, key string, value any, ttl time.Duration) error {
	start := time.Now()
	err := w.inner.SetEX(ctx, key, value, ttl)
	w.done("SetEX", start, err)
	return err
}

// SetNXEX is the wrapped backend's SetNXEX, timed.
func (w *backend) SetNXEX(ctx context.Context, key string, value any, ttl time.Duration) (bool, error) {
	start := time.Now()
	ok, err := w.inner.SetNXEX(ctx, key, value, ttl)
	w.done("SetNXEX", start, err)
	return ok, err
}

// GetEx is the wrapped backend's GetEx, timed.
func (w *backend) GetEx(ctx context.Context, key string, a kvstore.GetExArgs) (*string, error) {
	start := time.Now()
	v, err := w.inner.GetEx(ctx, key, a)
	w.done("GetEx", start, err)
	return v, err
}

// GetDel is the wrapped backend's GetDel, timed.
func (w *backend) GetDel(ctx context.Context, key string) (*string, error) {
	start := time.Now()
	v, err := w.inner.GetDel(ctx, key)
	w.done("GetDel", start, err)
	return v, err
}

// Expire is the wrapped backend's Expire, timed.
func (w *backend) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	start := time.Now()
	ok, err := w.inner.Expire(ctx, key, ttl)
	w.done("Expire", start, err)
	return ok, err
}

// ExpireAt is the wrapped backend's ExpireAt, timed.
func (w *backend) ExpireAt(ctx context.Context, key string, at time.Time) (bool, error) {
	start := time.Now()
	ok, err := w.inner.ExpireAt(ctx, key, at)
	w.done("ExpireAt", start, err)
	return ok, err
}

// ExpireAtIf is the wrapped backend's ExpireAtIf, timed.
func (w *backend) ExpireAtIf(ctx context.Context, key string, at time.Time, cond kvstore.ExpireCondition) (bool, error) {
	start := time.Now()
	ok, err := w.inner.ExpireAtIf(ctx, key, at, cond)
	w.done("ExpireAtIf", start, err)
	return ok, err
}

// Persist is the wrapped backend's Persist, timed.
func (w *backend) Persist(ctx context.Context, key string) (bool, error) {
	start := time.Now()
	ok, err := w.inner.Persist(ctx, key)
	w.done("Persist", start, err)
	return ok, err
}

// TTL is the wrapped backend's TTL, timed.
func (w *backend) TTL(ctx context.Context, key string) (time.Duration, error) {
	start := time.Now()
	d, err := w.inner.TTL(ctx, key)
	w.done("TTL", start, err)
	return d, err
}

// clock is kvstore/cache's Clock: the wrapper passes it through, so that the cache
// compares the expiries the backend reports (through the context of the reads, which
// the wrapper passes on) against the backend's time.
type clock interface {
	Now() time.Time
}

// clockBackend is the profiling wrapper of a backend that is a clock.
type clockBackend struct{ *backend }

// Now is the wrapped backend's Now.
func (w *clockBackend) Now() time.Time { return w.inner.(clock).Now() }
