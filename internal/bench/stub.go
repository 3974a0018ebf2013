package bench

import (
	"encoding/base64"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Stub is a loopback HTTP server that answers DynamoDB requests with canned JSON, as
// DynamoDB would (with its X-Amz-Crc32 header), after an optional delay: GetItem
// returns the string item StubKey = StubValue of the table layout whatever it is
// asked, PutItem an empty object, BatchWriteItem that everything was written and
// BatchGetItem that nothing was found. Without a delay it measures a client's own
// cost; with one, what a client's concurrency does about network latency, with no
// server time in the way.
type Stub struct {
	// URL is the stub's endpoint, http://127.0.0.1:PORT.
	URL string

	server *http.Server
	delay  atomic.Int64 // nanoseconds
}

// The key and value of the item the stub's GetItem returns.
const (
	StubKey   = "k"
	StubValue = "value"
)

// NewStub starts a stub on a free loopback port. Close stops it.
func NewStub() (*Stub, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString
	replies := map[string][]byte{
		"GetItem": []byte(`{"Item":{"hk":{"B":"` + b64([]byte(StubKey)) + `"},"rk":{"B":"` + b64([]byte(rkValue)) +
			`"},"t":{"B":"` + b64([]byte("str")) + `"},"v":{"B":"` + b64([]byte(StubValue)) + `"}}}`),
		"PutItem":        []byte(`{}`),
		"BatchWriteItem": []byte(`{"UnprocessedItems":{}}`),
		"BatchGetItem":   []byte(`{"Responses":{},"UnprocessedKeys":{}}`),
	}
	s := &Stub{URL: "http://" + ln.Addr().String()}
	s.server = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(s.delay.Load()); d > 0 {
			time.Sleep(d)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		body, ok := replies[apiOf(r)]
		if !ok {
			body = []byte(`{"__type":"com.amazon.coral.service#UnknownOperationException","message":"the stub does not answer this API"}`)
		}
		h := w.Header()
		h.Set("Content-Type", "application/x-amz-json-1.0")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
		h.Set("X-Amzn-Requestid", "STUB")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = w.Write(body)
	})}
	go func() { _ = s.server.Serve(ln) }()
	return s, nil
}

// SetDelay makes the stub wait d before answering each request.
func (s *Stub) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// Client returns a DynamoDB client of the stub, configured as Proxy.Client.
func (s *Stub) Client() *awsdynamodb.Client {
	return awsdynamodb.New(awsdynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// Close stops the stub.
func (s *Stub) Close() error {
	err := s.server.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
