package bench

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Results are benchmark results parsed from `go test -bench` output (the format
// benchstat reads), by package and benchmark name.
type Results struct {
	byKey map[string]*Result
	order []*Result
}

// Result is one benchmark's measurements: every value reported for each unit
// ("ns/op", "allocs/op", "requests/op", ...), one per run (-count).
type Result struct {
	Pkg    string // import path, from the "pkg:" line before it
	Name   string // without the -GOMAXPROCS suffix: "BenchmarkDynamoDB/delay=0s/op=Get/impl=sdk"
	Values map[string][]float64
}

// Median returns the median of the values reported for unit, and false when there
// are none.
func (r *Result) Median(unit string) (float64, bool) {
	v := slices.Clone(r.Values[unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// Parse reads `go test -bench` output and collects its benchmark lines. Lines of
// several runs and packages may follow each other, as in one file for benchstat.
func Parse(r io.Reader) (*Results, error) {
	res := &Results{byKey: map[string]*Result{}}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 {
			continue // a benchmark's name printed alone, or its log
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := trimProcs(f[0])
		key := pkg + " " + name
		br := res.byKey[key]
		if br == nil {
			br = &Result{Pkg: pkg, Name: name, Values: map[string][]float64{}}
			res.byKey[key] = br
			res.order = append(res.order, br)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			br.Values[f[i+1]] = append(br.Values[f[i+1]], v)
		}
	}
	return res, sc.Err()
}

// trimProcs removes the -GOMAXPROCS suffix go test adds to a benchmark's name.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// Get returns the result of the benchmark name in the package whose import path
// ends with pkg ("kvstore/memory"), or nil.
func (rs *Results) Get(pkg, name string) *Result {
	for _, r := range rs.order {
		if r.Name == name && (r.Pkg == pkg || strings.HasSuffix(r.Pkg, "/"+pkg)) {
			return r
		}
	}
	return nil
}

// All returns every result, in the order they first appeared.
func (rs *Results) All() []*Result { return rs.order }
