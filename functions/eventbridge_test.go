package functions_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// localEventBridge is a local HTTP server standing in for EventBridge's PutEvents API
// (AWS JSON 1.1: POST with X-Amz-Target: AWSEvents.PutEvents), reached by the SDK
// through AWS_ENDPOINT_URL_EVENTBRIDGE. It records the entries it accepts and fails
// those that fail says.
type localEventBridge struct {
	URL string

	mu      sync.Mutex
	entries []putEventsEntry
	calls   int
	// fail returns the error code for an entry, or "" to accept it.
	fail func(e putEventsEntry) string
}

// putEventsEntry is one entry of a PutEvents request as the SDK sends it.
type putEventsEntry struct {
	Source       string   `json:"Source"`
	DetailType   string   `json:"DetailType"`
	Detail       string   `json:"Detail"`
	EventBusName string   `json:"EventBusName"`
	Time         *float64 `json:"Time"` // epoch seconds
	Resources    []string `json:"Resources"`
}

func startLocalEventBridge(t *testing.T, fail func(putEventsEntry) string) *localEventBridge {
	t.Helper()
	eb := &localEventBridge{fail: fail}
	srv := httptest.NewServer(http.HandlerFunc(eb.serve))
	t.Cleanup(srv.Close)
	eb.URL = srv.URL
	return eb
}

func (eb *localEventBridge) serve(w http.ResponseWriter, r *http.Request) {
	writeErr := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, typ, msg)
	}
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "AWSEvents.PutEvents" {
		writeErr(http.StatusBadRequest, "UnknownOperationException", "only AWSEvents.PutEvents: got "+r.Method+" "+r.Header.Get("X-Amz-Target"))
		return
	}
	if r.Header.Get("Authorization") == "" {
		writeErr(http.StatusForbidden, "MissingAuthenticationTokenException", "unsigned request")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeErr(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	var in struct{ Entries []putEventsEntry }
	if err := json.Unmarshal(body, &in); err != nil {
		writeErr(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		writeErr(http.StatusBadRequest, "ValidationException", fmt.Sprintf("%d entries", len(in.Entries)))
		return
	}
	type result struct {
		EventID      string `json:"EventId,omitempty"`
		ErrorCode    string `json:"ErrorCode,omitempty"`
		ErrorMessage string `json:"ErrorMessage,omitempty"`
	}
	var out struct {
		FailedEntryCount int
		Entries          []result
	}
	eb.mu.Lock()
	eb.calls++
	for i, e := range in.Entries {
		if code := eb.fail(e); code != "" {
			out.FailedEntryCount++
			out.Entries = append(out.Entries, result{ErrorCode: code, ErrorMessage: "failed by the test"})
			continue
		}
		eb.entries = append(eb.entries, e)
		out.Entries = append(out.Entries, result{EventID: fmt.Sprintf("evt-%d-%d", eb.calls, i)})
	}
	eb.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// published returns the entries accepted so far.
func (eb *localEventBridge) published() []putEventsEntry {
	eb.mu.Lock()
	defer eb.mu.Unlock()
	return append([]putEventsEntry(nil), eb.entries...)
}
