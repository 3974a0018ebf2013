package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one line of the report: a measure of kvlambda, the reference it is compared
// with (a raw client, or a baseline), and the target it must meet.
type Row struct {
	Area    string
	Measure string
	Kvstore string // kvlambda's figure
	Ref     string // the reference's figure, when there is one
	Ratio   string // kvstore / reference (time), when both are times
	Trips   string // requests (DynamoDB) or round trips (Redis) per operation: kvstore / reference
	Detail  string // other figures: capacity units, requests in flight, allocations
	Target  string
	Result  string // "met", "MISSED ...", "n/a" (not measured), "" (no target)
}

// Met reports whether the row has a target and meets it.
func (r Row) Met() bool { return r.Result == "met" }

// Missed reports whether the row has a target it does not meet (or could not be
// measured).
func (r Row) Missed() bool { return r.Target != "" && r.Result != "met" }

// Packages whose benchmarks the report reads.
const (
	pkgBench  = "internal/bench"
	pkgMemory = "kvstore/memory"
	pkgRedis  = "kvstore/redis"
)

// Report builds the rows of the report from parsed results. delay is the proxy's
// second delay in BenchmarkDynamoDB (KVLAMBDA_BENCH_DELAY, default 10ms).
func Report(rs *Results, delay time.Duration) []Row {
	var rows []Row
	rows = append(rows, dynamoRows(rs, delay)...)
	rows = append(rows, clientRows(rs)...)
	rows = append(rows, memoryRows(rs)...)
	rows = append(rows, redisRows(rs)...)
	rows = append(rows, dataAPIRows(rs)...)
	rows = append(rows, lambdaRows(rs)...)
	return rows
}

// check is one target of a row: what it says and whether v meets it.
type check struct {
	text string
	ok   bool
	got  string // the figure that misses it
}

// finish sets the row's target and result from its checks; missing data is "n/a".
func finish(r Row, measured bool, checks ...check) Row {
	var texts, missed []string
	for _, c := range checks {
		texts = append(texts, c.text)
		if !c.ok {
			missed = append(missed, c.got)
		}
	}
	r.Target = strings.Join(texts, "; ")
	switch {
	case len(checks) == 0:
	case !measured:
		r.Result = "n/a"
	case len(missed) == 0:
		r.Result = "met"
	default:
		r.Result = "MISSED: " + strings.Join(missed, ", ")
	}
	return r
}

func median(r *Result, unit string) (float64, bool) {
	if r == nil {
		return 0, false
	}
	return r.Median(unit)
}

// dynamoRows compares the DynamoDB backend with the SDK reference at each delay.
func dynamoRows(rs *Results, delay time.Duration) []Row {
	requests := map[string]float64{"Get": 1, "Set": 1, "AtomicWrite25": 1, "AtomicWrite100": 1, "BatchGet1000": 10, "BatchSet1000": 40}
	ratios := map[string]float64{"BatchGet1000": 1.1, "BatchSet1000": 1.2}
	labels := map[string]string{
		"AtomicWrite25": "AtomicWrite of 25 Sets", "AtomicWrite100": "AtomicWrite of 100 Sets",
		"BatchGet1000": "Batch of 1,000 Gets", "BatchSet1000": "Batch of 1,000 Sets",
		"ZRangeByScore": "ZRangeByScore, limit 10",
	}
	var rows []Row
	delays := []time.Duration{0}
	if delay > 0 {
		delays = append(delays, delay)
	}
	for _, d := range delays {
		for _, op := range []string{"Get", "Set", "ZAdd", "ZRangeByScore", "AtomicWrite25", "AtomicWrite100", "BatchGet1000", "BatchSet1000"} {
			name := func(impl string) string {
				return fmt.Sprintf("BenchmarkDynamoDB/delay=%s/op=%s/impl=%s", d, op, impl)
			}
			kv, ref := rs.Get(pkgBench, name("kvstore")), rs.Get(pkgBench, name("sdk"))
			label := labels[op]
			if label == "" {
				label = op
			}
			r := Row{Area: "DynamoDB", Measure: fmt.Sprintf("%s, +%v", label, msString(d))}
			kt, ok1 := median(kv, "ns/op")
			rt, ok2 := median(ref, "ns/op")
			r.Kvstore, r.Ref, r.Ratio = nsString(kt, ok1), nsString(rt, ok2), ratioString(kt, rt, ok1 && ok2)
			kq, ok3 := median(kv, "requests/op")
			rq, ok4 := median(ref, "requests/op")
			r.Trips = pairString(kq, ok3, rq, ok4, "%.3g")
			r.Detail = capacityString(kv, ref) + inFlightString(kv, ref)
			var checks []check
			if want, ok := requests[op]; ok {
				checks = append(checks, check{text: fmt.Sprintf("%g request(s)", want), ok: ok3 && kq <= want+0.005,
					got: fmt.Sprintf("%.3g requests", kq)})
			}
			if want, ok := ratios[op]; ok && d > 0 {
				checks = append(checks, check{text: fmt.Sprintf("<= %.2gx the SDK", want), ok: ok1 && ok2 && kt <= want*rt,
					got: r.Ratio})
			}
			rows = append(rows, finish(r, ok1 && ok3, checks...))
		}
	}
	for _, op := range []string{"BatchGet1000", "BatchSet1000"} {
		kv := rs.Get(pkgBench, "BenchmarkBatchLatency/op="+op+"/impl=kvstore")
		ref := rs.Get(pkgBench, "BenchmarkBatchLatency/op="+op+"/impl=sdk")
		kt, ok1 := median(kv, "ns/op")
		rt, ok2 := median(ref, "ns/op")
		rows = append(rows, Row{Area: "DynamoDB", Measure: fmt.Sprintf("%s, stub server +%s", labels[op], msString(delay)),
			Kvstore: nsString(kt, ok1), Ref: nsString(rt, ok2), Ratio: ratioString(kt, rt, ok1 && ok2),
			Detail: "latency only: no server time"})
	}
	return rows
}

// clientRows compares the backend's client-side cost with the raw SDK call.
func clientRows(rs *Results) []Row {
	var rows []Row
	for _, op := range []string{"Get", "Set"} {
		kv := rs.Get(pkgBench, "BenchmarkClientSide/op="+op+"/impl=kvstore")
		ref := rs.Get(pkgBench, "BenchmarkClientSide/op="+op+"/impl=sdk")
		kt, ok1 := median(kv, "ns/op")
		rt, ok2 := median(ref, "ns/op")
		ka, ok3 := median(kv, "allocs/op")
		ra, ok4 := median(ref, "allocs/op")
		r := Row{Area: "client-side", Measure: op + " on a stub server",
			Kvstore: nsString(kt, ok1), Ref: nsString(rt, ok2), Ratio: ratioString(kt, rt, ok1 && ok2),
			Detail: "allocs/op " + pairString(ka, ok3, ra, ok4, "%.0f")}
		rows = append(rows, finish(r, ok1 && ok2, check{text: "<= 1.10x the SDK", ok: ok1 && ok2 && kt <= 1.10*rt, got: r.Ratio}))
	}
	return rows
}

// memoryRows reads the memory backend's own benchmarks.
func memoryRows(rs *Results) []Row {
	var rows []Row
	limit := func(measure, bench string, max float64) {
		v, ok := median(rs.Get(pkgMemory, bench), "ns/op")
		r := Row{Area: "memory", Measure: measure, Kvstore: nsString(v, ok)}
		rows = append(rows, finish(r, ok, check{text: "<= " + nsString(max, true), ok: ok && v <= max, got: r.Kvstore}))
	}
	limit("1M sorted set: ZAdd", "BenchmarkZAdd1M", 2000)
	limit("1M sorted set: ZRangeByScore, limit 10", "BenchmarkZRangeByScore1M", 2000)
	limit("1M sorted set: ZCount of half", "BenchmarkZCountHalf1M", 50000)
	heap, ok := median(rs.Get(pkgMemory, "BenchmarkZAdd1M"), "heapMB") // MiB
	mb := heap * (1 << 20) / 1e6
	r := Row{Area: "memory", Measure: "1M sorted set: heap in use", Kvstore: fmt.Sprintf("%.1f MB", mb)}
	rows = append(rows, finish(r, ok, check{text: "<= 100 MB", ok: ok && mb <= 100, got: r.Kvstore}))
	for _, op := range []struct {
		name string
		max  float64
	}{{"Get", 150}, {"Set", 300}} {
		limit(op.name+", 1 goroutine", "Benchmark"+op.name+"1", op.max)
		one, ok1 := median(rs.Get(pkgMemory, "Benchmark"+op.name+"1"), "ns/op")
		two, ok2 := median(rs.Get(pkgMemory, "Benchmark"+op.name+"2"), "ns/op")
		r := Row{Area: "memory", Measure: op.name + ", 2 goroutines (ref: 1)", Kvstore: nsString(two, ok2), Ref: nsString(one, ok1),
			Ratio: ratioString(two, one, ok1 && ok2)}
		rows = append(rows, finish(r, ok1 && ok2, check{text: "faster than 1 goroutine", ok: ok1 && ok2 && two < one, got: r.Ratio}))
	}
	return rows
}

// redisRows compares the Redis backend with raw go-redis.
func redisRows(rs *Results) []Row {
	var rows []Row
	for _, c := range []struct{ measure, kv, ref string }{
		{"Batch of 1,000 Sets (ref: pipeline)", "BenchmarkBatchSet1000", "BenchmarkRawPipelineSet1000"},
		{"AtomicWrite of 25 Sets (ref: MULTI/EXEC)", "BenchmarkAtomicWrite25", "BenchmarkRawMultiExec25"},
		{"Get", "BenchmarkGet", "BenchmarkRawGet"},
		{"Get, context with a deadline", "BenchmarkGetWithDeadline", "BenchmarkRawGet"},
		{"Set", "BenchmarkSet", "BenchmarkRawSet"},
		{"Set, context with a deadline", "BenchmarkSetWithDeadline", "BenchmarkRawSet"},
		{"ZAdd", "BenchmarkZAdd", "BenchmarkRawZAdd"},
	} {
		kv, ref := rs.Get(pkgRedis, c.kv), rs.Get(pkgRedis, c.ref)
		kt, ok1 := median(kv, "ns/op")
		rt, ok2 := median(ref, "ns/op")
		kr, ok3 := median(kv, "roundtrips/op")
		rr, ok4 := median(ref, "roundtrips/op")
		r := Row{Area: "Redis", Measure: c.measure, Kvstore: nsString(kt, ok1), Ref: nsString(rt, ok2),
			Ratio: ratioString(kt, rt, ok1 && ok2), Trips: pairString(kr, ok3, rr, ok4, "%.2f")}
		if ok1 && ok2 {
			r.Detail = fmt.Sprintf("throughput %.2fx", rt/kt)
		}
		rows = append(rows, finish(r, ok1 && ok2,
			check{text: ">= 0.95x throughput", ok: ok1 && ok2 && rt/kt >= 0.95, got: r.Detail},
			check{text: "1 round trip", ok: ok3 && kr < 1.05, got: fmt.Sprintf("%.2f round trips", kr)}))
	}
	return rows
}

// dataAPIRows reads the data API's throughput.
func dataAPIRows(rs *Results) []Row {
	var rows []Row
	for _, cmd := range []string{"GET", "SET"} {
		v, ok := median(rs.Get(pkgBench, "BenchmarkDataAPI/cmd="+cmd), "requests/s")
		r := Row{Area: "data API", Measure: cmd + " on memory, loopback HTTP", Kvstore: fmt.Sprintf("%.0f req/s", v)}
		if !ok {
			r.Kvstore = "-"
		}
		rows = append(rows, finish(r, ok, check{text: ">= 10,000 req/s", ok: ok && v >= 10000, got: r.Kvstore}))
	}
	return rows
}

// lambdaRows compares each function's bootstrap with the hello-world function.
func lambdaRows(rs *Results) []Row {
	hello := rs.Get(pkgBench, "BenchmarkLambda/fn=hello")
	helloSize, okHS := median(hello, "bootstrap-MB")
	helloInit, okHI := median(hello, "init-ms")
	var rows []Row
	for _, fn := range []string{"api", "bus", "stream"} {
		res := rs.Get(pkgBench, "BenchmarkLambda/fn="+fn)
		size, ok1 := median(res, "bootstrap-MB")
		r := Row{Area: "Lambda", Measure: fn + ": bootstrap size (linux/arm64)", Kvstore: mbString(size, ok1), Ref: mbString(helloSize, okHS),
			Ratio: ratioString(size, helloSize, ok1 && okHS), Detail: "ref: hello-world"}
		if res == nil {
			r.Detail = "not built (work in progress?)"
		}
		rows = append(rows, finish(r, ok1, check{text: "<= 12 MB", ok: ok1 && size <= 12, got: r.Kvstore}))
		init, ok2 := median(res, "init-ms")
		r = Row{Area: "Lambda", Measure: fn + ": init under the emulator", Kvstore: msFloat(init, ok2), Ref: msFloat(helloInit, okHI),
			Ratio: ratioString(init, helloInit, ok2 && okHI), Detail: "ref: hello-world"}
		rows = append(rows, finish(r, ok2 && okHI, check{text: "<= 2x hello-world", ok: ok2 && okHI && init <= 2*helloInit, got: r.Ratio}))
	}
	return rows
}

// Print writes the rows as one aligned table, then a line counting the targets met.
func Print(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AREA\tMEASURE\tKVLAMBDA\tREFERENCE\tRATIO\tREQ/OP\tDETAIL\tTARGET\tRESULT")
	met, targets := 0, 0
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Area, r.Measure, dash(r.Kvstore), dash(r.Ref),
			dash(r.Ratio), dash(r.Trips), dash(r.Detail), dash(r.Target), dash(r.Result))
		if r.Target != "" {
			targets++
			if r.Met() {
				met++
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d of %d targets met\n", met, targets)
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// nsString formats a duration in nanoseconds with three significant digits.
func nsString(ns float64, ok bool) string {
	switch {
	case !ok:
		return ""
	case ns < 1e3:
		return fmt.Sprintf("%.3g ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	}
	return fmt.Sprintf("%.3g s", ns/1e9)
}

func msString(d time.Duration) string {
	return fmt.Sprintf("%g ms", float64(d)/float64(time.Millisecond))
}

func msFloat(ms float64, ok bool) string {
	if !ok {
		return ""
	}
	return fmt.Sprintf("%.3g ms", ms)
}

func mbString(mb float64, ok bool) string {
	if !ok {
		return ""
	}
	return fmt.Sprintf("%.2f MB", mb)
}

func ratioString(a, b float64, ok bool) string {
	if !ok || b == 0 {
		return ""
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func pairString(a float64, okA bool, b float64, okB bool, format string) string {
	if !okA && !okB {
		return ""
	}
	f := func(v float64, ok bool) string {
		if !ok {
			return "?"
		}
		return fmt.Sprintf(format, v)
	}
	if !okB {
		return f(a, okA)
	}
	return f(a, okA) + " / " + f(b, okB)
}

// capacityString is the capacity units per operation of kvstore and the reference.
func capacityString(kv, ref *Result) string {
	unit := func(r *Result) string {
		rcu, ok1 := median(r, "RCU/op")
		wcu, ok2 := median(r, "WCU/op")
		if !ok1 && !ok2 {
			return "?"
		}
		var parts []string
		if rcu > 0 {
			parts = append(parts, fmt.Sprintf("%.4g RCU", rcu))
		}
		if wcu > 0 {
			parts = append(parts, fmt.Sprintf("%.4g WCU", wcu))
		}
		if len(parts) == 0 {
			return "0 CU"
		}
		return strings.Join(parts, "+")
	}
	if kv == nil && ref == nil {
		return ""
	}
	return unit(kv) + " / " + unit(ref)
}

// inFlightString is the most requests in flight at once, of kvstore and the
// reference, when either sent more than one at a time.
func inFlightString(kv, ref *Result) string {
	a, ok1 := median(kv, "in-flight-max")
	b, ok2 := median(ref, "in-flight-max")
	if !ok1 || !ok2 || math.Max(a, b) <= 1 {
		return ""
	}
	return fmt.Sprintf("; in flight %.0f / %.0f", a, b)
}
