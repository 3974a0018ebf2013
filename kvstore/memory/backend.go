// Package memory is the in-process kvstore backend: the reference every other backend
// is checked against, the backend of unit tests and the embedded default.
//
// It is safe for concurrent use, enforces the same limits as DynamoDB (so a test on
// memory fails where production would), copies values in and out, and keeps sorted
// sets in B-trees: O(log n) insert, remove and score lookup, O(log n + k) ranges and
// O(log² n) counts. A Backend costs a few kilobytes: create one per test.
//
// Expiries have millisecond precision on the backend's clock (time.Now, or
// WithClock's, which lets a test move time forward). An expired key is absent at once
// to every call; its memory is reclaimed by the next write that touches it, by writes
// to its shard (a few expired keys each) and by a goroutine that runs while some key
// has an expiry, so a long-running backend whose keys expire does not grow.
package memory

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

const numShards = 32

// Backend is an in-memory kvstore.Backend. The zero value is not usable: call
// NewBackend.
type Backend struct {
	seed   maphash.Seed
	shards [numShards]shard
	// clock is WithClock's time source, nil for time.Now.
	clock func() time.Time
	// sweeping is set while the sweeper goroutine runs, every sweepEvery.
	sweeping   atomic.Bool
	sweepEvery time.Duration
}

// shard holds the keys that hash to it, under one lock.
type shard struct {
	mu     sync.RWMutex
	values map[string]*value
	sorted map[string]*zset
	// expiries is a min-heap of the keys' expiries, reclaimed by sweep. Entries go
	// stale when an expiry changes: sweep checks them against the key.
	expiries []expiry
	b        *Backend
	_        [64]byte // keeps neighbouring shards' locks off one cache line
}

var _ kvstore.Backend = (*Backend)(nil)

// Option configures a Backend.
type Option func(*Backend)

// WithClock makes the backend read the time from now instead of time.Now, for
// expiries: a test moves it forward instead of sleeping.
func WithClock(now func() time.Time) Option {
	return func(b *Backend) { b.clock = now }
}

// NewBackend returns an empty memory backend.
func NewBackend(opts ...Option) *Backend {
	b := &Backend{seed: maphash.MakeSeed(), sweepEvery: sweepInterval}
	for _, o := range opts {
		o(b)
	}
	for i := range b.shards {
		b.shards[i].b = b
	}
	return b
}

func (b *Backend) shardIndex(key string) int {
	return int(maphash.String(b.seed, key) % numShards)
}

func (b *Backend) shard(key string) *shard {
	return &b.shards[b.shardIndex(key)]
}

// begin validates a call's context and key.
func begin(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return kvstore.ValidateKey(key)
}

// WithEventuallyConsistentReads returns b: memory reads are always consistent.
func (b *Backend) WithEventuallyConsistentReads() kvstore.Backend { return b }

// WithProfiler returns b: the memory backend has no backend-specific profiling (wrap
// it with a profiling wrapper to time its operations).
func (b *Backend) WithProfiler(any) kvstore.Backend { return b }

// Unwrap returns nil: the memory backend wraps nothing.
func (b *Backend) Unwrap() kvstore.Backend { return nil }

// Batch returns a batch that runs its operations in queue order.
func (b *Backend) Batch() kvstore.BatchOperation { return &batch{b: b} }

type batch struct {
	kvstore.BatchOps
	b *Backend
}

// Exec runs the batch's operations one after the other: in memory, there is no round
// trip to save.
func (bt *batch) Exec(ctx context.Context) error {
	ops, err := bt.Operations()
	if err != nil {
		return err
	}
	kvstore.ExecBatchOpsByKey(ctx, ops, 1, func(ctx context.Context, op *kvstore.BatchOp) {
		kvstore.ExecBatchOp(ctx, bt.b, op)
	})
	return kvstore.BatchError(ops)
}
