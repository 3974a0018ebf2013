// Package lambdaemu runs a function's real bootstrap binary under the AWS Lambda
// Runtime Interface Emulator, as Lambda runs it, for end-to-end tests and
// `make invoke`. One emulator serves one invoke at a time.
package lambdaemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// RIEModule is the emulator's module version, as the Makefile installs it.
const RIEModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// ErrMissing means the emulator or a build tool is not installed.
var ErrMissing = errors.New("lambdaemu: missing tool")

// RepoRoot returns the root of the kvlambda checkout holding the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/kvlambda/kvlambda\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("lambdaemu: not inside the kvlambda checkout")
		}
		dir = parent
	}
}

// RIEPath returns the emulator binary that `make deps-rie` installs under
// .cache/bin, or ErrMissing.
func RIEPath() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, ".cache", "bin", "aws-lambda-rie")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w: %s (run `make deps-rie`)", ErrMissing, p)
	}
	return p, nil
}

// DeployTags are the build tags of `make build` (mk/lambda.mk) without DAX=true: no
// net/rpc in aws-lambda-go, the AWS configuration from the environment only, no DAX
// client.
const DeployTags = "lambda.norpc,kvstore_awsenv,kvstore_nodax"

// Build compiles functions/<name> for this machine into dir/bootstrap, with the flags
// of a deploy build (-tags DeployTags, -trimpath, stripped), and returns its path.
func Build(ctx context.Context, name, dir string) (string, error) {
	return BuildPackage(ctx, "./functions/"+name, dir)
}

// BuildPackage is Build for any main package of the module, named by its path
// relative to the repository root.
func BuildPackage(ctx context.Context, pkg, dir string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", DeployTags, "-trimpath",
		"-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("lambdaemu: building %s: %v\n%s", pkg, err, b)
	}
	return out, nil
}

// Emulator is one running emulator with its function.
type Emulator struct {
	// URL is the emulator's invoke endpoint.
	URL string

	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
	mu   sync.Mutex // one invoke at a time: concurrent invokes crash the emulator
}

// Config says what to run.
type Config struct {
	// Bootstrap is the function binary.
	Bootstrap string
	// Env is the function's whole environment besides what the emulator adds (the
	// child gets nothing else from this process).
	Env map[string]string
	// Timeout is the function timeout (default 30 s).
	Timeout time.Duration
	// Stdout receives the emulator's and function's output as well as Logs (optional).
	Stdout io.Writer
}

// Start runs the emulator on free loopback ports with the function's bootstrap and
// waits until it accepts connections.
func Start(ctx context.Context, cfg Config) (*Emulator, error) {
	rie, err := RIEPath()
	if err != nil {
		return nil, err
	}
	bootstrap, err := filepath.Abs(cfg.Bootstrap)
	if err != nil {
		return nil, err
	}
	emuAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	apiAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + fmt.Sprint(int(timeout.Seconds())),
		"AWS_LAMBDA_FUNCTION_NAME=" + filepath.Base(filepath.Dir(bootstrap)),
		"LOG_LEVEL=info",
	}
	for k, v := range cfg.Env {
		env = append(env, k+"="+v)
	}
	e := &Emulator{URL: "http://" + emuAddr + "/2015-03-31/functions/function/invocations",
		logs: &syncBuffer{}, done: make(chan struct{})}
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", emuAddr,
		"--runtime-api-address", apiAddr,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env
	var out io.Writer = e.logs
	if cfg.Stdout != nil {
		out = io.MultiWriter(e.logs, cfg.Stdout)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e.cmd = cmd
	go func() { _ = cmd.Wait(); close(e.done) }()
	for {
		c, err := net.DialTimeout("tcp", emuAddr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("lambdaemu: emulator exited: %s", e.logs.String())
		case <-ctx.Done():
			e.Stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Invoke sends one event and returns the function's response body. A function error
// comes back as its JSON error document, as Lambda's Invoke API returns it.
func (e *Emulator) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(event))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lambdaemu: invoke: %w; logs:\n%s", err, e.Logs())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("lambdaemu: invoke: HTTP %d: %s", resp.StatusCode, body)
	}
	return body, nil
}

// Logs returns everything the emulator and the function printed so far.
func (e *Emulator) Logs() string { return e.logs.String() }

// InitDuration returns the cold start's init phase as the emulator reports it (its
// "INIT REPORT(durationMs: X)" line: from the runtime's start until it asks for the
// first event), waiting up to 10 s for the line after the first invoke.
func (e *Emulator) InitDuration() (time.Duration, bool) {
	const marker = "INIT REPORT(durationMs: "
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs := e.Logs()
		if i := strings.Index(logs, marker); i >= 0 {
			var ms float64
			if _, err := fmt.Sscanf(logs[i+len(marker):], "%f)", &ms); err != nil {
				return 0, false
			}
			return time.Duration(ms * float64(time.Millisecond)), true
		}
		if time.Now().After(deadline) {
			return 0, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop ends the emulator and its function.
func (e *Emulator) Stop() {
	if e.cmd == nil || e.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	<-e.done
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
