// Package testservers starts real servers (redis-server, DynamoDB Local) on free
// loopback ports for tests, so that tests run against the real thing.
package testservers

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RedisOptions configures a redis-server started for a test.
type RedisOptions struct {
	// AppendOnly turns on the append-only file with appendfsync always, so that a
	// server killed with Kill and started again with Restart keeps every write it
	// acknowledged (the default is no persistence at all).
	AppendOnly bool
	// Args are extra redis-server arguments, such as "--maxmemory", "10mb".
	Args []string
}

// Redis is a redis-server child process listening on 127.0.0.1 on a free port.
type Redis struct {
	t    testing.TB // nil for a server from LaunchRedis
	bin  string
	dir  string
	port int
	opts RedisOptions

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd has exited and been waited for
}

// ErrRedisNotInstalled is returned by LaunchRedis when redis-server is not on PATH.
var ErrRedisNotInstalled = errors.New("testservers: redis-server not found on PATH (make deps-redis installs it)")

// redisStartTimeout bounds how long a start waits for the server to answer PING.
const redisStartTimeout = 15 * time.Second

// RequireRedis returns the path of redis-server. When it is not on PATH, the test is
// skipped, or fails when the environment variable CI is set.
func RequireRedis(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		Missing(t, ErrRedisNotInstalled)
	}
	return bin
}

// StartRedis starts a redis-server without persistence for the test and stops it
// when the test ends. See StartRedisWith.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	return StartRedisWith(t, RedisOptions{})
}

// StartRedisWith starts a redis-server on a free loopback port with its data
// directory in t.TempDir(), waits until it answers PING, and kills it when the test
// ends. Without redis-server on PATH it skips the test, or fails it when CI is set.
func StartRedisWith(t testing.TB, opts RedisOptions) *Redis {
	t.Helper()
	bin := RequireRedis(t)
	r := &Redis{t: t, bin: bin, dir: t.TempDir(), opts: opts}
	if err := r.startOnFreePort(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// LaunchRedis starts a redis-server that outlives any one test, for a package's
// TestMain or a shared sync.Once; the caller stops it with Stop (it also dies with
// the test process on Linux). It returns ErrRedisNotInstalled when redis-server is
// not on PATH: tests then call RequireRedis to skip or fail.
func LaunchRedis(opts RedisOptions) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrRedisNotInstalled
	}
	dir, err := os.MkdirTemp("", "testservers-redis-")
	if err != nil {
		return nil, err
	}
	r := &Redis{bin: bin, dir: dir, opts: opts}
	if err := r.startOnFreePort(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return r, nil
}

// Addr returns the server's address, "127.0.0.1:PORT".
func (r *Redis) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port))
}

// Dir returns the server's data directory.
func (r *Redis) Dir() string { return r.dir }

// Kill kills the server with SIGKILL, as a crash would, and waits until it is gone.
// Killing a server that is not running does nothing.
func (r *Redis) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killLocked()
}

// Restart starts the server again on the same port and data directory (killing it
// first if it is running) and waits until it answers PING.
func (r *Redis) Restart() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killLocked()
	if err := r.startLocked(); err != nil {
		r.fail(fmt.Errorf("testservers: restarting redis-server on port %d: %w", r.port, err))
	}
}

// Stop kills the server and, for a server from LaunchRedis, removes its data
// directory. StartRedis registers it with t.Cleanup.
func (r *Redis) Stop() {
	r.Kill()
	if r.t == nil {
		_ = os.RemoveAll(r.dir)
	}
}

func (r *Redis) fail(err error) {
	if r.t != nil {
		r.t.Helper()
		r.t.Fatal(err)
	}
	panic(err)
}

func (r *Redis) killLocked() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.cmd = nil
}

// startOnFreePort picks a free port and starts the server there, trying again with
// another port if the one picked was taken in between.
func (r *Redis) startOnFreePort() error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		r.port, err = freePort()
		if err != nil {
			return err
		}
		r.mu.Lock()
		err = r.startLocked()
		r.mu.Unlock()
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("testservers: starting redis-server: %w", err)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (r *Redis) startLocked() error {
	appendOnly := "no"
	if r.opts.AppendOnly {
		appendOnly = "yes"
	}
	args := []string{
		"--port", strconv.Itoa(r.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", appendOnly,
		"--appendfsync", "always",
		"--dir", r.dir,
		"--daemonize", "no",
		"--logfile", "",
	}
	args = append(args, r.opts.Args...)
	logPath := filepath.Join(r.dir, "redis.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = r.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = redisProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	if err := waitForPing(r.Addr(), exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%w\nredis-server log:\n%s", err, tail(logPath, 20))
	}
	r.cmd, r.exited = cmd, exited
	return nil
}

// waitForPing polls addr with PING until it answers PONG, the process exits, or
// redisStartTimeout passes.
func waitForPing(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(redisStartTimeout)
	for {
		select {
		case <-exited:
			return errors.New("redis-server exited during startup")
		default:
		}
		if ping(addr) == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer PING within %v", addr, redisStartTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

func tail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
