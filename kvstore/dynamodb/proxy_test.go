package dynamodb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// proxy is an HTTP reverse proxy in front of DynamoDB Local that counts requests by
// API and can rewrite a share of them: halve batch requests (the other half answered
// as unprocessed, as DynamoDB does under load) or answer throttling errors. It lets
// tests check what reaches DynamoDB without mocking it.
type proxy struct {
	t      testing.TB
	server *httptest.Server
	rp     *httputil.ReverseProxy

	mu     sync.Mutex
	counts map[string]int
	bodies map[string][]string
	// rewrite, when set, may answer a request itself: it returns the status and body
	// to send, or ok false to forward the request (possibly with a new body).
	rewrite func(api string, n int, body []byte) (forward []byte, status int, reply []byte, ok bool)
	// after, when set, may replace the response of a forwarded request; req is the
	// request's body as the backend sent it.
	after func(api string, n int, req, resp []byte) []byte
	// lost, when set, says which forwarded requests' responses are replaced by an
	// internal server error (the request took effect, its answer was lost).
	lost func(api string, n int) bool
}

func newProxy(t testing.TB, endpoint string) *proxy {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, counts: map[string]int{}, bodies: map[string][]string{}}
	p.rp = httputil.NewSingleHostReverseProxy(target)
	p.rp.ModifyResponse = p.modifyResponse
	p.server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.server.Close)
	return p
}

// client returns a DynamoDB client whose requests go through the proxy. retries is
// the SDK's maximum number of attempts (1: the backend's own retries only).
func (p *proxy) client(retries int) *awsdynamodb.Client {
	return awsdynamodb.New(awsdynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(p.server.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: retries,
	})
}

type apiKey struct{}

func apiOf(r *http.Request) string {
	target := r.Header.Get("X-Amz-Target")
	return target[strings.LastIndexByte(target, '.')+1:]
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	api := apiOf(r)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	p.counts[api]++
	n := p.counts[api]
	p.bodies[api] = append(p.bodies[api], string(body))
	rewrite := p.rewrite
	p.mu.Unlock()
	orig := body
	if rewrite != nil {
		forward, status, reply, answered := rewrite(api, n, body)
		if answered {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(status)
			_, _ = w.Write(reply)
			return
		}
		if forward != nil {
			body = forward
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	r.Header.Del("Accept-Encoding")
	r = r.WithContext(context.WithValue(r.Context(), apiKey{}, requestInfo{api: api, n: n, body: orig}))
	p.rp.ServeHTTP(w, r)
}

func (p *proxy) modifyResponse(resp *http.Response) error {
	info, ok := resp.Request.Context().Value(apiKey{}).(requestInfo)
	p.mu.Lock()
	after, lost := p.after, p.lost
	p.mu.Unlock()
	if !ok {
		return nil
	}
	isLost := lost != nil && lost(info.api, info.n)
	if after == nil && !isLost {
		return nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if after != nil {
		data = after(info.api, info.n, info.body, data)
	}
	if isLost {
		resp.StatusCode, resp.Status = 500, "500 Internal Server Error"
		data = []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"answer lost by the test proxy"}`)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
	resp.Header.Del("X-Amz-Crc32")
	return nil
}

// count returns how many requests of api reached the proxy.
func (p *proxy) count(api string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[api]
}

// total returns how many requests reached the proxy.
func (p *proxy) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.counts {
		n += c
	}
	return n
}

// requests returns the bodies of the requests of api.
func (p *proxy) requests(api string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bodies[api]...)
}

// reset forgets the counts and bodies.
func (p *proxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts, p.bodies = map[string]int{}, map[string][]string{}
}

// set installs rewrite and after functions.
func (p *proxy) set(rewrite func(api string, n int, body []byte) ([]byte, int, []byte, bool), after func(api string, n int, req, resp []byte) []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rewrite, p.after = rewrite, after
}

// setLost installs a lost function (see proxy.lost).
func (p *proxy) setLost(lost func(api string, n int) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lost = lost
}

type requestInfo struct {
	api  string
	n    int
	body []byte
}

// apiError is the body of a DynamoDB error response with the given code.
func apiError(code string) []byte {
	return []byte(fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"injected by the test proxy"}`, code))
}

// extract returns one top-level field of a JSON body.
func extract(t testing.TB, body []byte, field string) json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Errorf("decode request: %v", err)
	}
	return m[field]
}
