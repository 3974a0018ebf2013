package profile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/kvstore/profile"
)

// lineBuffer collects what Flush writes.
type lineBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lineBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.TrimSuffix(l.buf.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// emfDoc is the structure of an Embedded Metric Format line, for checking.
type emfDoc struct {
	AWS struct {
		Timestamp         *int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

// parseEMF checks that line is one valid EMF document and returns its top level.
func parseEMF(t *testing.T, line string) map[string]any {
	t.Helper()
	var doc emfDoc
	if err := json.Unmarshal([]byte(line), &doc); err != nil {
		t.Fatalf("line is not JSON: %v\n%s", err, line)
	}
	var top map[string]any
	if err := json.Unmarshal([]byte(line), &top); err != nil {
		t.Fatal(err)
	}
	if doc.AWS.Timestamp == nil {
		t.Fatalf("no _aws.Timestamp in %s", line)
	}
	if ts := time.UnixMilli(*doc.AWS.Timestamp); time.Since(ts).Abs() > time.Minute {
		t.Errorf("timestamp %v is not now", ts)
	}
	if len(doc.AWS.CloudWatchMetrics) == 0 {
		t.Fatalf("no CloudWatchMetrics in %s", line)
	}
	units := map[string]bool{"Count": true, "Milliseconds": true}
	for _, d := range doc.AWS.CloudWatchMetrics {
		if d.Namespace == "" {
			t.Error("directive without a namespace")
		}
		if len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			t.Errorf("directive with %d metrics, want 1 to 100", len(d.Metrics))
		}
		if len(d.Dimensions) == 0 {
			t.Error("directive without a dimension set")
		}
		for _, set := range d.Dimensions {
			for _, dim := range set {
				if _, ok := top[dim].(string); !ok {
					t.Errorf("dimension %q has no string value at the top level", dim)
				}
			}
		}
		for _, m := range d.Metrics {
			if _, ok := top[m.Name].(float64); !ok {
				t.Errorf("metric %q has no numeric value at the top level", m.Name)
			}
			if !units[m.Unit] {
				t.Errorf("metric %q has unit %q", m.Name, m.Unit)
			}
		}
	}
	return top
}

func TestFlushWritesEMF(t *testing.T) {
	var out lineBuffer
	p := profile.New(profile.WithWriter(&out), profile.WithNamespace("test-ns"), profile.WithDimension("Stage", "dev"))
	p.ProfileOperation("Get", 2*time.Millisecond, nil)
	p.ProfileOperation("Get", 4*time.Millisecond, fmt.Errorf("x"))
	p.ProfileOperation("Batch.Exec", 10*time.Millisecond, nil)
	p.ProfileDynamoDBRequest("GetItem", 3*time.Millisecond, 0.5, 0, nil)
	p.ProfileDynamoDBRequest("PutItem", 3*time.Millisecond, 0, 1, nil)
	p.ProfileRedisRoundTrip([]string{"GET", "SET"}, time.Millisecond, nil)
	p.ProfileCacheRead("Get", true)
	p.ProfileCacheRead("HGet", false)
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := out.lines()
	if len(lines) != 1 {
		t.Fatalf("Flush wrote %d lines, want 1", len(lines))
	}
	top := parseEMF(t, lines[0])
	var doc emfDoc
	_ = json.Unmarshal([]byte(lines[0]), &doc)
	d := doc.AWS.CloudWatchMetrics[0]
	if d.Namespace != "test-ns" || fmt.Sprint(d.Dimensions) != "[[Stage]]" || top["Stage"] != "dev" {
		t.Errorf("namespace %q dimensions %v Stage %v", d.Namespace, d.Dimensions, top["Stage"])
	}
	want := map[string]float64{
		"Get.Count": 2, "Get.Errors": 1, "Get.TotalLatency": 6, "Get.MaxLatency": 4,
		"Batch.Exec.Count": 1, "Batch.Exec.Errors": 0, "Batch.Exec.TotalLatency": 10,
		"DynamoDB.GetItem.Count": 1, "DynamoDB.GetItem.ReadCapacityUnits": 0.5,
		"DynamoDB.PutItem.WriteCapacityUnits": 1, "DynamoDB.ReadCapacityUnits": 0.5,
		"DynamoDB.WriteCapacityUnits": 1, "Redis.RoundTrips": 1, "Redis.Commands": 2,
		"Redis.Command.GET": 1, "Redis.TotalLatency": 1, "Cache.Hits": 1, "Cache.Misses": 1,
	}
	for name, v := range want {
		if top[name] != v {
			t.Errorf("%s = %v, want %v", name, top[name], v)
		}
	}
	hist, ok := top["LatencyHistograms"].(map[string]any)
	if !ok {
		t.Fatalf("no LatencyHistograms in %s", lines[0])
	}
	get, _ := hist["Get"].([]any)
	bounds, _ := top["LatencyHistogramBoundsMs"].([]any)
	if len(get) != profile.NumBuckets || len(bounds) != profile.NumBuckets-1 {
		t.Errorf("histogram of %d counts and %d bounds, want %d and %d", len(get), len(bounds), profile.NumBuckets, profile.NumBuckets-1)
	}

	// Flush reset the profiler: a second Flush has nothing to write.
	if !p.Snapshot().Empty() {
		t.Error("Flush did not reset the profiler")
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(out.lines()) != 1 {
		t.Error("a Flush with nothing collected wrote a line")
	}
}

func TestFlushSplitsDirectivesBeyond100Metrics(t *testing.T) {
	var out lineBuffer
	p := profile.New(profile.WithWriter(&out))
	for i := range 40 { // 40 operations of 4 metrics each: 160 metrics
		p.ProfileOperation(fmt.Sprintf("Op%02d", i), time.Millisecond, nil)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := out.lines()
	if len(lines) != 1 {
		t.Fatalf("Flush wrote %d lines, want 1", len(lines))
	}
	parseEMF(t, lines[0])
	var doc emfDoc
	_ = json.Unmarshal([]byte(lines[0]), &doc)
	total := 0
	for _, d := range doc.AWS.CloudWatchMetrics {
		total += len(d.Metrics)
	}
	if len(doc.AWS.CloudWatchMetrics) != 2 || total != 160 {
		t.Errorf("%d directives with %d metrics, want 2 with 160", len(doc.AWS.CloudWatchMetrics), total)
	}
}

func TestDefaultDimensions(t *testing.T) {
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "my-fn")
	var out lineBuffer
	p := profile.New(profile.WithWriter(&out))
	p.ProfileOperation("Get", time.Millisecond, nil)
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	top := parseEMF(t, out.lines()[0])
	if top["FunctionName"] != "my-fn" {
		t.Errorf("FunctionName = %v, want my-fn", top["FunctionName"])
	}
	var doc emfDoc
	_ = json.Unmarshal([]byte(out.lines()[0]), &doc)
	if d := doc.AWS.CloudWatchMetrics[0]; d.Namespace != profile.DefaultNamespace || fmt.Sprint(d.Dimensions) != "[[FunctionName]]" {
		t.Errorf("namespace %q dimensions %v", d.Namespace, d.Dimensions)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestFlushReportsWriteErrors(t *testing.T) {
	p := profile.New(profile.WithWriter(failingWriter{}))
	p.ProfileOperation("Get", time.Millisecond, nil)
	if err := p.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Flush = %v, want the writer's error", err)
	}
}
