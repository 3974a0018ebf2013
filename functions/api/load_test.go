package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

const loadToken = "load-token"

// lockedBuffer collects what concurrent writers write (the server's error log, a
// log writer's output) and counts the writes.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

// snapshot returns what was written so far and in how many writes.
func (l *lockedBuffer) snapshot() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startLocal serves the data API on a loopback port with the local server's
// configuration (newServer), over backend, and returns its URL and error log.
func startLocal(t *testing.T, backend kvstore.Backend, tune func(*http.Server)) (string, *lockedBuffer) {
	t.Helper()
	h, err := httpapi.New(httpapi.Config{Backend: backend, Token: loadToken})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(h)
	errLog := &lockedBuffer{}
	srv.ErrorLog = log.New(errLog, "", 0)
	if tune != nil {
		tune(srv)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String(), errLog
}

func TestLocalServerSetsTimeouts(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("server limits: read header %v, read %v, write %v, idle %v, max header bytes %d; want all set",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
}

// TestSlowClientsAreCut sends a request's headers one byte at a time (slowloris)
// and a body that never ends: the server closes both connections by its read
// header and read timeouts (shortened here for the body: the mechanism, not the
// value, is under test) instead of holding them open.
func TestSlowClientsAreCut(t *testing.T) {
	url, _ := startLocal(t, memory.NewBackend(), func(s *http.Server) {
		s.ReadHeaderTimeout = 500 * time.Millisecond
		s.ReadTimeout = time.Second
	})
	addr := strings.TrimPrefix(url, "http://")
	slowloris := func() (time.Duration, error) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, err
		}
		defer conn.Close()
		start := time.Now()
		header := "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + loadToken + "\r\nX-Pad: " + strings.Repeat("a", 200)
		for i := range len(header) {
			if _, err := conn.Write([]byte{header[i]}); err != nil {
				return time.Since(start), nil // cut
			}
			time.Sleep(20 * time.Millisecond)
			if time.Since(start) > 10*time.Second {
				return time.Since(start), fmt.Errorf("still open after %v", time.Since(start))
			}
		}
		return time.Since(start), fmt.Errorf("the whole header was accepted at 50 bytes/s")
	}
	if d, err := slowloris(); err != nil {
		t.Errorf("slow headers: %v", err)
	} else {
		t.Logf("slow headers cut after %v", d.Round(time.Millisecond))
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 100000\r\n\r\n[\"SET\",\"slow\",\"", loadToken)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("a body that never ended got %d", resp.StatusCode)
		}
	}
	if d := time.Since(start); d > 9*time.Second {
		t.Errorf("a body that never ended held the connection %v", d)
	} else {
		t.Logf("never-ending body answered or cut after %v", d.Round(time.Millisecond))
	}
}

// TestLoadWithBadInput sends 200 concurrent connections' worth of valid, malformed,
// oversized (over 1 MB, over 1,000 commands), wrongly authorized, truncated and slow
// requests: no response is a 5xx, every response is JSON, the server logs no panic,
// nothing of a refused request is written, and the heap returns near where it was.
func TestLoadWithBadInput(t *testing.T) {
	backend := memory.NewBackend()
	url, errLog := startLocal(t, backend, nil)
	addr := strings.TrimPrefix(url, "http://")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200, MaxConnsPerHost: 200}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	bigBody := `["SET","big","` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"]`
	var manyCmds strings.Builder
	manyCmds.WriteString("[")
	for i := range httpapi.MaxCommands + 1 {
		if i > 0 {
			manyCmds.WriteString(",")
		}
		fmt.Fprintf(&manyCmds, `["SET","many:%d","v"]`, i)
	}
	manyCmds.WriteString("]")

	type request struct {
		kind, path, token, body string
		wantOK                  bool
	}
	kinds := func(i int) request {
		switch i % 12 {
		case 0:
			return request{"valid", "/", loadToken, fmt.Sprintf(`["SET","k%d","v"]`, i), true}
		case 1:
			return request{"valid", "/pipeline", loadToken, fmt.Sprintf(`[["INCR","n"],["GET","k%d"]]`, i-1), true}
		case 2:
			return request{"valid", "/multi-exec", loadToken, fmt.Sprintf(`[["SET","m%d","a"],["INCRBY","mn",2]]`, i), true}
		case 3:
			return request{"malformed", "/", loadToken, `["SET","k"`, false}
		case 4:
			return request{"malformed", "/multi-exec", loadToken, fmt.Sprintf(`[["SET","half%d","a"],["SET"]]`, i), false}
		case 5:
			return request{"malformed", "/", loadToken, "\x00\xff{[", false}
		case 6:
			return request{"oversized body", "/", loadToken, bigBody, false}
		case 7:
			return request{"too many commands", "/multi-exec", loadToken, manyCmds.String(), false}
		case 8:
			return request{"bad token", "/", "wrong" + strings.Repeat("x", i%40), `["SET","stolen","v"]`, false}
		case 9:
			return request{"unknown command", "/", loadToken, `["FLUSHALL"]`, false}
		case 10:
			return request{"valid", "/", loadToken, `["GET","n"]`, true}
		default:
			return request{"truncated", "/", loadToken, `["SET","trunc","` + strings.Repeat("y", 5000), false}
		}
	}

	const conns, perConn = 200, 6
	var (
		mu       sync.Mutex
		byKind   = map[string]int{}
		problems []string
		sent     atomic.Int64
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			for j := range perConn {
				r := kinds(c*perConn + j)
				sent.Add(1)
				mu.Lock()
				byKind[r.kind]++
				mu.Unlock()
				if r.kind == "truncated" {
					truncated(addr, r.body)
					continue
				}
				req, _ := http.NewRequest(http.MethodPost, url+r.path, strings.NewReader(r.body))
				req.Header.Set("Authorization", "Bearer "+r.token)
				resp, err := client.Do(req)
				if err != nil {
					problem("%s: %v", r.kind, err)
					continue
				}
				data, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				switch {
				case resp.StatusCode >= 500:
					problem("%s: status %d: %s", r.kind, resp.StatusCode, data)
				case !json.Valid(data):
					problem("%s: not JSON: %.100s", r.kind, data)
				case r.wantOK && resp.StatusCode != http.StatusOK:
					problem("%s: status %d: %s", r.kind, resp.StatusCode, data)
				case !r.wantOK && resp.StatusCode < 400:
					problem("%s: status %d: %.100s", r.kind, resp.StatusCode, data)
				}
			}
		})
	}
	wg.Wait()
	client.CloseIdleConnections()

	// Nothing of a refused request was written.
	ctx := t.Context()
	for _, key := range []string{"big", "stolen", "trunc", "many:0", "many:999"} {
		if v, err := backend.Get(ctx, key); err != nil || v != nil {
			problem("key %q of a refused request: %v, %v", key, v, err)
		}
	}
	for i := range conns * perConn {
		if i%12 == 4 {
			if v, err := backend.Get(ctx, fmt.Sprintf("half%d", i)); err != nil || v != nil {
				problem("half-written transaction: half%d = %v, %v", i, v, err)
			}
		}
	}
	if n, err := backend.NIncrBy(ctx, "mn", 0); err != nil || n != int64(2*byKindCount(conns*perConn, 2)) {
		problem("multi-exec counter = %d, %v; want %d", n, err, 2*byKindCount(conns*perConn, 2))
	}
	if strings.Contains(errLog.String(), "panic") {
		problem("the server logged a panic:\n%s", errLog.String())
	}

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("data API under load: %d requests on %d concurrent connections %v; heap %d KB before, %d KB after (%+d KB)",
		sent.Load(), conns, byKind, before.HeapAlloc>>10, after.HeapAlloc>>10, growth>>10)
	const bound = 32 << 20
	if growth > bound {
		problem("heap grew by %d MB, more than %d MB", growth>>20, bound>>20)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// byKindCount counts the requests of index i%12 == k among n.
func byKindCount(n, k int) int {
	c := 0
	for i := range n {
		if i%12 == k {
			c++
		}
	}
	return c
}

// truncated sends a request whose body is shorter than its Content-Length, then
// closes the connection.
func truncated(addr, body string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", loadToken, len(body)+1000, body)
}
