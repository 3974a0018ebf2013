package profile

import (
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// DefaultNamespace is the CloudWatch namespace Flush writes metrics to unless
// WithNamespace says otherwise.
const DefaultNamespace = "kvlambda"

// OperationProfiler is what a profiling wrapper reports each call to.
type OperationProfiler interface {
	// ProfileOperation records one call of a kvstore operation ("Get",
	// "Batch.Exec", ...), how long it took and its error.
	ProfileOperation(operation string, duration time.Duration, err error)
}

// DynamoDBProfiler is what the dynamodb backend reports each request to.
type DynamoDBProfiler interface {
	// ProfileDynamoDBRequest records one DynamoDB request ("GetItem", ...), its
	// duration, the capacity units it consumed and its error.
	ProfileDynamoDBRequest(operation string, duration time.Duration, readUnits, writeUnits float64, err error)
}

// RedisProfiler is what the redis backend reports each round trip to.
type RedisProfiler interface {
	// ProfileRedisRoundTrip records one round trip carrying commands (one for a
	// single command, several for a pipeline), its duration and its error.
	ProfileRedisRoundTrip(commands []string, duration time.Duration, err error)
}

// CacheProfiler is what a read cache reports its lookups to.
type CacheProfiler interface {
	// ProfileCacheRead records whether a read of operation was served from the cache.
	ProfileCacheRead(operation string, hit bool)
}

// Profiler collects operation timings and backend-specific numbers. It implements
// OperationProfiler, DynamoDBProfiler, RedisProfiler and CacheProfiler, is safe for
// concurrent use, and costs one short critical section per call. A nil *Profiler
// collects nothing.
type Profiler struct {
	mu   sync.Mutex
	data Snapshot

	namespace  string
	writer     io.Writer
	dimensions []dimension
}

type dimension struct{ name, value string }

var (
	_ OperationProfiler = (*Profiler)(nil)
	_ DynamoDBProfiler  = (*Profiler)(nil)
	_ RedisProfiler     = (*Profiler)(nil)
	_ CacheProfiler     = (*Profiler)(nil)
)

// Option configures a Profiler.
type Option func(*Profiler)

// WithNamespace sets the CloudWatch namespace of the metrics Flush writes (default
// DefaultNamespace).
func WithNamespace(namespace string) Option {
	return func(p *Profiler) { p.namespace = namespace }
}

// WithWriter sets where Flush writes (default os.Stdout, which Lambda sends to
// CloudWatch Logs).
func WithWriter(w io.Writer) Option {
	return func(p *Profiler) { p.writer = w }
}

// WithDimension adds a CloudWatch dimension to every metric Flush writes. Without
// any, metrics carry the dimension FunctionName (from AWS_LAMBDA_FUNCTION_NAME) in
// Lambda, and Service = the namespace elsewhere.
func WithDimension(name, value string) Option {
	return func(p *Profiler) { p.dimensions = append(p.dimensions, dimension{name, value}) }
}

// New returns an empty Profiler.
func New(opts ...Option) *Profiler {
	p := &Profiler{namespace: DefaultNamespace, writer: os.Stdout}
	for _, o := range opts {
		o(p)
	}
	if p.namespace == "" {
		p.namespace = DefaultNamespace
	}
	if p.writer == nil {
		p.writer = os.Stdout
	}
	if len(p.dimensions) == 0 {
		if fn := os.Getenv("AWS_LAMBDA_FUNCTION_NAME"); fn != "" {
			p.dimensions = []dimension{{"FunctionName", fn}}
		} else {
			p.dimensions = []dimension{{"Service", p.namespace}}
		}
	}
	return p
}

// ProfileOperation records one call of a kvstore operation.
func (p *Profiler) ProfileOperation(operation string, duration time.Duration, err error) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.data.Operations == nil {
		p.data.Operations = make(map[string]OperationStats)
	}
	s := p.data.Operations[operation]
	s.Count++
	if err != nil {
		s.Errors++
	}
	s.observe(duration)
	s.Histogram.Observe(duration)
	p.data.Operations[operation] = s
}

// ProfileDynamoDBRequest records one DynamoDB request.
func (p *Profiler) ProfileDynamoDBRequest(operation string, duration time.Duration, readUnits, writeUnits float64, err error) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.data.DynamoDB == nil {
		p.data.DynamoDB = make(map[string]DynamoDBStats)
	}
	s := p.data.DynamoDB[operation]
	s.Requests++
	if err != nil {
		s.Errors++
	}
	s.observe(duration)
	s.ReadCapacityUnits += readUnits
	s.WriteCapacityUnits += writeUnits
	p.data.DynamoDB[operation] = s
}

// ProfileRedisRoundTrip records one Redis round trip. Each command is counted by its
// first word, upper-cased, so that full command lines count as their command.
func (p *Profiler) ProfileRedisRoundTrip(commands []string, duration time.Duration, err error) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.data.Redis
	r.RoundTrips++
	if err != nil {
		r.Errors++
	}
	r.observe(duration)
	if r.Commands == nil {
		r.Commands = make(map[string]int64)
	}
	for _, c := range commands {
		r.Commands[commandName(c)]++
	}
}

func commandName(c string) string {
	if f := strings.Fields(c); len(f) > 0 {
		return strings.ToUpper(f[0])
	}
	return "UNKNOWN"
}

// ProfileCacheRead records one read-cache lookup.
func (p *Profiler) ProfileCacheRead(operation string, hit bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.data.Cache == nil {
		p.data.Cache = make(map[string]CacheStats)
	}
	s := p.data.Cache[operation]
	if hit {
		s.Hits++
	} else {
		s.Misses++
	}
	p.data.Cache[operation] = s
}

// Snapshot returns a copy of what p collected so far.
func (p *Profiler) Snapshot() Snapshot {
	if p == nil {
		return Snapshot{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.data.clone()
}

// Reset forgets everything p collected.
func (p *Profiler) Reset() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.data = Snapshot{}
}

// take returns what p collected and resets it, atomically.
func (p *Profiler) take() Snapshot {
	if p == nil {
		return Snapshot{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.data
	p.data = Snapshot{}
	return s
}
