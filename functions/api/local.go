package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/kvlambda/kvlambda/events/httpapi"
)

// newServer returns the local HTTP server with its timeouts set.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// serveLocal serves the API on ADDR until SIGINT or SIGTERM.
func serveLocal(h *httpapi.Handler, backendURL string, toks apiTokens, log *slog.Logger) error {
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s (ADDR): %w", addr, err)
	}
	if backendURL == "" {
		backendURL = "memory://"
	}
	url := "http://" + ln.Addr().String()
	fmt.Printf("kvlambda data API listening on %s (backend %s)\n", url, backendURL)
	if toks.generated {
		fmt.Printf("token (generated; set KVLAMBDA_TOKEN to choose one): %s\n", toks.full)
		fmt.Printf("try:\n  export URL=%s TOKEN=%s\n", url, toks.full)
	} else {
		fmt.Printf("token: the value of KVLAMBDA_TOKEN\n  export URL=%s TOKEN=\"$KVLAMBDA_TOKEN\"\n", url)
	}
	if toks.readOnly != "" {
		fmt.Println("read-only token: the value of KVLAMBDA_READONLY_TOKEN")
	}
	fmt.Printf("  curl -s $URL -H \"Authorization: Bearer $TOKEN\" -d '[\"SET\",\"hello\",\"world\"]'\n")

	// Serving, the heap is mostly short-lived garbage over a small live set (with the
	// memory backend, the data), which GOGC=100 collects very often: a GC cycle
	// every few MB of requests cost about a tenth of the server's CPU time. Trade
	// memory for it unless GOGC is set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(localGCPercent)
	}
	// One log line per request: written through a batching writer, so that a busy
	// server does not spend a system call on each.
	logs := newLogWriter(os.Stderr)
	defer logs.Flush()
	h = h.WithLogger(slog.New(slog.NewJSONHandler(logs, nil)))

	srv := newServer(h)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logs.Flush()
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// localGCPercent is the local server's GOGC when the environment sets none: the heap
// may grow to 5 times the live data between collections, rather than twice.
const localGCPercent = 400
