package coldstart

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

func TestSinceProcessStartGrows(t *testing.T) {
	a := SinceProcessStart()
	time.Sleep(2 * time.Millisecond)
	b := SinceProcessStart()
	if a <= 0 || b-a < time.Millisecond {
		t.Fatalf("SinceProcessStart: %v then %v", a, b)
	}
}

func TestLogInit(t *testing.T) {
	var buf bytes.Buffer
	LogInit(slog.New(slog.NewJSONHandler(&buf, nil)))
	var rec struct {
		Msg    string   `json:"msg"`
		InitMS *float64 `json:"init_ms"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec.Msg != "init done" || rec.InitMS == nil || *rec.InitMS <= 0 {
		t.Fatalf("log line %q (%v)", buf.String(), err)
	}
}
