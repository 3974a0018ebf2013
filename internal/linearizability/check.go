package linearizability

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// Report is the verdict on one history, with its figures.
type Report struct {
	// Result is porcupine's verdict: Ok, Illegal, or Unknown when the check timed out.
	Result porcupine.CheckResult
	// Operations is how many calls were checked; Done, Refused and Unknown split them
	// by outcome. DroppedReads counts failed reads, which are not checked.
	Operations, Done, Refused, Unknown, DroppedReads int
	// Partitions is how many independent key groups were checked.
	Partitions int
	// Elapsed is how long the check took.
	Elapsed time.Duration
	// Visualization is the HTML file porcupine wrote for a history that is not
	// linearizable ("" otherwise).
	Visualization string
}

// String summarizes the report in one line.
func (r Report) String() string {
	s := fmt.Sprintf("%d operations checked (%d returned, %d refused, %d outcome unknown; %d failed reads dropped) in %d partitions: %s (%v)",
		r.Operations, r.Done, r.Refused, r.Unknown, r.DroppedReads, r.Partitions, r.Result, r.Elapsed.Round(time.Millisecond))
	if r.Visualization != "" {
		s += "; visualization: " + r.Visualization
	}
	return s
}

// Check checks h against Model within timeout.
func Check(h *History, timeout time.Duration) Report {
	r, _ := check(h, timeout)
	return r
}

func check(h *History, timeout time.Duration) (Report, porcupine.LinearizationInfo) {
	ops := h.Operations()
	var r Report
	r.Operations = len(ops)
	r.Done, r.Refused, r.Unknown, r.DroppedReads = h.Counts()
	m := Model()
	r.Partitions = len(m.Partition(ops))
	start := time.Now()
	res, info := porcupine.CheckOperationsVerbose(m, ops, timeout)
	r.Elapsed = time.Since(start)
	r.Result = res
	return r, info
}

// Require checks h and fails t unless it is linearizable (writing porcupine's
// visualization of a failure to a temporary file, and the shortest failing prefix to
// the failure message); it logs the figures as "linearizability: <name>: ...".
func Require(t testing.TB, name string, h *History) Report {
	t.Helper()
	r, info := check(h, 2*time.Minute)
	if r.Result == porcupine.Illegal {
		// porcupine's HTML shows the longest linearizable prefix of each partition.
		if f, err := os.CreateTemp("", "linearizability-*.html"); err == nil {
			if porcupine.Visualize(Model(), info, f) == nil {
				r.Visualization = f.Name()
			}
			_ = f.Close()
		}
	}
	t.Logf("linearizability: %s: %s", name, r)
	if r.Operations == 0 {
		t.Fatalf("%s: no operation was recorded", name)
	}
	if r.Result != porcupine.Ok {
		t.Fatalf("%s: history is %s\n%s", name, r.Result, explain(h))
	}
	return r
}

// explain describes where a history that is not linearizable goes wrong: in the
// first partition that fails, the shortest prefix (by call time) that already fails
// is found by bisection, and its last calls are listed with their times.
func explain(h *History) string {
	m := Model()
	for _, part := range m.Partition(h.Operations()) {
		if porcupine.CheckOperationsTimeout(m, part, 30*time.Second) != porcupine.Illegal {
			continue
		}
		sort.Slice(part, func(i, j int) bool { return part[i].Call < part[j].Call })
		lo, hi := 1, len(part) // part[:hi] fails
		for lo < hi {
			mid := (lo + hi) / 2
			if porcupine.CheckOperationsTimeout(m, part[:mid], 30*time.Second) == porcupine.Illegal {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "the first %d calls of a partition fail; the last of them:\n", hi)
		for _, op := range part[max(0, hi-25):hi] {
			ret := "never"
			if op.Return != math.MaxInt64 {
				ret = strconv.FormatInt(op.Return/1000, 10) + "µs"
			}
			fmt.Fprintf(&b, "  client %d [%dµs, %s] %s\n", op.ClientId, op.Call/1000, ret,
				describe(op.Input.(Input), op.Output.(Output)))
		}
		return b.String()
	}
	return ""
}
