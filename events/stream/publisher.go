package stream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// PutEventsAPI is the part of the EventBridge client the publisher calls;
// *eventbridge.Client implements it.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// PutEvents' limits: entries per call, and the total size of a call's entries as
// EventBridge counts it (entrySize).
const (
	MaxEntriesPerCall = 10
	MaxCallBytes      = 256 * 1024
)

// The entry error codes EventBridge documents as retryable; any other code (access
// denied, malformed detail, ...) fails the entry at once.
var retryableCodes = map[string]bool{"InternalFailure": true, "ThrottlingException": true}

// entrySize is an entry's size as EventBridge counts it against MaxCallBytes: 14
// bytes for the time, then the bytes of the source, detail-type, detail, resources.
func entrySize(e *types.PutEventsRequestEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	n += len(aws.ToString(e.Source)) + len(aws.ToString(e.DetailType)) + len(aws.ToString(e.Detail))
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// entry is one event to publish, with the index of the record it comes from.
type entry struct {
	record int
	req    types.PutEventsRequestEntry
	size   int
	// lastErr says why the entry's last attempt failed.
	lastErr string
}

// publisher sends entries with PutEvents, retrying failed ones.
type publisher struct {
	client      PutEventsAPI
	attempts    int
	backoffBase time.Duration
	backoffMax  time.Duration
	concurrency int
}

// chunks splits entries into calls of at most MaxEntriesPerCall entries and
// MaxCallBytes, in order. Every entry fits in a call on its own (the detail
// encoder makes sure of it).
func chunks(entries []*entry) [][]*entry {
	var out [][]*entry
	var cur []*entry
	size := 0
	for _, e := range entries {
		if len(cur) == MaxEntriesPerCall || (len(cur) > 0 && size+e.size > MaxCallBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, e)
		size += e.size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// publish sends every entry and returns those that could not be published: after
// the bounded retries of retryable failures, at once for the others, and every
// entry still pending when ctx ends.
func (p *publisher) publish(ctx context.Context, entries []*entry) (failed []*entry) {
	pending := entries
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt > 0 {
			if attempt >= p.attempts || !p.sleep(ctx, attempt) {
				return append(failed, pending...)
			}
		}
		retry, final := p.send(ctx, pending)
		failed = append(failed, final...)
		pending = retry
	}
	return failed
}

// send makes one attempt for every entry, up to concurrency calls at a time. It
// returns the entries to try again and those that failed for good.
func (p *publisher) send(ctx context.Context, entries []*entry) (retry, final []*entry) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, p.concurrency)
	for _, call := range chunks(entries) {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r, f := p.call(ctx, call)
			mu.Lock()
			retry, final = append(retry, r...), append(final, f...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return retry, final
}

// call sends one PutEvents request.
func (p *publisher) call(ctx context.Context, call []*entry) (retry, final []*entry) {
	in := &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(call))}
	for i, e := range call {
		in.Entries[i] = e.req
	}
	out, err := p.client.PutEvents(ctx, in)
	if err == nil && len(out.Entries) != len(call) {
		err = fmt.Errorf("PutEvents answered %d entries for %d", len(out.Entries), len(call))
	}
	if err != nil {
		// The SDK has retried the request itself; an error here (throttled, the
		// network, the deadline) is for all its entries, and may pass.
		for _, e := range call {
			e.lastErr = err.Error()
		}
		if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, call
		}
		return call, nil
	}
	for i, r := range out.Entries {
		if r.ErrorCode == nil {
			continue
		}
		e := call[i]
		e.lastErr = *r.ErrorCode + ": " + aws.ToString(r.ErrorMessage)
		if retryableCodes[*r.ErrorCode] {
			retry = append(retry, e)
		} else {
			final = append(final, e)
		}
	}
	return retry, final
}

// sleep waits before retry number attempt (exponential backoff with full jitter) and
// reports false when ctx ends first.
func (p *publisher) sleep(ctx context.Context, attempt int) bool {
	d := p.backoffBase << min(attempt-1, 20)
	if d > p.backoffMax || d <= 0 {
		d = p.backoffMax
	}
	d = time.Duration(rand.Int64N(int64(d)) + 1)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
