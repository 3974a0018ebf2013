// Package functions_test runs each function's real bootstrap binary under the AWS
// Lambda Runtime Interface Emulator, as Lambda runs it, against real servers:
// redis-server, DynamoDB Local (with its stream) and a local HTTP server standing in
// for EventBridge's PutEvents API. Each function is built once per test process; each
// test starts its own emulator and invokes it one event at a time.
package functions_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/internal/lambdaemu"
	"github.com/kvlambda/kvlambda/internal/testservers"
)

func TestMain(m *testing.M) {
	// Build the functions in the background, one after another, while the first
	// tests start their servers (DynamoDB Local's JVM takes seconds).
	if _, err := lambdaemu.RIEPath(); err == nil {
		go func() {
			for _, name := range []string{"api", "bus", "stream"} {
				_, _ = builds.get(name)
			}
		}()
	}
	code := m.Run()
	testservers.StopDynamoDBLocal()
	builds.cleanup()
	os.Exit(code)
}

// builds holds each function's bootstrap, built once per test process, one build at
// a time (concurrent builds would compile the shared dependencies twice).
var builds = newBuildCache()

type buildCache struct {
	ctx    context.Context // ends at cleanup
	cancel context.CancelFunc

	mu      sync.Mutex
	dir     string
	byName  map[string]*build
	running sync.Mutex // held during a build
}

type build struct {
	once sync.Once
	path string
	err  error
}

func newBuildCache() *buildCache {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	return &buildCache{ctx: ctx, cancel: cancel, byName: map[string]*build{}}
}

// get returns the path of the function's bootstrap, building it on first use.
func (c *buildCache) get(name string) (string, error) {
	c.mu.Lock()
	if c.dir == "" {
		dir, err := os.MkdirTemp("", "kvlambda-functions-")
		if err != nil {
			c.mu.Unlock()
			return "", err
		}
		c.dir = dir
	}
	b := c.byName[name]
	if b == nil {
		b = &build{}
		c.byName[name] = b
	}
	dir := filepath.Join(c.dir, name)
	c.mu.Unlock()
	b.once.Do(func() {
		c.running.Lock()
		defer c.running.Unlock()
		if b.err = c.ctx.Err(); b.err != nil {
			return
		}
		if b.err = os.MkdirAll(dir, 0o755); b.err == nil {
			b.path, b.err = lambdaemu.Build(c.ctx, name, dir)
		}
	})
	return b.path, b.err
}

// cleanup stops a build still running and removes the builds.
func (c *buildCache) cleanup() {
	c.cancel()
	c.running.Lock()
	defer c.running.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}

// requireEmulator skips the test when the emulator is not installed, or fails it
// when the environment variable CI is set.
func requireEmulator(t *testing.T) {
	t.Helper()
	if _, err := lambdaemu.RIEPath(); errors.Is(err, lambdaemu.ErrMissing) {
		testservers.Missing(t, err)
	} else if err != nil {
		t.Fatal(err)
	}
}

// function is one function running under its own emulator.
type function struct {
	t   *testing.T
	emu *lambdaemu.Emulator
}

// baseEnv is every function's environment in these tests: a region, dummy
// credentials and no instance metadata, so nothing reaches AWS.
func baseEnv() map[string]string {
	return map[string]string{
		"AWS_REGION":                "us-east-1",
		"AWS_ACCESS_KEY_ID":         "local",
		"AWS_SECRET_ACCESS_KEY":     "local",
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}

// startFunction builds the function (once per process) and starts it under a fresh
// emulator with exactly baseEnv and env as its environment.
func startFunction(t *testing.T, name string, env map[string]string) *function {
	t.Helper()
	requireEmulator(t)
	bin, err := builds.get(name)
	if err != nil {
		t.Fatal(err)
	}
	all := baseEnv()
	for k, v := range env {
		all[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	emu, err := lambdaemu.Start(ctx, lambdaemu.Config{Bootstrap: bin, Env: all, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		emu.Stop()
		if t.Failed() {
			t.Logf("%s logs:\n%s", name, emu.Logs())
		}
	})
	return &function{t: t, emu: emu}
}

// invoke sends one event and returns the function's response. A function error is
// returned as an error holding its error document.
func (f *function) invoke(event []byte) ([]byte, error) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := f.emu.Invoke(ctx, event)
	if err != nil {
		return out, err
	}
	var doc struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(out, &doc) == nil && doc.ErrorMessage != nil {
		return out, &functionError{Type: doc.ErrorType, Message: *doc.ErrorMessage}
	}
	return out, nil
}

// mustInvoke is invoke failing the test on a function error.
func (f *function) mustInvoke(event []byte) []byte {
	f.t.Helper()
	out, err := f.invoke(event)
	if err != nil {
		f.t.Fatalf("invoke: %v", err)
	}
	return out
}

// functionError is a function's error document, as Lambda's Invoke API returns it.
type functionError struct {
	Type, Message string
}

func (e *functionError) Error() string { return e.Type + ": " + e.Message }

// checkColdStart checks, after the first invoke, that the emulator reported the cold
// start's init phase (lambdaemu.InitDuration) and, when ownLine is true, that the
// function logged its own "init done" line with the time from its process start to
// lambda.Start.
func (f *function) checkColdStart(name string, ownLine bool) {
	f.t.Helper()
	d, ok := f.emu.InitDuration()
	if !ok || d <= 0 {
		f.t.Errorf("%s: no INIT REPORT line in the emulator's logs", name)
	}
	f.t.Logf("%s cold start: emulator init phase %v", name, d)
	if !ownLine {
		return
	}
	for _, line := range strings.Split(f.emu.Logs(), "\n") {
		i := strings.Index(line, "{")
		if i < 0 || !strings.Contains(line, `"msg":"init done"`) {
			continue
		}
		var rec struct {
			InitMS   *float64 `json:"init_ms"`
			Function string   `json:"function"`
		}
		if err := json.Unmarshal([]byte(line[i:]), &rec); err != nil || rec.InitMS == nil || *rec.InitMS <= 0 || rec.Function != name {
			f.t.Errorf("%s: bad init log line %q", name, line)
			return
		}
		f.t.Logf("%s cold start: own init log line %.2f ms (process start to lambda.Start)", name, *rec.InitMS)
		return
	}
	f.t.Errorf("%s: no init log line", name)
}

// readEvent reads a sample event from testdata/events.
func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
