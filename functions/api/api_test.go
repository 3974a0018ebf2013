package main

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

func event(path, auth, body string, b64 bool) lambdaevents.APIGatewayV2HTTPRequest {
	ev := lambdaevents.APIGatewayV2HTTPRequest{
		RawPath: path,
		Headers: map[string]string{"authorization": auth, "content-type": "application/json"},
		Body:    body,
	}
	ev.RequestContext.HTTP.Method = "POST"
	ev.RequestContext.RequestID = "req-1"
	if b64 {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(body)), true
	}
	return ev
}

func TestHandleEvent(t *testing.T) {
	h, err := httpapi.New(httpapi.Config{Backend: memory.NewBackend(), Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, tc := range []struct {
		ev     lambdaevents.APIGatewayV2HTTPRequest
		status int
		body   string
	}{
		{event("/", "Bearer tok", `["SET","k","v"]`, true), 200, `{"result":"OK"}`},
		{event("/", "Bearer tok", `["GET","k"]`, false), 200, `{"result":"v"}`},
		{event("/pipeline", "Bearer tok", `[["GET","k"],["PING"]]`, true), 200, `[{"result":"v"},{"result":"PONG"}]`},
		{event("/", "Bearer nope", `["GET","k"]`, false), 401, `{"error":"Unauthorized"}`},
		{func() lambdaevents.APIGatewayV2HTTPRequest {
			ev := event("/", "Bearer tok", "", false)
			ev.Body, ev.IsBase64Encoded = "%%%", true
			return ev
		}(), 400, `{"error":"ERR request body is not valid base64"}`},
	} {
		resp := handleEvent(ctx, h, tc.ev)
		if resp.StatusCode != tc.status || resp.Body != tc.body || resp.Headers["Content-Type"] != "application/json" {
			t.Errorf("%d: got %d %s %v", i, resp.StatusCode, resp.Body, resp.Headers)
		}
	}
	// A header in another case (a local emulator) is found too.
	ev := event("/", "", `["PING"]`, false)
	ev.Headers = map[string]string{"Authorization": "Bearer tok", "Upstash-Encoding": "base64"}
	if resp := handleEvent(ctx, h, ev); resp.Body != `{"result":"UE9ORw=="}` {
		t.Errorf("mixed-case headers: %s", resp.Body)
	}
}

func TestLoadTokens(t *testing.T) {
	t.Setenv("KVLAMBDA_TOKEN_SECRET_ARN", "")
	t.Setenv("KVLAMBDA_TOKEN", "")
	t.Setenv("KVLAMBDA_READONLY_TOKEN", "")
	ctx := context.Background()
	if _, err := loadTokens(ctx, true); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("Lambda without tokens: %v", err)
	}
	tk, err := loadTokens(ctx, false)
	if err != nil || !tk.generated || len(tk.full) < 32 {
		t.Errorf("local without tokens: %+v %v", tk, err)
	}
	t.Setenv("KVLAMBDA_TOKEN", "full")
	t.Setenv("KVLAMBDA_READONLY_TOKEN", "ro")
	if tk, err := loadTokens(ctx, true); err != nil || tk.full != "full" || tk.readOnly != "ro" || tk.generated {
		t.Errorf("from the environment: %+v %v", tk, err)
	}
}

func TestParseSecret(t *testing.T) {
	if tk, err := parseSecret(`{"token":"a","readonly_token":"b"}`, "arn"); err != nil || tk.full != "a" || tk.readOnly != "b" {
		t.Errorf("got %+v %v", tk, err)
	}
	if tk, err := parseSecret(`{"token":"a"}`, "arn"); err != nil || tk.full != "a" || tk.readOnly != "" {
		t.Errorf("got %+v %v", tk, err)
	}
	for _, bad := range []string{`not json`, `{}`, `{"token":""}`, `{"token":"a","readonly_token":"a"}`} {
		if _, err := parseSecret(bad, "arn:x"); err == nil || !strings.Contains(err.Error(), "arn:x") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestOpenBackend(t *testing.T) {
	for _, u := range []string{"", "memory://"} {
		if b, err := openBackend(context.Background(), u); err != nil || b == nil {
			t.Errorf("%q: %v", u, err)
		}
	}
	if _, err := openBackend(context.Background(), "nope://x"); err == nil || !strings.Contains(err.Error(), "KVSTORE_URL") {
		t.Errorf("bad URL: %v", err)
	}
}
