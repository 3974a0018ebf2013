// Package coldstart measures a Lambda function's cold start from inside it.
package coldstart

import (
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// LogInit logs the cold start's init duration as "init done" with init_ms: the time
// from the process's start to now. Call it just before lambda.Start. (Lambda's REPORT
// line also counts the runtime's start and the first request for an event.)
func LogInit(log *slog.Logger) {
	log.Info("init done", "init_ms", float64(SinceProcessStart().Microseconds())/1000)
}

// SinceProcessStart returns how long the process has run. Go's monotonic clock
// counts from the time package's initialization, among the first things the process
// does, before the packages that take long to initialize; time.Time's String shows its
// reading as "m=+seconds".
func SinceProcessStart() time.Duration {
	s := time.Now().String()
	i := strings.LastIndex(s, " m=")
	if i < 0 {
		return 0
	}
	sec, err := strconv.ParseFloat(s[i+3:], 64)
	if err != nil {
		return 0
	}
	return time.Duration(sec * float64(time.Second))
}
