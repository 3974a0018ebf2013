package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/kvlambda/kvlambda/kvstore/memory
cpu: AMD EPYC
BenchmarkZAdd1M-2            	  659566	      1525 ns/op	        85.48 heapMB	     103 B/op	       5 allocs/op
BenchmarkZAdd1M-2            	  659566	      2500 ns/op	        85.48 heapMB	     103 B/op	       5 allocs/op
BenchmarkZAdd1M-2            	  659566	      1000 ns/op	        85.48 heapMB	     103 B/op	       5 allocs/op
BenchmarkGet1-2              	 9020204	       128.6 ns/op	      16 B/op	       1 allocs/op
--- SKIP: BenchmarkSomething
    bench_test.go:10: no server
PASS
pkg: github.com/kvlambda/kvlambda/internal/bench
BenchmarkDynamoDB/delay=10ms/op=BatchSet1000/impl=kvstore-2   	       2	 500000000 ns/op	  40.00 requests/op
BenchmarkDynamoDB/delay=10ms/op=BatchSet1000/impl=sdk-2       	       3	 400000000 ns/op	  40.00 requests/op
BenchmarkDynamoDB/delay=10ms/op=BatchGet1000/impl=kvstore-2   	       2	 100000000 ns/op	  10.00 requests/op
BenchmarkDynamoDB/delay=10ms/op=BatchGet1000/impl=sdk-2       	       3	 100000000 ns/op	  10.00 requests/op
`

func TestParse(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rs.All()); n != 6 {
		t.Errorf("%d results, want 6", n)
	}
	z := rs.Get("kvstore/memory", "BenchmarkZAdd1M")
	if z == nil {
		t.Fatal("BenchmarkZAdd1M not found by its package's path suffix")
	}
	if m, ok := z.Median("ns/op"); !ok || m != 1525 {
		t.Errorf("median of 1525, 2500, 1000 = %v, %v", m, ok)
	}
	if _, ok := z.Median("requests/op"); ok {
		t.Error("a median of a unit never reported")
	}
	if rs.Get("internal/bench", "BenchmarkZAdd1M") != nil {
		t.Error("a result found under another package")
	}
	if rs.Get("bench", "BenchmarkDynamoDB/delay=10ms/op=BatchSet1000/impl=sdk") == nil {
		t.Error("a sub-benchmark's result not found")
	}
}

func TestReportTargets(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	rows := Report(rs, 10*time.Millisecond)
	find := func(measure string) Row {
		t.Helper()
		for _, r := range rows {
			if r.Measure == measure {
				return r
			}
		}
		t.Fatalf("no row %q", measure)
		return Row{}
	}
	if r := find("1M sorted set: ZAdd"); !r.Met() || r.Kvstore != "1.52 µs" {
		t.Errorf("ZAdd of 1.525 µs against <= 2 µs: %+v", r)
	}
	if r := find("Batch of 1,000 Sets, +10 ms"); r.Met() || r.Result != "MISSED: 1.25x" {
		t.Errorf("a 1.25x batch write against <= 1.2x: %+v", r)
	}
	if r := find("Batch of 1,000 Gets, +10 ms"); !r.Met() {
		t.Errorf("a 1.00x batch read of 10 requests against <= 1.1x: %+v", r)
	}
	if r := find("GET on memory, loopback HTTP"); r.Result != "n/a" || !r.Missed() {
		t.Errorf("a target without its figure: %+v", r)
	}
	var out bytes.Buffer
	if err := Print(&out, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "MISSED: 1.25x") || !strings.Contains(out.String(), "targets met") {
		t.Errorf("table:\n%s", out.String())
	}
}

func TestParseCapacity(t *testing.T) {
	for _, tc := range []struct {
		api, body   string
		read, write float64
	}{
		{"GetItem", `{"Item":{},"ConsumedCapacity":{"TableName":"t","CapacityUnits":0.5}}`, 0.5, 0},
		{"PutItem", `{"ConsumedCapacity":{"TableName":"t","CapacityUnits":2}}`, 0, 2},
		{"BatchGetItem", `{"ConsumedCapacity":[{"CapacityUnits":50},{"CapacityUnits":50}]}`, 100, 0},
		{"TransactWriteItems", `{"ConsumedCapacity":[{"CapacityUnits":4,"WriteCapacityUnits":4}]}`, 0, 4},
		{"GetItem", `{"Item":{}}`, 0, 0},
	} {
		c, err := ParseCapacity(tc.api, []byte(tc.body))
		if err != nil || c.Read != tc.read || c.Write != tc.write {
			t.Errorf("%s %s = %+v, %v; want %v read, %v write", tc.api, tc.body, c, err, tc.read, tc.write)
		}
	}
	if _, err := ParseCapacity("GetItem", []byte("not json")); err == nil {
		t.Error("no error for a body that is not JSON")
	}
}
