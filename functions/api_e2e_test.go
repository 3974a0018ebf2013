package functions_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl"
)

// apiResponse is the part of an API Gateway v2 response the tests read.
type apiResponse struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// withBody returns a copy of an API Gateway v2 sample event with another body and
// authorization header.
func withBody(t *testing.T, event []byte, body, auth string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	ev["body"] = body
	ev["headers"].(map[string]any)["authorization"] = auth
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func invokeAPI(t *testing.T, fn *function, event []byte) apiResponse {
	t.Helper()
	var resp apiResponse
	if err := json.Unmarshal(fn.mustInvoke(event), &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestAPI runs the api function on Redis with the sample events of make invoke.
func TestAPI(t *testing.T) {
	r := testservers.StartRedis(t)
	url := "redis://" + r.Addr()
	fn := startFunction(t, "api", map[string]string{"KVSTORE_URL": url, "KVLAMBDA_TOKEN": "local-token"})
	set := readEvent(t, "api-set.json")
	for i, tc := range []struct {
		name   string
		event  []byte
		status int
		body   string
	}{
		{"SET", set, 200, `{"result":"OK"}`},
		{"GET", readEvent(t, "api-get.json"), 200, `{"result":"hello from make invoke"}`},
		{"wrong token", withBody(t, set, `["SET","greeting","intruder"]`, "Bearer wrong-token"), 401, `{"error":"Unauthorized"}`},
		{"no token", withBody(t, set, `["SET","greeting","intruder"]`, ""), 401, `{"error":"Unauthorized"}`},
		{"bad JSON", withBody(t, set, `["SET","other","x"`, "Bearer local-token"), 400, ``},
		{"multi-exec", withBody(t, set, `[["SET","a","1"],["INCR","n"]]`, "Bearer local-token"), 200, ``},
	} {
		if tc.name == "multi-exec" {
			var ev map[string]any
			_ = json.Unmarshal(tc.event, &ev)
			ev["rawPath"] = "/multi-exec"
			tc.event, _ = json.Marshal(ev)
			tc.body = `[{"result":"OK"},{"result":1}]`
		}
		resp := invokeAPI(t, fn, tc.event)
		if resp.StatusCode != tc.status || (tc.body != "" && resp.Body != tc.body) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, resp.StatusCode, resp.Body, tc.status, tc.body)
		}
		if tc.name == "bad JSON" && (len(resp.Body) < 10 || resp.Body[:10] != `{"error":"`) {
			t.Errorf("bad JSON: body %s", resp.Body)
		}
		if i == 0 {
			fn.checkColdStart("api", true)
		}
	}
	b, err := kvstoreurl.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(context.Background(), "greeting"); err != nil || v == nil || *v != "hello from make invoke" {
		t.Errorf("greeting = %v, %v (a refused request wrote it?)", v, err)
	}
	if v, err := b.Get(context.Background(), "other"); err != nil || v != nil {
		t.Errorf("other = %v, %v: the malformed request wrote", v, err)
	}
}
