package functions_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/kvlambda/kvlambda/events/bus"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// TestStream writes through the DynamoDB backend to DynamoDB Local, reads the real
// stream records back, hands them to the stream function as Lambda would, and
// checks the events it publishes to a local EventBridge stand-in that fails some
// entries: their records, and a record that cannot be decoded, are reported as batch
// item failures. The sample event of make invoke goes through the same function.
func TestStream(t *testing.T) {
	requireEmulator(t)
	endpoint := testservers.DynamoDBLocal(t)
	ddb := testservers.NewDynamoDBClient(t, endpoint)
	table := testservers.NewDynamoDBTable(t, ddb)
	store := kvdynamodb.NewBackend(ddb, table)
	ctx := context.Background()

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.Set(ctx, "greeting", "hello"))
	_, err := store.NIncrBy(ctx, "visits", 1)
	must(err)
	_, err = store.NIncrBy(ctx, "visits", 1)
	must(err)
	must(store.SAdd(ctx, "tags", "b", "a"))
	must(store.SRem(ctx, "tags", "a"))
	must(store.HSet(ctx, "user", "name", "Ann", kvstore.KeyValue{Key: "age", Value: "7"}))
	must(store.HDel(ctx, "user", "age"))
	must(store.ZAdd(ctx, "board", "ann", 1.5))
	must(store.ZHAdd(ctx, "byid", "id1", "ann", 2))
	must(store.ZRem(ctx, "board", "ann"))
	_, err = store.Delete(ctx, "greeting")
	must(err)
	must(store.Set(ctx, "fail-me", "x"))
	must(store.Set(ctx, "denied", "x"))
	must(store.Set(ctx, "bin\xff", "v"))
	// The bus function's write: a value and the event's marker, in one transaction.
	h, err := bus.New(bus.Config{Backend: store})
	must(err)
	res, err := h.Apply(ctx, lambdaevents.EventBridgeEvent{ID: "ev-1", DetailType: bus.DetailType, Detail: json.RawMessage(`{"commands":[["SET","from-bus","1"]]}`)})
	if err != nil || res.Outcome != bus.Applied {
		t.Fatalf("bus: %+v %v", res, err)
	}
	must(store.Set(ctx, "last", "."))

	records := readStream(t, endpoint, ddb, table, "last")
	// A record that cannot be decoded: an item of the table that is neither a value
	// nor a sorted member.
	bad := records[0]
	bad.Change.SequenceNumber = "99999999999999999999999"
	bad.Change.Keys = map[string]lambdaevents.DynamoDBAttributeValue{"hk": lambdaevents.NewBinaryAttribute([]byte("k")), "rk": lambdaevents.NewBinaryAttribute([]byte("?"))}
	bad.Change.NewImage = map[string]lambdaevents.DynamoDBAttributeValue{"hk": bad.Change.Keys["hk"], "rk": bad.Change.Keys["rk"]}
	records = append(records, bad)
	batch, err := json.Marshal(lambdaevents.DynamoDBEvent{Records: records})
	must(err)

	eb := startLocalEventBridge(t, func(e putEventsEntry) string {
		switch {
		case strings.Contains(e.Detail, `"key":"fail-me"`):
			return "InternalFailure" // retryable: tried again, then reported
		case strings.Contains(e.Detail, `"key":"denied"`):
			return "AccessDeniedException" // not retryable: reported at once
		}
		return ""
	})
	fn := startFunction(t, "stream", map[string]string{
		"AWS_ENDPOINT_URL_EVENTBRIDGE": eb.URL,
		"KVLAMBDA_EVENT_BUS":           "kvlambda-test-bus",
	})
	var resp lambdaevents.DynamoDBEventResponse
	must(json.Unmarshal(fn.mustInvoke(batch), &resp))
	fn.checkColdStart("stream", true)

	var wantFailed []string
	for _, r := range records {
		hk := string(r.Change.Keys["hk"].Binary())
		if hk == "fail-me" || hk == "denied" || r.Change.SequenceNumber == bad.Change.SequenceNumber {
			wantFailed = append(wantFailed, r.Change.SequenceNumber)
		}
	}
	var gotFailed []string
	for _, f := range resp.BatchItemFailures {
		gotFailed = append(gotFailed, f.ItemIdentifier)
	}
	if len(wantFailed) != 3 || !slices.Equal(gotFailed, wantFailed) {
		t.Errorf("batch item failures %v, want %v", gotFailed, wantFailed)
	}

	published := eb.published()
	var details []string
	for _, e := range published {
		details = append(details, e.Detail)
		if e.Source != "kvlambda" || e.DetailType != "kvstore.change" || e.EventBusName != "kvlambda-test-bus" || e.Time == nil ||
			time.Since(time.Unix(int64(*e.Time), 0)) > 10*time.Minute {
			t.Errorf("entry %+v", e)
		}
	}
	want := []string{
		`{"op":"set","key":"greeting","value":"hello"}`,
		`{"op":"set","key":"visits","value":"1"}`,
		`{"op":"set","key":"visits","value":"2"}`,
		`{"op":"sadd","key":"tags","members":["a","b"]}`,
		`{"op":"srem","key":"tags","members":["a"]}`,
		`{"op":"hset","key":"user","fields":{"age":"7","name":"Ann"}}`,
		`{"op":"hdel","key":"user","fields":["age"]}`,
		`{"op":"zadd","key":"board","member":"ann","score":"1.5"}`,
		`{"op":"zhadd","key":"byid","field":"id1","member":"ann","score":"2"}`,
		`{"op":"zrem","key":"board","member":"ann"}`,
		`{"op":"del","key":"greeting"}`,
		`{"op":"set","key":"Ymlu/w==","value":"dg==","base64":true}`,
		`{"op":"set","key":"from-bus","value":"1"}`,
		`{"op":"set","key":"last","value":"."}`,
	}
	slices.Sort(details)
	slices.Sort(want)
	if !slices.Equal(details, want) {
		t.Errorf("published\n  %s\nwant\n  %s", strings.Join(details, "\n  "), strings.Join(want, "\n  "))
	}
	logs := fn.emu.Logs()
	for _, s := range []string{`"msg":"stream record cannot be decoded"`, `"marker_changes_skipped":1`, `InternalFailure`, `AccessDeniedException`} {
		if !strings.Contains(logs, s) {
			t.Errorf("logs lack %s", s)
		}
	}

	// The sample event of make invoke.
	before := len(published)
	must(json.Unmarshal(fn.mustInvoke(readEvent(t, "stream.json")), &resp))
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("sample: failures %+v", resp.BatchItemFailures)
	}
	details = nil
	for _, e := range eb.published()[before:] {
		details = append(details, e.Detail)
	}
	wantSample := []string{
		`{"op":"set","key":"greeting","value":"hello from the stream"}`,
		`{"op":"set","key":"orders:count","value":"2"}`,
		`{"op":"sadd","key":"tags","members":["blue","green"]}`,
		`{"op":"hset","key":"order:1001","fields":{"status":"paid","total":"42.50"}}`,
		`{"op":"zadd","key":"leaderboard","member":"ann","score":"42.5"}`,
		`{"op":"del","key":"greeting"}`,
	}
	slices.Sort(details)
	slices.Sort(wantSample)
	if !slices.Equal(details, wantSample) {
		t.Errorf("sample published\n  %s\nwant\n  %s", strings.Join(details, "\n  "), strings.Join(wantSample, "\n  "))
	}
}
