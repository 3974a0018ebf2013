// Package faultproxy puts a fault-injecting proxy on the loopback interface between a
// client and a real server, for reliability tests: an HTTP proxy in front of
// DynamoDB Local that answers throttling errors and server errors, loses answers,
// leaves batch items unprocessed, adds latency and cuts connections after the
// request was forwarded; and a TCP proxy in front of redis-server that cuts a
// connection after the server answered. Nothing here is a mock: every request that
// is forwarded reaches the real server.
package faultproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is a kind of fault the DynamoDB proxy injects.
type Fault int

// The faults, by what reaches DynamoDB and what the client sees.
const (
	// Throttle: not forwarded; answered 400 ThrottlingException or
	// ProvisionedThroughputExceededException (nothing happened: safe to retry).
	Throttle Fault = iota
	// ServerError: not forwarded; answered 500 InternalServerError.
	ServerError
	// LostAnswer: forwarded (the request took effect), answered 500
	// InternalServerError instead of DynamoDB's answer.
	LostAnswer
	// Cut: forwarded (the request took effect), then the connection is closed
	// without an answer.
	Cut
	// Latency: forwarded after a delay (a latency spike).
	Latency
	// Unprocessed: a BatchGetItem or BatchWriteItem forwarded with only half its
	// keys or items, the other half answered as UnprocessedKeys or UnprocessedItems.
	Unprocessed
	numFaults
)

var faultNames = [...]string{"throttle", "server error (not forwarded)", "answer lost after the write (500)",
	"connection cut after the write", "latency spike", "unprocessed batch items"}

// String names the fault.
func (f Fault) String() string {
	if f >= 0 && f < numFaults {
		return faultNames[f]
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// Rates are the probabilities of each fault per request (Unprocessed per batch
// request). Their sum must not exceed 1.
type Rates struct {
	Throttle, ServerError, LostAnswer, Cut, Latency, Unprocessed float64
	// Spike is the delay of a Latency fault (default 100ms).
	Spike time.Duration
	// Seed seeds the random choice of faults.
	Seed uint64
}

// DynamoDB is an HTTP proxy in front of a DynamoDB endpoint that injects faults.
type DynamoDB struct {
	server   *httptest.Server
	target   string
	upstream *http.Client

	mu      sync.Mutex
	rates   Rates
	rnd     *rand.Rand
	enabled bool
	counts  [numFaults]int
	byAPI   map[string]int
}

// NewDynamoDB starts a proxy on 127.0.0.1 in front of endpoint (DynamoDB Local's
// URL) and stops it when the test ends. Faults are off until Enable.
func NewDynamoDB(t testing.TB, endpoint string, rates Rates) *DynamoDB {
	t.Helper()
	if rates.Spike <= 0 {
		rates.Spike = 100 * time.Millisecond
	}
	p := &DynamoDB{
		target:   strings.TrimSuffix(endpoint, "/"),
		upstream: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		rates:    rates,
		rnd:      rand.New(rand.NewPCG(rates.Seed, 0x5eed)),
		byAPI:    map[string]int{},
	}
	p.server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.server.Close)
	return p
}

// URL is the proxy's endpoint, for the client's BaseEndpoint.
func (p *DynamoDB) URL() string { return p.server.URL }

// Enable turns fault injection on or off.
func (p *DynamoDB) Enable(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.enabled = on
}

// Counts returns how many faults of each kind were injected.
func (p *DynamoDB) Counts() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[Fault]int{}
	for f, n := range p.counts {
		if n > 0 {
			out[Fault(f)] = n
		}
	}
	return out
}

// Requests returns how many requests of each API reached the proxy.
func (p *DynamoDB) Requests() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.byAPI))
	for k, v := range p.byAPI {
		out[k] = v
	}
	return out
}

// FormatCounts writes fault counts as "kind: n, ...", in a fixed order.
func FormatCounts(counts map[Fault]int) string {
	var parts []string
	total := 0
	for f := range numFaults {
		if n := counts[f]; n > 0 {
			parts = append(parts, fmt.Sprintf("%v: %d", f, n))
			total += n
		}
	}
	return fmt.Sprintf("%d faults (%s)", total, strings.Join(parts, ", "))
}

// choose draws the fault for one request of api (-1 for none) and counts it.
func (p *DynamoDB) choose(api string) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byAPI[api]++
	if !p.enabled {
		return -1
	}
	r := p.rates
	x := p.rnd.Float64()
	f := Fault(-1)
	for _, c := range []struct {
		f    Fault
		rate float64
	}{{Throttle, r.Throttle}, {ServerError, r.ServerError}, {LostAnswer, r.LostAnswer}, {Cut, r.Cut}, {Latency, r.Latency}} {
		if x < c.rate {
			f = c.f
			break
		}
		x -= c.rate
	}
	if f == -1 && (api == "BatchGetItem" || api == "BatchWriteItem") && p.rnd.Float64() < r.Unprocessed {
		f = Unprocessed
	}
	if f >= 0 {
		p.counts[f]++
	}
	return f
}

// uncount takes back a fault that could not be applied (a batch too small to halve).
func (p *DynamoDB) uncount(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[f]--
}

func apiError(code string) []byte {
	return []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#` + code + `","message":"injected by faultproxy"}`)
}

func (p *DynamoDB) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	api := target[strings.LastIndexByte(target, '.')+1:]
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fault := p.choose(api)
	reply := func(status int, data []byte) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_, _ = w.Write(data)
	}
	switch fault {
	case Throttle:
		code := "ThrottlingException"
		if len(body)%2 == 0 {
			code = "ProvisionedThroughputExceededException"
		}
		reply(http.StatusBadRequest, apiError(code))
		return
	case ServerError:
		reply(http.StatusInternalServerError, apiError("InternalServerError"))
		return
	case Latency:
		select {
		case <-time.After(p.rates.Spike):
		case <-r.Context().Done():
			return
		}
	}
	var rest map[string]json.RawMessage
	if fault == Unprocessed {
		var fwd []byte
		fwd, rest, err = HalveBatch(api, body)
		if err != nil || len(rest) == 0 {
			p.uncount(Unprocessed)
			rest = nil
		} else {
			body = fwd
		}
	}
	status, header, data, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	switch fault {
	case LostAnswer:
		reply(http.StatusInternalServerError, apiError("InternalServerError"))
		return
	case Cut:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tcp, ok := conn.(*net.TCPConn); ok {
					_ = tcp.SetLinger(0) // a reset, as a broken network would
				}
				_ = conn.Close()
				return
			}
		}
		reply(http.StatusInternalServerError, apiError("InternalServerError"))
		return
	}
	if rest != nil && status == http.StatusOK {
		data = WithUnprocessed(api, data, rest)
	}
	for _, h := range []string{"Content-Type", "X-Amzn-Requestid"} {
		if v := header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// forward sends the request with body to the target and returns its answer.
func (p *DynamoDB) forward(r *http.Request, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range r.Header {
		switch k {
		case "Content-Length", "Accept-Encoding", "Connection":
			continue
		}
		req.Header[k] = vs
	}
	resp, err := p.upstream.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data, err
}

// HalveBatch rewrites a BatchGetItem or BatchWriteItem request to carry the first half (rounded up) of each
// table's keys or items and returns the other half, which the answer reports as
// unprocessed.
func HalveBatch(api string, body []byte) (forward []byte, rest map[string]json.RawMessage, err error) {
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, err
	}
	var items map[string]json.RawMessage
	if err := json.Unmarshal(req["RequestItems"], &items); err != nil {
		return nil, nil, err
	}
	rest = map[string]json.RawMessage{}
	for table, raw := range items {
		if api == "BatchGetItem" {
			var ka map[string]json.RawMessage
			var keys []json.RawMessage
			if json.Unmarshal(raw, &ka) != nil || json.Unmarshal(ka["Keys"], &keys) != nil || len(keys) < 2 {
				continue
			}
			half := (len(keys) + 1) / 2
			ka["Keys"], _ = json.Marshal(keys[:half])
			items[table], _ = json.Marshal(ka)
			ka["Keys"], _ = json.Marshal(keys[half:])
			rest[table], _ = json.Marshal(ka)
			continue
		}
		var reqs []json.RawMessage
		if json.Unmarshal(raw, &reqs) != nil || len(reqs) < 2 {
			continue
		}
		half := (len(reqs) + 1) / 2
		items[table], _ = json.Marshal(reqs[:half])
		rest[table], _ = json.Marshal(reqs[half:])
	}
	req["RequestItems"], _ = json.Marshal(items)
	forward, err = json.Marshal(req)
	return forward, rest, err
}

// WithUnprocessed adds the unprocessed half that HalveBatch returned to a batch answer,
// as UnprocessedKeys or UnprocessedItems.
func WithUnprocessed(api string, resp []byte, rest map[string]json.RawMessage) []byte {
	var out map[string]json.RawMessage
	if err := json.Unmarshal(resp, &out); err != nil || len(rest) == 0 {
		return resp
	}
	field := "UnprocessedKeys"
	if api == "BatchWriteItem" {
		field = "UnprocessedItems"
	}
	out[field], _ = json.Marshal(rest)
	data, err := json.Marshal(out)
	if err != nil {
		return resp
	}
	return data
}
