package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/internal/lambdaemu"
)

// dataAPIConnections is how many keep-alive connections the load loop drives at
// once: enough to keep the server busy on a small machine, which runs the server and
// the load loop side by side.
const dataAPIConnections = 16

// BenchmarkDataAPI measures the data API as `make run` serves it: the functions/api
// binary in its own process on the memory backend, over loopback HTTP, loaded by a
// bounded loop of POSTs on dataAPIConnections keep-alive connections (b.N requests in
// all). requests/s is b.N over the wall time.
func BenchmarkDataAPI(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin, err := lambdaemu.BuildPackage(ctx, "./functions/api", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	const token = "bench-token"
	url := startAPI(b, bin, token)
	// The requests run without a deadline of their own (a Client.Timeout or a
	// cancellable context costs each request a context, a timer and a lock shared by
	// all the load goroutines): ResponseHeaderTimeout bounds a stuck request instead,
	// with a single timer, and the responses are small enough to arrive with their
	// headers.
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns:          dataAPIConnections,
		MaxIdleConnsPerHost:   dataAPIConnections,
		ResponseHeaderTimeout: 30 * time.Second,
	}}
	b.Cleanup(client.CloseIdleConnections)
	auth := "Bearer " + token
	for _, tc := range []struct{ name, body, want string }{
		{"SET", `["SET","bench:key","a value of some thirty bytes.."]`, `{"result":"OK"}`},
		{"GET", `["GET","bench:key"]`, `{"result":"a value of some thirty bytes.."}`},
	} {
		b.Run("cmd="+tc.name, func(b *testing.B) {
			body, want := []byte(tc.body), []byte(tc.want)
			// send posts the command and checks the reply, read into got (one buffer
			// per load goroutine); reading the body to its end returns the connection
			// to the pool for the next request.
			send := func(got *bytes.Buffer) error {
				req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				if err != nil {
					return err
				}
				req.Header.Set("Authorization", auth)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				got.Reset()
				_, err = got.ReadFrom(resp.Body)
				resp.Body.Close()
				if err == nil && (resp.StatusCode != http.StatusOK || !bytes.Equal(got.Bytes(), want)) {
					err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, got)
				}
				return err
			}
			if err := send(new(bytes.Buffer)); err != nil { // the key GET reads, and a warm connection
				b.Fatal(err)
			}
			b.SetParallelism((dataAPIConnections + 1) / 2)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				got := new(bytes.Buffer)
				for pb.Next() {
					if err := send(got); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
		})
	}
}

// startAPI runs the data API binary on a free loopback port with the memory backend
// and returns its URL; the process is killed when the benchmark ends.
func startAPI(b *testing.B, bin, token string) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "ADDR=" + addr, "KVSTORE_URL=memory://", "KVLAMBDA_TOKEN=" + token}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	// The server logs a line per request: keep the first ones, for errors.
	logs := &headWriter{max: 64 << 10}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	b.Cleanup(stop)
	// It prints "kvlambda data API listening on http://ADDR ..." once it listens.
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if strings.Contains(lines.Text(), "listening on") {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return "http://" + addr
		}
	}
	stop() // Wait has copied all of stderr into logs
	b.Fatalf("the data API did not start: %s", logs.String())
	return ""
}

// headWriter keeps the first max bytes written to it and discards the rest.
type headWriter struct {
	max int
	buf bytes.Buffer
}

func (w *headWriter) Write(p []byte) (int, error) {
	if n := w.max - w.buf.Len(); n > 0 {
		w.buf.Write(p[:min(n, len(p))])
	}
	return len(p), nil
}

func (w *headWriter) String() string { return w.buf.String() }
