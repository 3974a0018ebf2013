package stream_test

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// fakeEventBridge stands in for the PutEvents API in unit tests: it records every
// call and the entries it accepted, and fails the entries (or calls) that fail says.
type fakeEventBridge struct {
	mu        sync.Mutex
	calls     [][]types.PutEventsRequestEntry
	published []types.PutEventsRequestEntry
	attempts  map[string]int // by detail
	// failEntry returns the error code for an entry on its n-th attempt (1-based), or "".
	failEntry func(detail string, n int) string
	// failCall, when it returns an error, fails the whole n-th call (1-based).
	failCall func(n int) error
}

func (f *fakeEventBridge) PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attempts == nil {
		f.attempts = map[string]int{}
	}
	f.calls = append(f.calls, in.Entries)
	if f.failCall != nil {
		if err := f.failCall(len(f.calls)); err != nil {
			return nil, err
		}
	}
	out := &eventbridge.PutEventsOutput{}
	for _, e := range in.Entries {
		d := aws.ToString(e.Detail)
		f.attempts[d]++
		code := ""
		if f.failEntry != nil {
			code = f.failEntry(d, f.attempts[d])
		}
		if code != "" {
			out.FailedEntryCount++
			out.Entries = append(out.Entries, types.PutEventsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("injected")})
			continue
		}
		f.published = append(f.published, e)
		out.Entries = append(out.Entries, types.PutEventsResultEntry{EventId: aws.String("evt")})
	}
	return out, nil
}

func (f *fakeEventBridge) details() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.published))
	for i, e := range f.published {
		out[i] = aws.ToString(e.Detail)
	}
	return out
}

var errUnavailable = errors.New("service unavailable")
