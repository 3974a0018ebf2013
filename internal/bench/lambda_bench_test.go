package bench_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/internal/bench"
	"github.com/kvlambda/kvlambda/internal/lambdaemu"
	"github.com/kvlambda/kvlambda/internal/testservers"
)

// lambdaFunction is one function BenchmarkLambda measures, with the environment and
// event of its invokes.
type lambdaFunction struct {
	name, pkg string
	// tags are the build's tags: bench.DeployTags when empty.
	tags  string
	env   map[string]string
	event string // a file under the repository root, or JSON
	// optional functions may not build yet (work in progress): they are skipped.
	optional bool
}

var lambdaFunctions = []lambdaFunction{
	{name: "hello", pkg: "./internal/lambdaemu/testdata/hello", event: `{"name":"bench"}`},
	{name: "api", pkg: "./functions/api", event: "testdata/events/api-get.json",
		env: map[string]string{"KVSTORE_URL": "memory://", "KVLAMBDA_TOKEN": "local-token"}},
	{name: "bus", pkg: "./functions/bus", event: "testdata/events/bus.json", optional: true,
		env: map[string]string{"KVSTORE_URL": "memory://"}},
	// The stream function loads the AWS configuration and makes its EventBridge
	// client at init, as in Lambda; an event without records publishes nothing.
	{name: "stream", pkg: "./functions/stream", event: `{"Records":[]}`, optional: true,
		env: map[string]string{
			"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
			"AWS_ENDPOINT_URL_EVENTBRIDGE": "http://127.0.0.1:9", "KVLAMBDA_STREAM_DRY_RUN": "0",
		}},
	// The api and bus functions as `make build DAX=true` builds them, for a stack with
	// a DAX cluster (the stream function does not open the store: it has no DAX build).
	{name: "api-dax", pkg: "./functions/api", tags: bench.DAXTags, event: "testdata/events/api-get.json",
		env: map[string]string{"KVSTORE_URL": "memory://", "KVLAMBDA_TOKEN": "local-token"}},
	{name: "bus-dax", pkg: "./functions/bus", tags: bench.DAXTags, event: "testdata/events/bus.json", optional: true,
		env: map[string]string{"KVSTORE_URL": "memory://"}},
}

// BenchmarkLambda measures each function's bootstrap as Lambda gets it and its cold
// start, beside the smallest Go function (hello): bootstrap-MB is the size of the
// linux/arm64 binary `make build` makes (stripped; MB = 10⁶ bytes; -dax: `make build
// DAX=true`), and each iteration is one cold start of the binary built the same way
// (same tags) for this machine
// under the Runtime Interface Emulator (start, one invoke, stop); init-ms is the mean
// Init Duration the emulator reports.
func BenchmarkLambda(b *testing.B) {
	if _, err := lambdaemu.RIEPath(); errors.Is(err, lambdaemu.ErrMissing) {
		testservers.Missing(b, err)
	} else if err != nil {
		b.Fatal(err)
	}
	root, err := lambdaemu.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, fn := range lambdaFunctions {
		b.Run("fn="+fn.name, func(b *testing.B) {
			dir := b.TempDir()
			tags := fn.tags
			if tags == "" {
				tags = bench.DeployTags
			}
			_, size, err := bench.BuildBootstrap(ctx, fn.pkg, tags, "arm64", filepath.Join(dir, "arm64"))
			var host string
			if err == nil {
				// The emulator runs the binary built for this machine, in a
				// directory named for the function (its AWS_LAMBDA_FUNCTION_NAME).
				host, _, err = bench.BuildBootstrap(ctx, fn.pkg, tags, runtime.GOARCH, filepath.Join(dir, fn.name))
			}
			if err != nil {
				if fn.optional {
					b.Skipf("%s does not build yet: %v", fn.name, err)
				}
				b.Fatal(err)
			}
			event := []byte(fn.event)
			if fn.event[0] != '{' {
				if event, err = os.ReadFile(filepath.Join(root, fn.event)); err != nil {
					b.Fatal(err)
				}
			}
			var init time.Duration
			for b.Loop() {
				init += coldStart(ctx, b, host, fn.env, event)
			}
			b.ReportMetric(float64(init.Microseconds())/1000/float64(b.N), "init-ms")
			b.ReportMetric(float64(size)/1e6, "bootstrap-MB")
		})
	}
}

// coldStart starts the emulator with the bootstrap, invokes it once and stops it,
// returning the init duration the emulator reported.
func coldStart(ctx context.Context, b *testing.B, bootstrap string, env map[string]string, event []byte) time.Duration {
	e, err := lambdaemu.Start(ctx, lambdaemu.Config{Bootstrap: bootstrap, Env: env})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Stop()
	if out, err := e.Invoke(ctx, event); err != nil {
		b.Fatalf("invoke: %v\n%s\nlogs:\n%s", err, out, e.Logs())
	}
	d, ok := e.InitDuration()
	if !ok {
		b.Fatalf("no Init Duration in the emulator's logs:\n%s", e.Logs())
	}
	return d
}
