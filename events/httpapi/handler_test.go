package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

const (
	fullToken = "full-token"
	roToken   = "readonly-token"
)

type apiServer struct {
	*httptest.Server
	logs *bytes.Buffer
}

func newAPI(t testing.TB, backend kvstore.Backend) *apiServer {
	t.Helper()
	logs := &bytes.Buffer{}
	h, err := httpapi.New(httpapi.Config{
		Backend: backend, Token: fullToken, ReadOnlyToken: roToken,
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return &apiServer{Server: s, logs: logs}
}

// call posts body to path and returns the status and the response body.
func (s *apiServer) call(t testing.TB, path, token, body string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return resp.StatusCode, string(b)
}

type exchange struct {
	path, token, body string
	headers           []string
	status            int
	want              string
}

func runExchanges(t *testing.T, s *apiServer, xs []exchange) {
	t.Helper()
	for i, x := range xs {
		status, body := s.call(t, x.path, x.token, x.body, x.headers...)
		if status != x.status || body != x.want {
			t.Errorf("%d: POST %s %s: got %d %s, want %d %s", i, x.path, x.body, status, body, x.status, x.want)
		}
	}
}

func TestAuth(t *testing.T) {
	s := newAPI(t, memory.NewBackend())
	unauthorized := `{"error":"Unauthorized"}`
	runExchanges(t, s, []exchange{
		{"/", "", `["GET","k"]`, nil, 401, unauthorized},
		{"/", "wrong", `["GET","k"]`, nil, 401, unauthorized},
		{"/", fullToken + "x", `["GET","k"]`, nil, 401, unauthorized},
		{"/pipeline", "", `[["SET","k","v"]]`, nil, 401, unauthorized},
		{"/", fullToken, `["SET","k","v"]`, nil, 200, `{"result":"OK"}`},
		{"/", roToken, `["GET","k"]`, nil, 200, `{"result":"v"}`},
		{"/", roToken, `["SET","k","w"]`, nil, 403, `{"error":"NOPERM this token has no permissions to run the 'set' command"}`},
		{"/pipeline", roToken, `[["GET","k"],["DEL","k"]]`, nil, 403, `{"error":"NOPERM this token has no permissions to run the 'del' command"}`},
		{"/multi-exec", roToken, `[["SET","k","x"]]`, nil, 403, `{"error":"NOPERM this token has no permissions to run the 'set' command"}`},
		{"/pipeline", roToken, `[["GET","k"],["ZSCORE","z","m"],["PING"]]`, nil, 200, `[{"result":"v"},{"result":null},{"result":"PONG"}]`},
		{"/pipeline", roToken, `[["TTL","k"],["PTTL","k"],["EXPIRETIME","k"],["PEXPIRETIME","k"]]`, nil, 200, `[{"result":-1},{"result":-1},{"result":-1},{"result":-1}]`},
		{"/", roToken, `["EXPIRE","k",10]`, nil, 403, `{"error":"NOPERM this token has no permissions to run the 'expire' command"}`},
		{"/", roToken, `["GETEX","k"]`, nil, 403, `{"error":"NOPERM this token has no permissions to run the 'getex' command"}`},
	})
	// Scheme case and surrounding spaces do not matter; another scheme does.
	for _, h := range []string{"bearer " + fullToken, "BEARER  " + fullToken + " "} {
		if st, _ := s.call(t, "/", "", `["PING"]`, "Authorization", h); st != 200 {
			t.Errorf("Authorization %q: %d", h, st)
		}
	}
	if st, _ := s.call(t, "/", "", `["PING"]`, "Authorization", "Basic "+fullToken); st != 401 {
		t.Errorf("Basic auth: %d", st)
	}
}

func TestResponses(t *testing.T) {
	s := newAPI(t, memory.NewBackend())
	b64 := []string{"Upstash-Encoding", "base64"}
	runExchanges(t, s, []exchange{
		{"/", fullToken, `["SET","k","héllo"]`, b64, 200, `{"result":"OK"}`},
		{"/", fullToken, `["GET","k"]`, b64, 200, `{"result":"aMOpbGxv"}`},
		{"/", fullToken, `["GET","k"]`, nil, 200, `{"result":"héllo"}`},
		{"/", fullToken, `["GET","nope"]`, b64, 200, `{"result":null}`},
		{"/", fullToken, `["INCR","n"]`, b64, 200, `{"result":1}`},
		{"/", fullToken, `["ZADD","z",1.5,"a",1e21,"b"]`, b64, 200, `{"result":2}`},
		{"/", fullToken, `["ZRANGE","z",0,-1,"WITHSCORES"]`, b64, 200, `{"result":["YQ==","MS41","Yg==","MWUrMjE="]}`},
		{"/", fullToken, `["ZRANGE","z",0,-1,"WITHSCORES"]`, nil, 200, `{"result":["a","1.5","b","1e+21"]}`},
		{"/", fullToken, `["PING"]`, b64, 200, `{"result":"UE9ORw=="}`},
		{"/", fullToken, `["ECHO","a\"b\\c\n\u0001"]`, nil, 200, `{"result":"a\"b\\c\n\u0001"}`},
		{"/", fullToken, `["SADD","k","m"]`, b64, 400, `{"error":"WRONGTYPE Operation against a key holding the wrong kind of value"}`},
		{"/", fullToken, `["XYZ","k"]`, nil, 400, `{"error":"ERR unknown command 'XYZ'"}`},
		{"/", fullToken, `["ZADD","z","1"]`, nil, 400, `{"error":"ERR wrong number of arguments for 'zadd' command"}`},
		{"/", fullToken, `["SET","x","v","EX",10]`, nil, 200, `{"result":"OK"}`},
		{"/", fullToken, `["TTL","x"]`, nil, 200, `{"result":10}`},
		{"/", fullToken, `["SET","x","v","EX","0"]`, nil, 400, `{"error":"ERR invalid expire time in 'set' command"}`},
		{"/", fullToken, `["EXPIRE","x",10,"NX","XX"]`, nil, 400, `{"error":"ERR NX and XX, GT or LT options at the same time are not compatible"}`},
		{"/", fullToken, `["GETEX","x","PERSIST"]`, b64, 200, `{"result":"dg=="}`},
		{"/", fullToken, `["PTTL","x"]`, b64, 200, `{"result":-1}`},
		{"/", fullToken, `["GETDEL","x"]`, nil, 200, `{"result":"v"}`},
		{"/", fullToken, `["TTL","x"]`, nil, 200, `{"result":-2}`},
		{"/pipeline", fullToken, `[["SETEX","y",100,"v"],["EXPIRE","y",50,"GT"],["EXPIRE","y",50,"LT"],["TTL","y"],["PERSIST","y"],["EXPIRETIME","y"]]`, nil, 200,
			`[{"result":"OK"},{"result":0},{"result":1},{"result":50},{"result":1},{"result":-1}]`},
		{"/", fullToken, `["SET","k",null]`, nil, 400, `{"error":"ERR command arguments must be strings, numbers or booleans"}`},
		{"/", fullToken, `not json`, nil, 400, `{"error":"ERR request body must be a JSON array of strings: [\"SET\",\"key\",\"value\"]"}`},
		{"/nope", fullToken, `["GET","k"]`, nil, 404, `{"error":"ERR unknown path: use POST /, /pipeline or /multi-exec"}`},
		{"/pipeline", fullToken, `[["SET","p","1"],["INCR","p"],["SADD","p","x"],["BOGUS"],"GET",["GET","p"]]`, b64, 200,
			`[{"result":"OK"},{"result":2},{"error":"WRONGTYPE Operation against a key holding the wrong kind of value"},{"error":"ERR unknown command 'BOGUS'"},{"error":"ERR request body must be a JSON array of strings: [\"SET\",\"key\",\"value\"]"},{"result":"Mg=="}]`},
		{"/pipeline", fullToken, `[]`, nil, 400, `{"error":"ERR empty request: send at least one command"}`},
		{"/pipeline", fullToken, `["GET","k"]`, nil, 200, `[{"error":"ERR request body must be a JSON array of strings: [\"SET\",\"key\",\"value\"]"},{"error":"ERR request body must be a JSON array of strings: [\"SET\",\"key\",\"value\"]"}]`},
		{"/pipeline", fullToken, `{}`, nil, 400, `{"error":"ERR request body must be a JSON array of commands: [[\"SET\",\"k\",\"v\"],[\"GET\",\"k\"]]"}`},
	})
	// Methods other than POST.
	resp, err := s.Client().Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("GET without token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
	req.Header.Set("Authorization", "Bearer "+fullToken)
	resp, err = s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

func TestMultiExec(t *testing.T) {
	s := newAPI(t, memory.NewBackend())
	b64 := []string{"Upstash-Encoding", "base64"}
	abort := `{"error":"EXECABORT Transaction discarded because a condition failed"}`
	runExchanges(t, s, []exchange{
		{"/", fullToken, `["SET","taken","old"]`, nil, 200, `{"result":"OK"}`},
		{"/multi-exec", fullToken, `[["SET","a","1"],["INCRBY","n",5],["SET","b","2","NX"],["ZADD","z","NX",1,"m"],["DEL","taken"]]`, b64, 200,
			`[{"result":"OK"},{"result":5},{"result":"OK"},{"result":1},{"result":1}]`},
		{"/multi-exec", fullToken, `[["SET","c","1"],["SET","a","2","NX"],["INCR","n"],["ZADD","z","NX",2,"m"]]`, nil, 200,
			`[` + abort + `,{"result":null},` + abort + `,{"result":null}]`},
		{"/pipeline", fullToken, `[["MGET","a","b","c","n","taken"],["ZSCORE","z","m"]]`, nil, 200, `[{"result":["1","2",null,"5",null]},{"result":"1"}]`},
		{"/multi-exec", fullToken, `[["SET","c","1"],["GET","a"]]`, nil, 400,
			`{"error":"EXECABORT Transaction discarded because of: ERR 'get' cannot be part of an atomic write (supported: SET without GET (NX, XX, IFEQ allowed; EX or PX alone or with NX), SETNX, SETEX, PSETEX, MSET, DEL, INCR, INCRBY, DECR, DECRBY, EXPIRE and PEXPIRE (positive time, no options), HSETNX, ZADD NX (without INCR))"}`},
		{"/multi-exec", fullToken, `[["SET","c","1"],["SET"]]`, nil, 400,
			`{"error":"EXECABORT Transaction discarded because of: command 2: ERR wrong number of arguments for 'set' command"}`},
		{"/multi-exec", fullToken, `[["SET","c","1"],["INCR","a"],["SET","a","x"]]`, nil, 400,
			`{"error":"EXECABORT Transaction discarded because of: ERR invalid argument: atomic write has two operations on key \"a\""}`},
		{"/", fullToken, `["GET","c"]`, nil, 200, `{"result":null}`},
		{"/multi-exec", fullToken, `[["SETEX","e1",100,"v"],["SET","e2","v","NX","PX",100000],["EXPIRE","a",100],["PEXPIRE","nope",100]]`, nil, 200,
			`[{"result":"OK"},{"result":"OK"},{"result":1},{"result":0}]`},
		{"/pipeline", fullToken, `[["TTL","e1"],["TTL","e2"],["TTL","a"],["TTL","nope"]]`, nil, 200, `[{"result":100},{"result":100},{"result":100},{"result":-2}]`},
		{"/multi-exec", fullToken, `[["SET","e3","v"],["SET","e2","w","NX","PX",100]]`, nil, 200, `[` + abort + `,{"result":null}]`},
		{"/multi-exec", fullToken, `[["SET","e3","v"],["EXPIRE","e1",10,"GT"]]`, nil, 400,
			`{"error":"EXECABORT Transaction discarded because of: ERR 'expire' cannot be part of an atomic write (supported: ` + commands.AtomicWriteSupported + `)"}`},
		{"/", fullToken, `["GET","e3"]`, nil, 200, `{"result":null}`},
	})
}

func TestLimits(t *testing.T) {
	s := newAPI(t, memory.NewBackend())
	// A body over 1 MB: 413, nothing executed.
	big := `[["SET","big","1"],["SET","pad","` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"]]`
	if st, body := s.call(t, "/pipeline", fullToken, big); st != 413 || body != `{"error":"ERR request body larger than 1048576 bytes"}` {
		t.Errorf("big body: %d %s", st, body)
	}
	// More than 1000 commands: 400, nothing executed.
	cmds := make([]string, httpapi.MaxCommands+1)
	for i := range cmds {
		cmds[i] = `["INCR","many"]`
	}
	if st, body := s.call(t, "/pipeline", fullToken, "["+strings.Join(cmds, ",")+"]"); st != 400 || body != `{"error":"ERR too many commands: 1001 in one request, at most 1000"}` {
		t.Errorf("1001 commands: %d %s", st, body)
	}
	if st, body := s.call(t, "/multi-exec", fullToken, "["+strings.Join(cmds, ",")+"]"); st != 400 || !strings.Contains(body, "too many commands") {
		t.Errorf("1001 commands in multi-exec: %d %s", st, body)
	}
	// Exactly 1000 run.
	if st, body := s.call(t, "/pipeline", fullToken, "["+strings.Join(cmds[:1000], ",")+"]"); st != 200 || !strings.HasSuffix(body, `{"result":1000}]`) {
		t.Errorf("1000 commands: %d %.80s", st, body)
	}
	if _, body := s.call(t, "/pipeline", fullToken, `[["GET","big"],["GET","many"]]`); body != `[{"result":null},{"result":"1000"}]` {
		t.Errorf("after the refused requests: %s", body)
	}
}

// failing is a memory backend whose Get fails with an internal error, to check that
// internal details reach the log and never the client.
type failing struct{ kvstore.Backend }

func (failing) Get(context.Context, string) (*string, error) {
	return nil, errors.New("dynamodb: secret internal detail")
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	s := newAPI(t, failing{memory.NewBackend()})
	st, body := s.call(t, "/", fullToken, `["GET","k"]`, "X-Request-Id", "req-123")
	if st != 500 || body != `{"error":"ERR internal error"}` {
		t.Errorf("got %d %s", st, body)
	}
	st, body = s.call(t, "/pipeline", fullToken, `[["GET","k"],["PING"]]`)
	if st != 200 || body != `[{"error":"ERR internal error"},{"result":"PONG"}]` {
		t.Errorf("pipeline: got %d %s", st, body)
	}
	var line struct {
		Level, Msg, RequestID string
		Internal              string   `json:"internal_error"`
		Commands              []string `json:"commands"`
		Status                int      `json:"status"`
	}
	first, _, _ := strings.Cut(s.logs.String(), "\n")
	if err := json.Unmarshal([]byte(first), &line); err != nil {
		t.Fatalf("log line %q: %v", first, err)
	}
	if line.Level != "ERROR" || line.Status != 500 || !strings.Contains(line.Internal, "secret internal detail") ||
		len(line.Commands) != 1 || line.Commands[0] != "GET" || !strings.Contains(first, `"request_id":"req-123"`) {
		t.Errorf("log line: %s", first)
	}
}

// TestWithLogger checks that a handler made by WithLogger logs its requests to the
// new logger, with a generated request ID, and leaves the original handler's alone.
func TestWithLogger(t *testing.T) {
	var first, second bytes.Buffer
	h, err := httpapi.New(httpapi.Config{Backend: memory.NewBackend(), Token: fullToken,
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: &first}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h2 := h.WithLogger(slog.New(slog.NewJSONHandler(&lockedWriter{w: &second}, nil)))
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`["SET","k","v"]`))
	req.Header.Set("Authorization", "Bearer "+fullToken)
	w := httptest.NewRecorder()
	h2.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != `{"result":"OK"}` {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	id := w.Header().Get("X-Request-Id")
	if len(id) != 16 || first.Len() != 0 || !strings.Contains(second.String(), `"request_id":"`+id+`"`) {
		t.Errorf("request ID %q; first log %q; second log %q", id, first.String(), second.String())
	}
}
