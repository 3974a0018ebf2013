package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLogWriterKeepsEveryLineInOrder writes lines from several goroutines and checks
// that each goroutine's lines all come out, whole and in order, in fewer writes than
// lines.
func TestLogWriterKeepsEveryLineInOrder(t *testing.T) {
	var out lockedBuffer
	l := newLogWriter(&out)
	const writers, lines = 8, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(l, "w%d line %d %s\n", w, i, strings.Repeat("x", i%200))
			}
		})
	}
	wg.Wait()
	l.Flush()
	text, writes := out.snapshot()
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("got %d lines, want %d", len(got), writers*lines)
	}
	for _, line := range got {
		var w, i int
		var pad string
		if _, err := fmt.Sscanf(line, "w%d line %d %s", &w, &i, &pad); err != nil && i%200 != 0 {
			t.Fatalf("torn line %q: %v", line, err)
		}
		if w < 0 || w >= writers || i != next[w] {
			t.Fatalf("line %q out of order: want w%d line %d", line, w, next[w])
		}
		if len(pad) != i%200 {
			t.Fatalf("line %q torn: padding %d, want %d", line, len(pad), i%200)
		}
		next[w]++
	}
	if writes >= writers*lines {
		t.Errorf("%d writes for %d lines: not batched", writes, writers*lines)
	}
}

// TestLogWriterFlushesALateLine checks that a line written alone reaches the writer
// without a Flush.
func TestLogWriterFlushesALateLine(t *testing.T) {
	var out lockedBuffer
	l := newLogWriter(&out)
	if _, err := l.Write([]byte("alone\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if text, _ := out.snapshot(); text == "alone\n" {
			return
		}
		if time.Now().After(deadline) {
			text, _ := out.snapshot()
			t.Fatalf("after 10s the writer has %q, want the line", text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLogWriterBoundsItsQueue checks that a writer faster than the output never
// queues much more than logWriterMax bytes.
func TestLogWriterBoundsItsQueue(t *testing.T) {
	var out lockedBuffer
	l := newLogWriter(&out)
	line := []byte(strings.Repeat("y", 1023) + "\n")
	for range 4 * logWriterMax / len(line) {
		if _, err := l.Write(line); err != nil {
			t.Fatal(err)
		}
		l.mu.Lock()
		queued := len(l.pending)
		l.mu.Unlock()
		if queued > logWriterMax+len(line) {
			t.Fatalf("%d bytes queued, bound %d", queued, logWriterMax+len(line))
		}
	}
	l.Flush()
	if text, _ := out.snapshot(); len(text) != 4*logWriterMax/len(line)*len(line) {
		t.Fatalf("wrote %d bytes, want %d", len(text), 4*logWriterMax/len(line)*len(line))
	}
}
