package linearizability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// HTTPTarget runs calls through the data API (events/httpapi) over HTTP: GET, SET,
// SET NX, SET IFEQ, DEL and INCRBY on POST /, atomic writes on POST /multi-exec.
type HTTPTarget struct {
	url, token string
	client     *http.Client
	keys       []string
}

// NewHTTPTarget returns a target posting to the data API at url (no trailing
// slash) with token, using client; keys are prefix+"0", prefix+"1", ...
func NewHTTPTarget(client *http.Client, url, token, prefix string) *HTTPTarget {
	keys := make([]string, MaxKeys)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return &HTTPTarget{url: url, token: token, client: client, keys: keys}
}

// command returns a step as a Redis command.
func (t *HTTPTarget) command(st Step) []string {
	k := t.keys[st.Key]
	switch st.Kind {
	case Get:
		return []string{"GET", k}
	case Set:
		return []string{"SET", k, st.Value}
	case SetNX:
		return []string{"SET", k, st.Value, "NX"}
	case SetEQ:
		return []string{"SET", k, st.Value, "IFEQ", st.Old}
	case Delete:
		return []string{"DEL", k}
	case Incr:
		return []string{"INCRBY", k, strconv.FormatInt(st.N, 10)}
	}
	return []string{"?"}
}

// reply is one {"result": ...} or {"error": "..."}.
type reply struct {
	Result json.RawMessage `json:"result"`
	Error  *string         `json:"error"`
}

// post sends body to path and decodes the response into v. A transport error or a
// 5xx is an Unknown outcome; an error reply for the whole request is Refused.
func (t *HTTPTarget) post(ctx context.Context, path string, body any, v any) *Output {
	data, err := json.Marshal(body)
	if err != nil {
		return &Output{Outcome: Refused, Err: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url+path, bytes.NewReader(data))
	if err != nil {
		return &Output{Outcome: Refused, Err: err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.client.Do(req)
	if err != nil {
		return &Output{Outcome: Unknown, Err: err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return &Output{Outcome: Unknown, Err: err.Error()}
	}
	if resp.StatusCode >= 500 {
		return &Output{Outcome: Unknown, Err: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, raw)}
	}
	if resp.StatusCode != http.StatusOK {
		return &Output{Outcome: Refused, Err: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, raw)}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &Output{Outcome: Unknown, Err: fmt.Sprintf("decoding %s: %v", raw, err)}
	}
	return nil
}

// Do implements Target.
func (t *HTTPTarget) Do(ctx context.Context, in Input) Output {
	if in.Kind == Atomic {
		return t.multiExec(ctx, in)
	}
	var r reply
	if o := t.post(ctx, "/", t.command(in.Step), &r); o != nil {
		return *o
	}
	if r.Error != nil {
		return Output{Outcome: Refused, Err: *r.Error}
	}
	return decodeResult(in.Kind, r.Result)
}

// decodeResult reads a command's result as the step's output.
func decodeResult(k Kind, raw json.RawMessage) Output {
	isNull := len(raw) == 0 || string(raw) == "null"
	bad := func() Output { return Output{Outcome: Unknown, Err: fmt.Sprintf("unexpected %v result %s", k, raw)} }
	switch k {
	case Get:
		if isNull {
			return Output{}
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return bad()
		}
		return Output{Present: true, Value: s}
	case Set:
		return Output{}
	case SetNX, SetEQ:
		return Output{OK: !isNull}
	case Delete:
		var n int
		if json.Unmarshal(raw, &n) != nil {
			return bad()
		}
		return Output{OK: n > 0}
	case Incr:
		var n int64
		if json.Unmarshal(raw, &n) != nil {
			return bad()
		}
		return Output{N: n}
	}
	return bad()
}

// multiExec runs an atomic write as POST /multi-exec. When a condition fails, the
// commands whose condition failed reply null and the others EXECABORT.
func (t *HTTPTarget) multiExec(ctx context.Context, in Input) Output {
	cmds := make([][]string, len(in.Ops))
	for i, st := range in.Ops {
		cmds[i] = t.command(st)
	}
	var rs []reply
	if o := t.post(ctx, "/multi-exec", cmds, &rs); o != nil {
		return *o
	}
	if len(rs) != len(in.Ops) {
		return Output{Outcome: Unknown, Err: fmt.Sprintf("%d replies to %d commands", len(rs), len(in.Ops))}
	}
	out := Output{OK: true}
	for i, r := range rs {
		switch {
		case r.Error != nil && strings.HasPrefix(*r.Error, "EXECABORT"):
			out.OK = false
		case r.Error != nil:
			return Output{Outcome: Refused, Err: *r.Error}
		case conditional(in.Ops[i].Kind) && (len(r.Result) == 0 || string(r.Result) == "null"):
			out.OK = false
			out.Failed |= 1 << i
		}
	}
	return out
}
