// Package expiryreport lets a read tell whoever asked when the data it read expires,
// in the same round trip as the read. The read cache puts a Report in the context of
// each read it sends to a backend; the backends (memory, Redis, DynamoDB) record, for
// every key whose value or sorted data the read saw, when that data expires. A read
// that recorded nothing for a key is not cached.
package expiryreport

import (
	"context"
	"sync"
)

// Report collects what reads sent under one context saw. It is safe for concurrent
// use (a batch or a paginated read may record from several goroutines).
type Report struct {
	mu      sync.Mutex
	entries map[Key]int64
}

// Key names what a read saw: a key's value, or its sorted data.
type Key struct {
	Key    string
	Sorted bool
}

type ctxKey struct{}

// NewContext returns ctx carrying r.
func NewContext(ctx context.Context, r *Report) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// FromContext returns the Report in ctx, nil when there is none. Backends call it
// once per read, and skip whatever it would cost to learn expiries when it is nil.
func FromContext(ctx context.Context) *Report {
	r, _ := ctx.Value(ctxKey{}).(*Report)
	return r
}

// Record notes that a read saw key's value (sorted: its sorted data) expiring at exp,
// in Unix milliseconds on the backend's clock; 0 means it does not expire or is
// absent. A nil Report records nothing. When a key is recorded more than once, the
// earliest expiry wins (0 only when every record was 0).
func (r *Report) Record(key string, sorted bool, exp int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.entries == nil {
		r.entries = make(map[Key]int64)
	}
	k := Key{key, sorted}
	if cur, ok := r.entries[k]; ok && (exp == 0 || (cur != 0 && cur <= exp)) {
		return
	}
	r.entries[k] = exp
}

// Lookup returns what was recorded for key's value (sorted: its sorted data), and
// whether anything was.
func (r *Report) Lookup(key string, sorted bool) (int64, bool) {
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	exp, ok := r.entries[Key{key, sorted}]
	return exp, ok
}
