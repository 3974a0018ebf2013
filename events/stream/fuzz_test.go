package stream_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/kvlambda/kvlambda/events/bus"
	"github.com/kvlambda/kvlambda/events/stream"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// acceptAll is a PutEvents API that accepts every entry and keeps their details.
type acceptAll struct {
	mu      sync.Mutex
	details []string
}

func (a *acceptAll) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := &eventbridge.PutEventsOutput{}
	for _, e := range in.Entries {
		a.details = append(a.details, aws.ToString(e.Detail))
		out.Entries = append(out.Entries, types.PutEventsResultEntry{EventId: aws.String("id")})
	}
	return out, nil
}

// FuzzHandle feeds the stream handler a batch made of any record (as Lambda would
// deliver it, decoded from JSON) followed by the same record again (streams deliver
// at least once): no panic, no error; a record that cannot be decoded is reported
// as failed, never dropped; when nothing failed, every change but a marker's was
// published, as JSON with an op and a key.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		`{"eventName":"INSERT","dynamodb":{"SequenceNumber":"1","Keys":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="}},"NewImage":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="},"t":{"B":"c3Ry"},"v":{"B":"eA=="}}}}`,
		`{"eventName":"MODIFY","dynamodb":{"SequenceNumber":"2","Keys":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="}},"OldImage":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="},"t":{"B":"c2V0"},"s":{"BS":["YQ=="]}},"NewImage":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="},"t":{"B":"c2V0"},"s":{"BS":["Yg=="]}}}}`,
		`{"eventName":"REMOVE","userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},"dynamodb":{"SequenceNumber":"3","Keys":{"hk":{"B":"aw=="},"rk":{"B":"em0="}},"OldImage":{"hk":{"B":"aw=="},"rk":{"B":"em0="},"rk2":{"B":"v/AAAAAAAABt"}}}}`,
		`{"eventName":"INSERT","dynamodb":{"SequenceNumber":"4","Keys":{"hk":{"B":"aw=="}}}}`,
		`{"eventName":"INSERT","dynamodb":{"SequenceNumber":"5","Keys":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="}},"NewImage":{"t":{"B":"c3Ry"`,
		`{"eventName":"BOGUS"}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec lambdaevents.DynamoDBEventRecord
		if json.Unmarshal(data, &rec) != nil {
			return // Lambda would not deliver it
		}
		second := rec
		second.Change.SequenceNumber += "-again"
		ev := lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{rec, second}}
		eb := &acceptAll{}
		h, err := stream.New(stream.Config{Client: eb, Attempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := h.Handle(context.Background(), ev)
		if err != nil {
			t.Fatalf("Handle returned an error: %v", err)
		}
		changes, decodeErr := kvdynamodb.DecodeStreamRecord(rec)
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		if decodeErr != nil {
			if !failed[rec.Change.SequenceNumber] || !failed[second.Change.SequenceNumber] {
				t.Fatalf("a record that cannot be decoded (%v) was not reported: failures %v", decodeErr, resp.BatchItemFailures)
			}
			return
		}
		if len(resp.BatchItemFailures) > 0 {
			return // reported, so Lambda retries it
		}
		published := 0
		for _, c := range changes {
			if !bus.IsMarkerKey(c.Key) {
				published++
			}
		}
		if len(eb.details) < 2*published {
			t.Fatalf("%d events published for 2 × %d changes", len(eb.details), published)
		}
		for _, d := range eb.details {
			var detail struct{ Op, Key string }
			if err := json.Unmarshal([]byte(d), &detail); err != nil || detail.Op == "" {
				t.Fatalf("detail %s: %v", d, err)
			}
		}
	})
}
