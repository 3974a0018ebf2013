package cache

import (
	"context"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

// Clock is what a backend implements when its time is not time.Now (the memory
// backend with memory.WithClock; the profiling wrapper passes it through). The cache
// never serves an expired value: each read it sends on a miss asks the backend, in the
// same call (through the read's context), when what it reads expires, and the cache
// serves the result only until then, on the backend's clock: Now when the backend has
// it, else time.Now. A read for which the backend reports no expiry is not cached.
type Clock interface {
	// Now returns the backend's time.
	Now() time.Time
}

// writingKey invalidates key's value and sorted data, as writing does for one.
func (c *Backend) writingKey(key string) func() {
	v, z := stateKey{ns: valueNS, key: key}, stateKey{ns: sortedNS, key: key}
	c.s.beginWrite(v, z)
	return func() { c.s.endWrite(v, z) }
}

// SetArgs writes through and invalidates key's value.
func (c *Backend) SetArgs(ctx context.Context, key string, value any, a kvstore.SetArgs) (kvstore.SetResult, error) {
	defer c.writing(valueNS, key)()
	return c.inner.SetArgs(ctx, key, value, a)
}

// SetEX writes through and invalidates key's value.
func (c *Backend) SetEX(ctx context.Context, key string, value any, ttl time.Duration) error {
	defer c.writing(valueNS, key)()
	return c.inner.SetEX(ctx, key, value, ttl)
}

// SetNXEX writes through and invalidates key's value.
func (c *Backend) SetNXEX(ctx context.Context, key string, value any, ttl time.Duration) (bool, error) {
	defer c.writing(valueNS, key)()
	return c.inner.SetNXEX(ctx, key, value, ttl)
}

// GetEx goes to the backend (it may change the expiry) and invalidates key's value.
func (c *Backend) GetEx(ctx context.Context, key string, a kvstore.GetExArgs) (*string, error) {
	defer c.writing(valueNS, key)()
	return c.inner.GetEx(ctx, key, a)
}

// GetDel writes through and invalidates key's value.
func (c *Backend) GetDel(ctx context.Context, key string) (*string, error) {
	defer c.writing(valueNS, key)()
	return c.inner.GetDel(ctx, key)
}

// Expire writes through and invalidates key's value and sorted data.
func (c *Backend) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	defer c.writingKey(key)()
	return c.inner.Expire(ctx, key, ttl)
}

// ExpireAt writes through and invalidates key's value and sorted data.
func (c *Backend) ExpireAt(ctx context.Context, key string, at time.Time) (bool, error) {
	defer c.writingKey(key)()
	return c.inner.ExpireAt(ctx, key, at)
}

// ExpireAtIf writes through and invalidates key's value and sorted data.
func (c *Backend) ExpireAtIf(ctx context.Context, key string, at time.Time, cond kvstore.ExpireCondition) (bool, error) {
	defer c.writingKey(key)()
	return c.inner.ExpireAtIf(ctx, key, at, cond)
}

// Persist writes through and invalidates key's value and sorted data.
func (c *Backend) Persist(ctx context.Context, key string) (bool, error) {
	defer c.writingKey(key)()
	return c.inner.Persist(ctx, key)
}

// TTL goes to the backend: it is not cached.
func (c *Backend) TTL(ctx context.Context, key string) (time.Duration, error) {
	return c.inner.TTL(ctx, key)
}

// SetEX queues a SetEX.
func (a *atomicWrite) SetEX(key string, value any, ttl time.Duration) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.SetEX(key, value, ttl)
}

// SetNXEX queues a SetNXEX.
func (a *atomicWrite) SetNXEX(key string, value any, ttl time.Duration) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.SetNXEX(key, value, ttl)
}

// Expire queues an Expire, which changes key's value and sorted data.
func (a *atomicWrite) Expire(key string, ttl time.Duration) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	a.touch(sortedNS, key)
	return a.inner.Expire(key, ttl)
}
