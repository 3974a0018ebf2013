package dynamodb

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// Backend is the DynamoDB kvstore.Backend: one table in the layout the package
// documentation describes, over a Client (*awsdynamodb.Client or DAX). It is safe for
// concurrent use. Reads are strongly consistent unless the view says otherwise
// (WithEventuallyConsistentReads).
type Backend struct {
	client     Client
	table      *string
	opts       *options
	consistent bool
	profiler   RequestProfiler
}

var _ kvstore.Backend = (*Backend)(nil)

// RequestProfiler is what a profiler passed to WithProfiler must implement for the
// backend to report to it (profile.Profiler does): one call per DynamoDB request,
// with the API's name ("GetItem", "BatchWriteItem", ...), its duration, the read and
// write capacity units it consumed and its error.
type RequestProfiler interface {
	ProfileDynamoDBRequest(operation string, duration time.Duration, readUnits, writeUnits float64, err error)
}

// Option configures a Backend.
type Option func(*options)

type options struct {
	concurrency int
	backoffBase time.Duration
	backoffMax  time.Duration
}

// DefaultConcurrency is how many requests one batch or atomic write sends at once
// unless WithConcurrency says otherwise: enough for a batch of 1,000 writes (40
// BatchWriteItem requests of 25) to go out in one wave, so that it takes one network
// round trip, as hand-written concurrent SDK calls do, rather than four (make bench:
// BenchmarkBatchLatency).
const DefaultConcurrency = 40

// WithConcurrency sets how many requests a batch's Exec keeps in flight at once
// (default DefaultConcurrency; values below 1 mean 1).
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = max(n, 1) }
}

// WithBackoff sets the exponential backoff with full jitter used to retry throttled
// requests, unprocessed batch items and contended read-modify-writes: the n-th retry
// waits a random time up to min(maxDelay, base·2ⁿ). Defaults: 20ms and 2s. Retries go on
// until the request succeeds or the context ends.
func WithBackoff(base, maxDelay time.Duration) Option {
	return func(o *options) {
		if base > 0 {
			o.backoffBase = base
		}
		if maxDelay >= o.backoffBase {
			o.backoffMax = maxDelay
		}
	}
}

// NewBackend returns a backend storing its data in tableName (created with
// CreateTable or an equivalent stack) through client.
func NewBackend(client Client, tableName string, opts ...Option) *Backend {
	o := &options{concurrency: DefaultConcurrency, backoffBase: 20 * time.Millisecond, backoffMax: 2 * time.Second}
	for _, opt := range opts {
		opt(o)
	}
	return &Backend{client: client, table: aws.String(tableName), opts: o, consistent: true}
}

// WithEventuallyConsistentReads returns a view of the backend whose reads (Get, range
// queries, batch reads, ...) are eventually consistent: half the read capacity, and
// served from DAX's cache when the client is DAX. Read-modify-writes stay consistent.
func (b *Backend) WithEventuallyConsistentReads() kvstore.Backend {
	v := *b
	v.consistent = false
	return &v
}

// WithProfiler returns a view of the backend that reports every request to profiler
// when it implements RequestProfiler, and asks DynamoDB for consumed capacity to do
// so. Any other profiler is ignored: the result is b.
func (b *Backend) WithProfiler(profiler any) kvstore.Backend {
	p, ok := profiler.(RequestProfiler)
	if !ok {
		return b
	}
	v := *b
	v.profiler = p
	return &v
}

// Unwrap returns nil: the backend is a store, not a wrapper.
func (b *Backend) Unwrap() kvstore.Backend { return nil }

// TableName returns the name of the backend's table.
func (b *Backend) TableName() string { return *b.table }

// consistentRead is the ConsistentRead parameter of this view's reads.
func (b *Backend) consistentRead() *bool { return aws.Bool(b.consistent) }

// returnCapacity is the ReturnConsumedCapacity parameter: TOTAL only when a profiler
// will read it.
func (b *Backend) returnCapacity() types.ReturnConsumedCapacity {
	if b.profiler != nil {
		return types.ReturnConsumedCapacityTotal
	}
	return types.ReturnConsumedCapacityNone
}
