package cache

import (
	"context"

	"github.com/kvlambda/kvlambda/kvstore"
)

// AtomicWrite returns the backend's atomic write, which invalidates every key it
// touches when it runs, whether it succeeds, fails a condition or returns an error.
func (c *Backend) AtomicWrite() kvstore.AtomicWriteOperation {
	return &atomicWrite{c: c, inner: c.inner.AtomicWrite(), seen: make(map[stateKey]bool)}
}

type atomicWrite struct {
	c     *Backend
	inner kvstore.AtomicWriteOperation
	keys  []stateKey
	seen  map[stateKey]bool
}

func (a *atomicWrite) touch(ns namespace, key string) {
	sk := stateKey{ns: ns, key: key}
	if !a.seen[sk] {
		a.seen[sk] = true
		a.keys = append(a.keys, sk)
	}
}

// Set queues a Set.
func (a *atomicWrite) Set(key string, value any) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.Set(key, value)
}

// SetNX queues a SetNX.
func (a *atomicWrite) SetNX(key string, value any) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.SetNX(key, value)
}

// SetXX queues a SetXX.
func (a *atomicWrite) SetXX(key string, value any) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.SetXX(key, value)
}

// SetEQ queues a SetEQ.
func (a *atomicWrite) SetEQ(key string, value, oldValue any) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.SetEQ(key, value, oldValue)
}

// Delete queues a Delete.
func (a *atomicWrite) Delete(key string) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.Delete(key)
}

// DeleteXX queues a DeleteXX.
func (a *atomicWrite) DeleteXX(key string) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.DeleteXX(key)
}

// NIncrBy queues an NIncrBy.
func (a *atomicWrite) NIncrBy(key string, n int64) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.NIncrBy(key, n)
}

// ZAdd queues a ZAdd.
func (a *atomicWrite) ZAdd(key string, member any, score float64) kvstore.AtomicWriteResult {
	a.touch(sortedNS, key)
	return a.inner.ZAdd(key, member, score)
}

// ZAddNX queues a ZAddNX.
func (a *atomicWrite) ZAddNX(key string, member any, score float64) kvstore.AtomicWriteResult {
	a.touch(sortedNS, key)
	return a.inner.ZAddNX(key, member, score)
}

// ZRem queues a ZRem.
func (a *atomicWrite) ZRem(key string, member any) kvstore.AtomicWriteResult {
	a.touch(sortedNS, key)
	return a.inner.ZRem(key, member)
}

// ZHAdd queues a ZHAdd.
func (a *atomicWrite) ZHAdd(key, field string, member any, score float64) kvstore.AtomicWriteResult {
	a.touch(sortedNS, key)
	return a.inner.ZHAdd(key, field, member, score)
}

// ZHRem queues a ZHRem.
func (a *atomicWrite) ZHRem(key, field string) kvstore.AtomicWriteResult {
	a.touch(sortedNS, key)
	return a.inner.ZHRem(key, field)
}

// SAdd queues an SAdd.
func (a *atomicWrite) SAdd(key string, member any, members ...any) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.SAdd(key, member, members...)
}

// SRem queues an SRem.
func (a *atomicWrite) SRem(key string, member any, members ...any) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.SRem(key, member, members...)
}

// HSet queues an HSet.
func (a *atomicWrite) HSet(key, field string, value any, fields ...kvstore.KeyValue) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.HSet(key, field, value, fields...)
}

// HSetNX queues an HSetNX.
func (a *atomicWrite) HSetNX(key, field string, value any) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.HSetNX(key, field, value)
}

// HDel queues an HDel.
func (a *atomicWrite) HDel(key, field string, fields ...string) kvstore.AtomicWriteResult {
	a.touch(valueNS, key)
	return a.inner.HDel(key, field, fields...)
}

// Exec applies the atomic write, invalidating every key it touches before and after,
// whatever the outcome.
func (a *atomicWrite) Exec(ctx context.Context) (bool, error) {
	a.c.s.beginWrite(a.keys...)
	defer a.c.s.endWrite(a.keys...)
	return a.inner.Exec(ctx)
}
