package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

func benchHandler(b *testing.B) *httpapi.Handler {
	h, err := httpapi.New(httpapi.Config{Backend: memory.NewBackend(), Token: fullToken})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func reportRate(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
}

// BenchmarkHandler measures the handler itself (net/http's ServeHTTP path without a
// network) for GET and SET on memory, on all cores.
func BenchmarkHandler(b *testing.B) {
	for _, tc := range []struct{ name, body string }{
		{"GET", `["GET","bench:key"]`},
		{"SET", `["SET","bench:key","a value of some thirty bytes.."]`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := benchHandler(b)
			body := []byte(tc.body)
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+fullToken)
					req.Header.Set("Upstash-Encoding", "base64")
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
			reportRate(b, start)
		})
	}
}

// BenchmarkLoopback is a bounded load loop over real loopback HTTP (keep-alive
// connections, as clients use): GET and SET through a local server.
func BenchmarkLoopback(b *testing.B) {
	for _, tc := range []struct{ name, body string }{
		{"GET", `["GET","bench:key"]`},
		{"SET", `["SET","bench:key","a value of some thirty bytes.."]`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(benchHandler(b))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
			defer client.CloseIdleConnections()
			ctx := context.Background()
			start := time.Now()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, bytes.NewBufferString(tc.body))
					req.Header.Set("Authorization", "Bearer "+fullToken)
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatal(fmt.Sprint("status ", resp.StatusCode))
					}
				}
			})
			reportRate(b, start)
		})
	}
}
