package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Proxy is a loopback HTTP reverse proxy in front of a DynamoDB endpoint (DynamoDB
// Local). It holds every request for a configurable delay before forwarding it,
// standing in for the network between a Lambda function and DynamoDB, and counts the
// requests and the capacity units their responses report (when the caller asked for
// them with ReturnConsumedCapacity). Requests are delayed concurrently, as a network
// would: ten requests in flight at +10 ms all take about 10 ms.
type Proxy struct {
	// URL is the proxy's endpoint, http://127.0.0.1:PORT.
	URL string

	server *http.Server
	ln     net.Listener
	rp     *httputil.ReverseProxy
	delay  atomic.Int64 // nanoseconds

	mu       sync.Mutex
	counts   map[string]int
	capacity Capacity
	inFlight int // requests being delayed or forwarded now
	peak     int // the most requests in flight at once since the last Stats
}

// NewProxy starts a proxy to endpoint (such as testservers.DynamoDBLocal's) on a free
// loopback port. Close stops it.
func NewProxy(endpoint string, delay time.Duration) (*Proxy, error) {
	target, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("bench: endpoint %q: %w", endpoint, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), ln: ln, counts: map[string]int{}}
	p.delay.Store(int64(delay))
	p.rp = httputil.NewSingleHostReverseProxy(target)
	// Enough idle connections that the proxy never dials again in a batch of 40
	// concurrent requests: what is measured is the client's side of the proxy.
	p.rp.Transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	}
	p.rp.ModifyResponse = p.modifyResponse
	p.server = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.server.Serve(ln) }()
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error {
	err := p.server.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// SetDelay changes the delay of the requests that arrive from now on.
func (p *Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// Delay returns the delay added to each request.
func (p *Proxy) Delay() time.Duration { return time.Duration(p.delay.Load()) }

// Client returns a DynamoDB client of the proxy with static dummy credentials, region
// us-east-1 and the SDK's default retryer and HTTP client, as a function would have.
func (p *Proxy) Client() *awsdynamodb.Client {
	return awsdynamodb.New(awsdynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(p.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// Stats is what a proxy counted: requests by API ("GetItem", "BatchWriteItem", ...),
// the capacity their responses reported, and the most requests that were in flight at
// once (since the previous Stats call: a benchmark takes one before and one after).
type Stats struct {
	Requests map[string]int
	Capacity Capacity
	Peak     int
}

// Total returns the number of requests of every API.
func (s Stats) Total() int {
	n := 0
	for _, c := range s.Requests {
		n += c
	}
	return n
}

// Sub returns what was counted between the snapshot o and s; its Peak is s's.
func (s Stats) Sub(o Stats) Stats {
	d := Stats{Requests: map[string]int{}, Peak: s.Peak,
		Capacity: Capacity{Read: s.Capacity.Read - o.Capacity.Read, Write: s.Capacity.Write - o.Capacity.Write}}
	for api, n := range s.Requests {
		if n -= o.Requests[api]; n != 0 {
			d.Requests[api] = n
		}
	}
	return d
}

// Stats returns a snapshot of what the proxy counted so far, and starts a new peak.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Requests: make(map[string]int, len(p.counts)), Capacity: p.capacity, Peak: p.peak}
	p.peak = p.inFlight
	for api, n := range p.counts {
		s.Requests[api] = n
	}
	return s
}

// apiOf returns the DynamoDB API a request calls, from its X-Amz-Target header
// ("DynamoDB_20120810.GetItem").
func apiOf(r *http.Request) string {
	target := r.Header.Get("X-Amz-Target")
	return target[strings.LastIndexByte(target, '.')+1:]
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.inFlight++
	p.peak = max(p.peak, p.inFlight)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.inFlight--
		p.mu.Unlock()
	}()
	if d := p.Delay(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	p.mu.Lock()
	p.counts[apiOf(r)]++
	p.mu.Unlock()
	// Plain responses, so that the proxy can read the capacity they report.
	r.Header.Del("Accept-Encoding")
	p.rp.ServeHTTP(w, r)
}

// modifyResponse adds the capacity a response reports to the proxy's count; the body
// goes on unchanged.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	c, err := ParseCapacity(apiOf(resp.Request), data)
	if err != nil {
		return nil // not a response the proxy can read: counted as no capacity
	}
	p.mu.Lock()
	p.capacity.Read += c.Read
	p.capacity.Write += c.Write
	p.mu.Unlock()
	return nil
}
