// Command benchreport runs kvlambda's benchmarks (`make bench`) and prints one table
// of figures, ratios and targets. The raw `go test -bench` output of every run goes
// to a file that benchstat reads (default build/bench.txt), so that two runs compare
// with `benchstat old.txt new.txt`:
//
//	go run ./internal/cmd/benchreport                     # run everything
//	go run ./internal/cmd/benchreport -only dynamodb,redis
//	go run ./internal/cmd/benchreport -from build/bench.txt   # table of an earlier run
//
// The benchmarks start their own servers (redis-server, DynamoDB Local, the Lambda
// Runtime Interface Emulator: `make deps-redis deps-dynamodb deps-rie` installs
// them); benchreport runs them with CI=1, so that a missing server fails the run
// instead of skipping its benchmarks.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kvlambda/kvlambda/internal/bench"
	"github.com/kvlambda/kvlambda/internal/lambdaemu"
)

// suite is one `go test -bench` run.
type suite struct {
	name      string
	pkg       string
	bench     string // -bench pattern
	count     int
	benchtime string
	// interleave runs the suite count times with -count 1, so that the runs of the
	// kvstore and reference benchmarks alternate instead of following each other
	// (the machine's state drifts over a minute more than the ratios being measured).
	interleave bool
}

var suites = []suite{
	{name: "memory", pkg: "./kvstore/memory", bench: "^Benchmark(ZAdd1M|ZRangeByScore1M|ZCountHalf1M|Get1|Get2|Set1|Set2)$", count: 3, benchtime: "1s", interleave: true},
	{name: "redis", pkg: "./kvstore/redis", bench: "^Benchmark(Raw)?(Get|Set|ZAdd|BatchSet1000|PipelineSet1000|AtomicWrite25|MultiExec25|GetWithDeadline|SetWithDeadline)$", count: 3, benchtime: "1s", interleave: true},
	{name: "client", pkg: "./internal/bench", bench: "^BenchmarkClientSide$", count: 6, benchtime: "1s", interleave: true},
	{name: "dynamodb", pkg: "./internal/bench", bench: "^Benchmark(DynamoDB|BatchLatency)$", count: 3, benchtime: "1s", interleave: true},
	{name: "dataapi", pkg: "./internal/bench", bench: "^BenchmarkDataAPI$", count: 3, benchtime: "2s"},
	{name: "lambda", pkg: "./internal/bench", bench: "^BenchmarkLambda$", count: 3, benchtime: "5x"},
}

func main() {
	out := flag.String("out", "build/bench.txt", "file for the raw `go test -bench` output (benchstat's input)")
	from := flag.String("from", "", "print the table of this earlier output instead of running the benchmarks")
	only := flag.String("only", "", "comma-separated suites to run (memory, redis, client, dynamodb, dataapi, lambda); default all")
	delay := flag.Duration("delay", 10*time.Millisecond, "delay the proxy adds to each DynamoDB request in the second DynamoDB run")
	count := flag.Int("count", 0, "runs of each benchmark (default: each suite's own, 1 to 5)")
	strict := flag.Bool("strict", false, "exit with status 3 when a target is missed")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var data []byte
	var err error
	if *from != "" {
		data, err = os.ReadFile(*from)
	} else {
		data, err = run(ctx, *out, *only, *delay, *count)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	rs, err := bench.Parse(bytes.NewReader(data))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	rows := bench.Report(rs, *delay)
	fmt.Println()
	if err := bench.Print(os.Stdout, rows); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	if *from == "" {
		fmt.Printf("raw results (benchstat): %s\n", *out)
	}
	if *strict {
		for _, r := range rows {
			if r.Missed() {
				os.Exit(3)
			}
		}
	}
}

// run runs the selected suites one after another from the repository root, copying
// their output to stderr as it comes and to the file out, and returns all of it.
func run(ctx context.Context, out, only string, delay time.Duration, count int) ([]byte, error) {
	root, err := lambdaemu.RepoRoot()
	if err != nil {
		return nil, err
	}
	selected, err := pick(only)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var all bytes.Buffer
	var failed []string
	start := time.Now()
	for _, s := range selected {
		n := s.count
		if count > 0 {
			n = count
		}
		rounds := 1
		if s.interleave {
			rounds, n = n, 1
		}
		args := []string{"test", "-run", "^$", "-bench", s.bench, "-benchmem",
			"-count", strconv.Itoa(n), "-benchtime", s.benchtime, "-timeout", "30m", s.pkg}
		var buf bytes.Buffer
		var err error
		for r := 0; r < rounds && err == nil; r++ {
			fmt.Fprintf(os.Stderr, "== %s: go %s (%v so far)\n", s.name, strings.Join(args, " "), time.Since(start).Round(time.Second))
			cmd := exec.CommandContext(ctx, "go", args...)
			cmd.Dir = root
			// CI=1: a benchmark that needs a missing server fails instead of skipping.
			cmd.Env = append(os.Environ(), "CI=1", "KVLAMBDA_BENCH_DELAY="+delay.String())
			cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
			cmd.Stderr = os.Stderr
			err = cmd.Run()
		}
		// Keep the benchmark lines and their headers only: benchstat's input.
		for _, line := range strings.SplitAfter(buf.String(), "\n") {
			if isBenchstatLine(line) {
				all.WriteString(line)
				if _, werr := f.WriteString(line); werr != nil {
					return nil, werr
				}
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			failed = append(failed, fmt.Sprintf("%s (%v)", s.name, err))
		}
		if strings.Contains(buf.String(), "--- SKIP") {
			fmt.Fprintf(os.Stderr, "== %s: some benchmarks were skipped (see above)\n", s.name)
		}
	}
	fmt.Fprintf(os.Stderr, "== done in %v\n", time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "benchreport: failed: %s\n", strings.Join(failed, ", "))
		rs, perr := bench.Parse(bytes.NewReader(all.Bytes()))
		if perr == nil && len(rs.All()) > 0 {
			// Print what was measured, then fail.
			_ = bench.Print(os.Stdout, bench.Report(rs, delay))
		}
		return nil, errors.New("some benchmarks failed")
	}
	return all.Bytes(), nil
}

// isBenchstatLine reports whether a line of `go test -bench` output is one benchstat
// reads: a result or a configuration line ("goos: linux", "pkg: ...").
func isBenchstatLine(line string) bool {
	if strings.HasPrefix(line, "Benchmark") {
		return len(strings.Fields(line)) >= 4
	}
	for _, p := range []string{"goos:", "goarch:", "pkg:", "cpu:"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// pick returns the suites named in only (all when empty), in run order.
func pick(only string) ([]suite, error) {
	if only == "" {
		return suites, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []suite
	for _, s := range suites {
		if want[s.name] {
			out = append(out, s)
			delete(want, s.name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("-only: no suite %q", n)
	}
	return out, nil
}
