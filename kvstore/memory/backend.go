// Package memory is the in-process kvstore backend: the reference every other backend
// is checked against, the backend of unit tests and the embedded default.
//
// It is safe for concurrent use, enforces the same limits as DynamoDB (so a test on
// memory fails where production would), copies values in and out, and keeps sorted
// sets in B-trees: O(log n) insert, remove and score lookup, O(log n + k) ranges and
// O(log² n) counts. A Backend costs a few kilobytes: create one per test.
package memory

import (
	"context"
	"hash/maphash"
	"sync"

	"github.com/kvlambda/kvlambda/kvstore"
)

const numShards = 32

// Backend is an in-memory kvstore.Backend. The zero value is not usable: call
// NewBackend.
type Backend struct {
	seed   maphash.Seed
	shards [numShards]shard
}

// shard holds the keys that hash to it, under one lock.
type shard struct {
	mu     sync.RWMutex
	values map[string]*value
	sorted map[string]*zset
	_      [64]byte // keeps neighbouring shards' locks off one cache line
}

var _ kvstore.Backend = (*Backend)(nil)

// NewBackend returns an empty memory backend.
func NewBackend() *Backend {
	return &Backend{seed: maphash.MakeSeed()}
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
