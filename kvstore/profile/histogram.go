package profile

import (
	"math"
	"time"
)

// HistogramBounds are the upper bounds (inclusive) of a Histogram's buckets; one more
// bucket counts what is slower than the last bound.
var HistogramBounds = [...]time.Duration{
	100 * time.Microsecond,
	250 * time.Microsecond,
	500 * time.Microsecond,
	time.Millisecond,
	2500 * time.Microsecond,
	5 * time.Millisecond,
	10 * time.Millisecond,
	25 * time.Millisecond,
	50 * time.Millisecond,
	100 * time.Millisecond,
	250 * time.Millisecond,
	500 * time.Millisecond,
	time.Second,
	2500 * time.Millisecond,
	5 * time.Second,
}

// NumBuckets is the number of buckets of a Histogram: one per bound in
// HistogramBounds and one for everything slower.
const NumBuckets = len(HistogramBounds) + 1

// Histogram counts latencies in the buckets HistogramBounds delimits: Counts[i] counts
// the durations d with HistogramBounds[i-1] < d <= HistogramBounds[i], and the last
// bucket those above the last bound.
type Histogram struct {
	Counts [NumBuckets]int64
}

// bucket returns the index of the bucket d falls in.
func bucket(d time.Duration) int {
	for i, b := range HistogramBounds {
		if d <= b {
			return i
		}
	}
	return len(HistogramBounds)
}

// Observe counts one duration.
func (h *Histogram) Observe(d time.Duration) { h.Counts[bucket(d)]++ }

// Total returns the number of durations counted.
func (h *Histogram) Total() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Quantile returns an upper bound of the q-quantile (0 < q <= 1) of the counted
// durations: the upper bound of the bucket holding it, or math.MaxInt64 (as a
// Duration) when it lies beyond the last bound. It returns 0 when nothing was
// counted.
func (h *Histogram) Quantile(q float64) time.Duration {
	total := h.Total()
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(total)))
	if rank < 1 {
		rank = 1
	}
	var seen int64
	for i, c := range h.Counts {
		seen += c
		if seen >= rank {
			if i < len(HistogramBounds) {
				return HistogramBounds[i]
			}
			break
		}
	}
	return time.Duration(math.MaxInt64)
}
