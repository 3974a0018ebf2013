package stream_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/kvlambda/kvlambda/events/stream"
)

func newHandler(t *testing.T, f *fakeEventBridge, cfg stream.Config) (*stream.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	cfg.Client = f
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 5*time.Millisecond
	}
	h, err := stream.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

func failures(resp lambdaevents.DynamoDBEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func TestPublishesEveryChange(t *testing.T) {
	f := &fakeEventBridge{}
	h, logs := newHandler(t, f, stream.Config{EventBus: "kv-bus"})
	ev := lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{
		setString("100", "greeting", "hello <&>"),
		setCounter("101", "visits", "42"),
		delString("102", "greeting", "hello"),
		sadd("103", "tags", "b", "a"),
		hset("104", "user", map[string]string{"name": "Ann", "age": "7"}),
		zadd("105", "board", "ann", "ann", 1.5),
		zadd("106", "byid", "id1", "ann", 1e21),
		zrem("107", "board", "ann", "ann", 1.5),
		zrem("108", "byid", "id1", "ann", 2),
		setString("109", "kvlambda:event:abc", `{"outcome":"applied"}`),
		setString("110", "bin\xff", "v\x00"),
		expired(delString("111", "session", "x")),
		expired(markerRemoval("112", "board", 1700000000123)),
		expired(zrem("113", "board", "bob", "bob", 3)), // reclamation: no event
	}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failures(resp); len(got) != 0 {
		t.Fatalf("failures %v\n%s", got, logs)
	}
	want := []string{
		`{"op":"set","key":"greeting","value":"hello <&>"}`,
		`{"op":"set","key":"visits","value":"42"}`,
		`{"op":"del","key":"greeting"}`,
		`{"op":"sadd","key":"tags","members":["a","b"]}`,
		`{"op":"hset","key":"user","fields":{"age":"7","name":"Ann"}}`,
		`{"op":"zadd","key":"board","member":"ann","score":"1.5"}`,
		`{"op":"zhadd","key":"byid","field":"id1","member":"ann","score":"1e+21"}`,
		`{"op":"zrem","key":"board","member":"ann"}`,
		`{"op":"zhrem","key":"byid","field":"id1"}`,
		`{"op":"set","key":"Ymlu/w==","value":"dgA=","base64":true}`,
		`{"op":"expired","key":"session"}`,
		`{"op":"expired","key":"board"}`,
	}
	if got := f.details(); !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("published\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range f.published {
		if aws.ToString(e.Source) != "kvlambda" || aws.ToString(e.DetailType) != "kvstore.change" ||
			aws.ToString(e.EventBusName) != "kv-bus" || !aws.ToTime(e.Time).Equal(recordTime) {
			t.Errorf("entry %+v", e)
		}
	}
	if !strings.Contains(logs.String(), `"marker_changes_skipped":1`) || !strings.Contains(logs.String(), `"events":12`) {
		t.Errorf("log:\n%s", logs)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestDefaultBus(t *testing.T) {
	f := &fakeEventBridge{}
	h, _ := newHandler(t, f, stream.Config{})
	if _, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{setString("1", "k", "v")}}); err != nil {
		t.Fatal(err)
	}
	if len(f.published) != 1 || f.published[0].EventBusName != nil {
		t.Errorf("published %+v", f.published)
	}
}

func TestCallsHoldTenEntriesAndFitTheSizeLimit(t *testing.T) {
	f := &fakeEventBridge{}
	h, _ := newHandler(t, f, stream.Config{})
	var recs []lambdaevents.DynamoDBEventRecord
	for i := range 23 {
		recs = append(recs, setString(fmt.Sprint(1000+i), fmt.Sprintf("k%d", i), "v"))
	}
	big := strings.Repeat("x", 100_000)
	for i := range 5 {
		recs = append(recs, setString(fmt.Sprint(2000+i), fmt.Sprintf("big%d", i), big))
	}
	resp, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: recs})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%v %v", failures(resp), err)
	}
	if len(f.published) != 28 {
		t.Fatalf("%d published", len(f.published))
	}
	for i, call := range f.calls {
		size := 0
		for _, e := range call {
			size += 14 + len(*e.Source) + len(*e.DetailType) + len(*e.Detail)
		}
		if len(call) > stream.MaxEntriesPerCall || size > stream.MaxCallBytes {
			t.Errorf("call %d: %d entries, %d bytes", i, len(call), size)
		}
	}
	if len(f.calls) < 5 {
		t.Errorf("%d calls", len(f.calls))
	}
}

func TestLargeChangesAreSplitOrTruncated(t *testing.T) {
	f := &fakeEventBridge{}
	h, _ := newHandler(t, f, stream.Config{})
	var members []string
	for i := range 40 {
		members = append(members, fmt.Sprintf("%02d", i)+strings.Repeat("m", 10_000))
	}
	huge := strings.Repeat("h", 300_000)
	recs := []lambdaevents.DynamoDBEventRecord{
		sadd("1", "bigset", members...),
		setString("2", "bigstring", huge),
		hset("3", "bighash", map[string]string{"small": "1", "huge": huge}),
		zadd("4", "bigzh", "f", huge, 3),
	}
	resp, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: recs})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%v %v", failures(resp), err)
	}
	var gotMembers []string
	var others []string
	for _, d := range f.details() {
		if len(d) > stream.MaxCallBytes-14-len("kvlambda")-len("kvstore.change") {
			t.Errorf("detail of %d bytes", len(d))
		}
		var det stream.Detail
		if err := json.Unmarshal([]byte(d), &det); err != nil {
			t.Fatal(err)
		}
		if det.Op == "sadd" {
			gotMembers = append(gotMembers, det.Members...)
			continue
		}
		if len(d) < 200 {
			others = append(others, d)
		}
	}
	if !slices.Equal(sorted(gotMembers), members) {
		t.Errorf("sadd split lost members: %d of %d", len(gotMembers), len(members))
	}
	wantOthers := []string{
		`{"op":"hset","key":"bighash","fields":{"huge":null},"truncated":true}`,
		`{"op":"hset","key":"bighash","fields":{"small":"1"}}`,
		`{"op":"set","key":"bigstring","truncated":true}`,
		`{"op":"zhadd","key":"bigzh","field":"f","score":"3","truncated":true}`,
	}
	if !slices.Equal(sorted(others), wantOthers) {
		t.Errorf("got\n%s", strings.Join(sorted(others), "\n"))
	}
}

func TestRetriesFailedEntries(t *testing.T) {
	f := &fakeEventBridge{failEntry: func(d string, n int) string {
		if strings.Contains(d, "flaky") && n <= 2 {
			return "ThrottlingException"
		}
		return ""
	}}
	h, _ := newHandler(t, f, stream.Config{})
	recs := []lambdaevents.DynamoDBEventRecord{setString("1", "a", "v"), setString("2", "flaky", "v"), setString("3", "b", "v")}
	resp, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: recs})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%v %v", failures(resp), err)
	}
	if len(f.published) != 3 || len(f.calls) != 3 {
		t.Errorf("%d published in %d calls", len(f.published), len(f.calls))
	}
}

func TestRetriesFailedCalls(t *testing.T) {
	f := &fakeEventBridge{failCall: func(n int) error {
		if n == 1 {
			return errUnavailable
		}
		return nil
	}}
	h, _ := newHandler(t, f, stream.Config{})
	resp, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{setString("1", "a", "v")}})
	if err != nil || len(resp.BatchItemFailures) != 0 || len(f.published) != 1 {
		t.Fatalf("%v %v %d", failures(resp), err, len(f.published))
	}
}

func TestReportsEveryFailedRecord(t *testing.T) {
	f := &fakeEventBridge{failEntry: func(d string, _ int) string {
		switch {
		case strings.Contains(d, `"bad`):
			return "ThrottlingException"
		case strings.Contains(d, `"denied`):
			return "AccessDeniedException"
		}
		return ""
	}}
	h, logs := newHandler(t, f, stream.Config{Attempts: 3})
	recs := []lambdaevents.DynamoDBEventRecord{
		setString("1", "ok1", "v"), setString("2", "bad1", "v"), setString("3", "ok2", "v"),
		undecodable("4"), setString("5", "denied", "v"), setString("6", "bad2", "v"), setString("7", "ok3", "v"),
	}
	resp, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	if got := failures(resp); !slices.Equal(got, []string{"2", "4", "5", "6"}) {
		t.Errorf("failures %v", got)
	}
	if got := sorted(f.details()); !slices.Equal(got, []string{
		`{"op":"set","key":"ok1","value":"v"}`, `{"op":"set","key":"ok2","value":"v"}`, `{"op":"set","key":"ok3","value":"v"}`,
	}) {
		t.Errorf("published %v", got)
	}
	if f.attempts[`{"op":"set","key":"bad1","value":"v"}`] != 3 || f.attempts[`{"op":"set","key":"denied","value":"v"}`] != 1 {
		t.Errorf("attempts %v", f.attempts)
	}
	for _, want := range []string{`"msg":"stream record cannot be decoded","sequence_number":"4"`, `"error":"ThrottlingException: injected"`, `"records_failed":4`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

func TestStopsRetryingBeforeTheDeadline(t *testing.T) {
	f := &fakeEventBridge{failEntry: func(string, int) string { return "InternalFailure" }}
	h, _ := newHandler(t, f, stream.Config{Attempts: 1000, BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond, Reserve: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	resp, err := h.Handle(ctx, lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{setString("1", "a", "v"), setString("2", "b", "v")}})
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("answered after the deadline")
	}
	if got := failures(resp); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("failures %v", got)
	}
}

func TestDryRunPublishesNothing(t *testing.T) {
	var logs bytes.Buffer
	h, err := stream.New(stream.Config{DryRun: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{Records: []lambdaevents.DynamoDBEventRecord{setString("1", "a", "v")}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%v %v", resp, err)
	}
	if !strings.Contains(logs.String(), `"detail":"{\"op\":\"set\",\"key\":\"a\",\"value\":\"v\"}"`) {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestNewNeedsClient(t *testing.T) {
	if _, err := stream.New(stream.Config{}); err == nil {
		t.Error("no error")
	}
}

func TestResponseJSON(t *testing.T) {
	h, _ := newHandler(t, &fakeEventBridge{}, stream.Config{})
	resp, _ := h.Handle(context.Background(), lambdaevents.DynamoDBEvent{})
	b, _ := json.Marshal(resp)
	if string(b) != `{"batchItemFailures":[]}` {
		t.Errorf("%s", b)
	}
}
