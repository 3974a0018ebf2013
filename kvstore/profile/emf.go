package profile

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
)

// maxMetricsPerDirective is the Embedded Metric Format's limit of metric definitions
// in one CloudWatchMetrics directive; Flush spreads more over several directives of
// the same log line.
const maxMetricsPerDirective = 100

// The CloudWatch units Flush uses.
const (
	unitCount        = "Count"
	unitMilliseconds = "Milliseconds"
)

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// Flush writes what p collected as one line of CloudWatch Embedded Metric Format to
// p's writer (os.Stdout unless WithWriter said otherwise) and resets p. It writes
// nothing when nothing was collected. Call it at the end of each Lambda invocation
// (WrapHandler and LambdaHandler do).
//
// The line holds, for each operation OP timed, the metrics OP.Count, OP.Errors,
// OP.TotalLatency and OP.MaxLatency; for each DynamoDB API operation API,
// DynamoDB.API.Count, .Errors, .TotalLatency, .MaxLatency, .ReadCapacityUnits and
// .WriteCapacityUnits, with totals DynamoDB.ReadCapacityUnits and
// DynamoDB.WriteCapacityUnits; Redis.RoundTrips, .Errors, .TotalLatency,
// .MaxLatency, .Commands and Redis.Command.NAME per command; Cache.Hits and
// Cache.Misses. Latencies are in milliseconds. Beside them, LatencyHistograms maps
// each operation to its histogram's counts, whose bucket bounds in milliseconds are
// LatencyHistogramBoundsMs (these two are log properties, not metrics).
func (p *Profiler) Flush() error {
	if p == nil {
		return nil
	}
	return p.FlushTo(p.writer)
}

// FlushTo is Flush writing to w.
func (p *Profiler) FlushTo(w io.Writer) error {
	s := p.take()
	if s.Empty() {
		return nil
	}
	line, err := p.emf(s, time.Now())
	if err != nil {
		return err
	}
	if _, err := w.Write(line); err != nil {
		return fmt.Errorf("profile: writing metrics: %w", err)
	}
	return nil
}

// emf encodes s as one Embedded Metric Format log line, newline included.
func (p *Profiler) emf(s Snapshot, now time.Time) ([]byte, error) {
	doc := make(map[string]any)
	var metrics []emfMetric
	put := func(name, unit string, v any) {
		metrics = append(metrics, emfMetric{Name: name, Unit: unit})
		doc[name] = v
	}
	histograms := make(map[string][]int64)
	for _, op := range sortedKeys(s.Operations) {
		st := s.Operations[op]
		put(op+".Count", unitCount, st.Count)
		put(op+".Errors", unitCount, st.Errors)
		put(op+".TotalLatency", unitMilliseconds, ms(st.Total))
		put(op+".MaxLatency", unitMilliseconds, ms(st.Max))
		histograms[op] = st.Histogram.Counts[:]
	}
	if len(s.DynamoDB) > 0 {
		var rcu, wcu float64
		for _, api := range sortedKeys(s.DynamoDB) {
			st := s.DynamoDB[api]
			name := "DynamoDB." + api
			put(name+".Count", unitCount, st.Requests)
			put(name+".Errors", unitCount, st.Errors)
			put(name+".TotalLatency", unitMilliseconds, ms(st.Total))
			put(name+".MaxLatency", unitMilliseconds, ms(st.Max))
			put(name+".ReadCapacityUnits", unitCount, st.ReadCapacityUnits)
			put(name+".WriteCapacityUnits", unitCount, st.WriteCapacityUnits)
			rcu += st.ReadCapacityUnits
			wcu += st.WriteCapacityUnits
		}
		put("DynamoDB.ReadCapacityUnits", unitCount, rcu)
		put("DynamoDB.WriteCapacityUnits", unitCount, wcu)
	}
	if r := s.Redis; r.RoundTrips > 0 {
		var commands int64
		for _, c := range sortedKeys(r.Commands) {
			put("Redis.Command."+c, unitCount, r.Commands[c])
			commands += r.Commands[c]
		}
		put("Redis.RoundTrips", unitCount, r.RoundTrips)
		put("Redis.Errors", unitCount, r.Errors)
		put("Redis.TotalLatency", unitMilliseconds, ms(r.Total))
		put("Redis.MaxLatency", unitMilliseconds, ms(r.Max))
		put("Redis.Commands", unitCount, commands)
	}
	if len(s.Cache) > 0 {
		var hits, misses int64
		for _, c := range s.Cache {
			hits += c.Hits
			misses += c.Misses
		}
		put("Cache.Hits", unitCount, hits)
		put("Cache.Misses", unitCount, misses)
	}
	if len(histograms) > 0 {
		bounds := make([]float64, len(HistogramBounds))
		for i, b := range HistogramBounds {
			bounds[i] = ms(b)
		}
		doc["LatencyHistogramBoundsMs"] = bounds
		doc["LatencyHistograms"] = histograms
	}

	dims := make([]string, len(p.dimensions))
	for i, d := range p.dimensions {
		dims[i] = d.name
		doc[d.name] = d.value
	}
	meta := emfMetadata{Timestamp: now.UnixMilli()}
	for chunk := range slices.Chunk(metrics, maxMetricsPerDirective) {
		meta.CloudWatchMetrics = append(meta.CloudWatchMetrics, emfDirective{
			Namespace:  p.namespace,
			Dimensions: [][]string{dims},
			Metrics:    chunk,
		})
	}
	doc["_aws"] = meta
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("profile: encoding metrics: %w", err)
	}
	return append(out, '\n'), nil
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
