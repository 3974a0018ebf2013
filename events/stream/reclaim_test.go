package stream_test

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/smithy-go"

	"github.com/kvlambda/kvlambda/events/stream"
)

// markerRemoval is the record of DynamoDB's TTL deleting the reclaim marker of key's
// sorted data expiring at x (Unix ms); wrap it in expired.
func markerRemoval(seq, key string, x int64) lambdaevents.DynamoDBEventRecord {
	rk := string(binary.BigEndian.AppendUint64([]byte("x"), uint64(x)))
	keys := image{"hk": b(key), "rk": b(rk)}
	return record(seq, "REMOVE", keys, with(keys, image{"ttl": lambdaevents.NewNumberAttribute("1700000001")}), nil)
}

// fakeReclaimer records its calls and answers with err for the keys it names.
type fakeReclaimer struct {
	mu    sync.Mutex
	calls []string
	errs  map[string]error
}

func (f *fakeReclaimer) ReclaimExpired(_ context.Context, key string, x int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, key)
	if x != 1700000000123 {
		return 0, errors.New("wrong expiry")
	}
	return 3, f.errs[key]
}

func TestReclaimsExpiredSortedData(t *testing.T) {
	f := &fakeEventBridge{}
	r := &fakeReclaimer{errs: map[string]error{
		"throttled": &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"},
		"denied":    &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"},
	}}
	h, logs := newHandler(t, f, stream.Config{Reclaimer: r})
	ev := lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{
		expired(markerRemoval("1", "ok", 1700000000123)),
		expired(markerRemoval("2", "throttled", 1700000000123)),
		expired(markerRemoval("3", "denied", 1700000000123)),
		markerRemoval("4", "user-deleted", 1700000000123), // not DynamoDB's TTL: nothing
		expired(zrem("5", "board", "bob", "bob", 3)),      // a reclaimed member: nothing
		expired(delString("6", "session", "x")),
	}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(r.calls)
	if want := []string{"denied", "ok", "throttled"}; !slices.Equal(r.calls, want) {
		t.Errorf("reclaimed %v, want %v", r.calls, want)
	}
	// Only the retryable failure fails its record, whose event waits for the retry.
	if got := failures(resp); !slices.Equal(got, []string{"2"}) {
		t.Errorf("failures %v, want [2]\n%s", got, logs)
	}
	want := []string{`{"op":"expired","key":"ok"}`, `{"op":"expired","key":"denied"}`, `{"op":"expired","key":"session"}`}
	if got := f.details(); !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("published\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(logs.String(), "expired sorted data not reclaimed") || !strings.Contains(logs.String(), `"members":3`) {
		t.Errorf("log:\n%s", logs)
	}
}

func TestReclaimStopsWithTheInvocation(t *testing.T) {
	f := &fakeEventBridge{}
	r := &fakeReclaimer{errs: map[string]error{"k": context.DeadlineExceeded}}
	h, _ := newHandler(t, f, stream.Config{Reclaimer: r})
	resp, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{
		expired(markerRemoval("7", "k", 1700000000123)),
	}})
	if err != nil || !slices.Equal(failures(resp), []string{"7"}) || len(f.details()) != 0 {
		t.Errorf("Handle = %v, %v, published %v; want record 7 failed, nothing published", failures(resp), err, f.details())
	}
}
