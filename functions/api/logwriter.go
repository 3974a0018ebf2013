package main

import (
	"io"
	"sync"
	"time"
)

// The log batches: a line waits at most logWriterDelay, and a Write waits for the
// batch to be written out once logWriterMax bytes are queued.
const (
	logWriterDelay = 10 * time.Millisecond
	logWriterMax   = 256 << 10
)

// logWriter passes whole writes (log lines) to w in order from a background
// goroutine, in batches: the lines written within logWriterDelay of the first one
// go out in one write. A Write returns once its bytes are queued, or, when
// logWriterMax bytes are queued, once they are written out (so a slow w slows the
// writers rather than growing the queue).
type logWriter struct {
	w    io.Writer
	wake chan struct{} // a queued wake-up for the flusher

	mu      sync.Mutex // guards pending
	pending []byte

	out   sync.Mutex // held while writing to w, so batches go out in order
	spare []byte     // guarded by out: the buffer of the last batch, for reuse
}

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, wake: make(chan struct{}, 1)}
	go func() {
		for range l.wake {
			time.Sleep(logWriterDelay)
			l.Flush()
		}
	}()
	return l
}

// Write queues p (a log line) for w.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.pending = append(l.pending, p...)
	full := len(l.pending) >= logWriterMax
	l.mu.Unlock()
	if full {
		l.Flush()
		return len(p), nil
	}
	select {
	case l.wake <- struct{}{}:
	default: // a wake-up is already queued: the flusher will take p with the rest
	}
	return len(p), nil
}

// Flush writes every queued line out to w.
func (l *logWriter) Flush() {
	l.out.Lock()
	defer l.out.Unlock()
	l.mu.Lock()
	batch := l.pending
	l.pending = l.spare[:0]
	l.mu.Unlock()
	if len(batch) > 0 {
		_, _ = l.w.Write(batch)
	}
	if cap(batch) <= logWriterMax*2 {
		l.spare = batch
	} else {
		l.spare = nil
	}
}
