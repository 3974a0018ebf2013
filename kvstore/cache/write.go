package cache

import (
	"context"

	"github.com/kvlambda/kvlambda/kvstore"
)

// Every write invalidates the namespace of the key it writes before it starts and
// again when it ends, whatever its outcome (a write that returned an error may still
// have been applied).

func (c *Backend) writing(ns namespace, key string) func() {
	sk := stateKey{ns: ns, key: key}
	c.s.beginWrite(sk)
	return func() { c.s.endWrite(sk) }
}

// Set writes through and invalidates key's value.
func (c *Backend) Set(ctx context.Context, key string, value any) error {
	defer c.writing(valueNS, key)()
	return c.inner.Set(ctx, key, value)
}

// SetNX writes through and invalidates key's value.
func (c *Backend) SetNX(ctx context.Context, key string, value any) (bool, error) {
	defer c.writing(valueNS, key)()
	return c.inner.SetNX(ctx, key, value)
}

// SetXX writes through and invalidates key's value.
func (c *Backend) SetXX(ctx context.Context, key string, value any) (bool, error) {
	defer c.writing(valueNS, key)()
	return c.inner.SetXX(ctx, key, value)
}

// SetEQ writes through and invalidates key's value.
func (c *Backend) SetEQ(ctx context.Context, key string, value, oldValue any) (bool, error) {
	defer c.writing(valueNS, key)()
	return c.inner.SetEQ(ctx, key, value, oldValue)
}

// Delete writes through and invalidates key's value.
func (c *Backend) Delete(ctx context.Context, key string) (bool, error) {
	defer c.writing(valueNS, key)()
	return c.inner.Delete(ctx, key)
}

// NIncrBy writes through and invalidates key's value (even for n = 0).
func (c *Backend) NIncrBy(ctx context.Context, key string, n int64) (int64, error) {
	defer c.writing(valueNS, key)()
	return c.inner.NIncrBy(ctx, key, n)
}

// SAdd writes through and invalidates key's value.
func (c *Backend) SAdd(ctx context.Context, key string, member any, members ...any) error {
	defer c.writing(valueNS, key)()
	return c.inner.SAdd(ctx, key, member, members...)
}

// SRem writes through and invalidates key's value.
func (c *Backend) SRem(ctx context.Context, key string, member any, members ...any) error {
	defer c.writing(valueNS, key)()
	return c.inner.SRem(ctx, key, member, members...)
}

// HSet writes through and invalidates key's value.
func (c *Backend) HSet(ctx context.Context, key, field string, value any, fields ...kvstore.KeyValue) error {
	defer c.writing(valueNS, key)()
	return c.inner.HSet(ctx, key, field, value, fields...)
}

// HDel writes through and invalidates key's value.
func (c *Backend) HDel(ctx context.Context, key, field string, fields ...string) error {
	defer c.writing(valueNS, key)()
	return c.inner.HDel(ctx, key, field, fields...)
}

// ZAdd writes through and invalidates key's sorted set.
func (c *Backend) ZAdd(ctx context.Context, key string, member any, score float64) error {
	defer c.writing(sortedNS, key)()
	return c.inner.ZAdd(ctx, key, member, score)
}

// ZRem writes through and invalidates key's sorted set.
func (c *Backend) ZRem(ctx context.Context, key string, member any) error {
	defer c.writing(sortedNS, key)()
	return c.inner.ZRem(ctx, key, member)
}

// ZIncrBy writes through and invalidates key's sorted set.
func (c *Backend) ZIncrBy(ctx context.Context, key string, member string, n float64) (float64, error) {
	defer c.writing(sortedNS, key)()
	return c.inner.ZIncrBy(ctx, key, member, n)
}

// ZHAdd writes through and invalidates key's sorted hash.
func (c *Backend) ZHAdd(ctx context.Context, key, field string, member any, score float64) error {
	defer c.writing(sortedNS, key)()
	return c.inner.ZHAdd(ctx, key, field, member, score)
}

// ZHRem writes through and invalidates key's sorted hash.
func (c *Backend) ZHRem(ctx context.Context, key, field string) error {
	defer c.writing(sortedNS, key)()
	return c.inner.ZHRem(ctx, key, field)
}
