package linearizability

import (
	"math"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
)

// History records calls from many goroutines: each call's client, input, output,
// and its start and end on one monotonic clock.
type History struct {
	start time.Time

	mu  sync.Mutex
	ops []porcupine.Operation
	// counts of calls by outcome, and of failed reads (dropped).
	done, refused, unknown, droppedReads int
}

// NewHistory returns an empty history whose clock starts now.
func NewHistory() *History { return &History{start: time.Now()} }

// Now returns the history's clock: nanoseconds since NewHistory (monotonic).
func (h *History) Now() int64 { return int64(time.Since(h.start)) }

// Record adds one call that started at call and ended at ret (both from Now). A
// failed read is dropped (it observed nothing); a call with an Unknown outcome is
// recorded as never returning.
func (h *History) Record(client int, in Input, out Output, call, ret int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if out.Outcome != Done && in.Kind == Get {
		h.droppedReads++
		return
	}
	switch out.Outcome {
	case Done:
		h.done++
	case Refused:
		h.refused++
	case Unknown:
		h.unknown++
		ret = math.MaxInt64
	}
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret})
}

// Operations returns a copy of the recorded calls.
func (h *History) Operations() []porcupine.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]porcupine.Operation(nil), h.ops...)
}

// Counts returns how many calls were recorded as Done, Refused and Unknown, and how
// many failed reads were dropped.
func (h *History) Counts() (done, refused, unknown, droppedReads int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done, h.refused, h.unknown, h.droppedReads
}
