package profile

import (
	"maps"
	"time"
)

// Snapshot is a copy of what a Profiler collected.
type Snapshot struct {
	// Operations are the kvstore operations a profiling wrapper timed, by name ("Get",
	// "Batch.Exec", "AtomicWrite.Exec", ...).
	Operations map[string]OperationStats
	// DynamoDB are the DynamoDB requests the dynamodb backend reported, by API
	// operation ("GetItem", "Query", "TransactWriteItems", ...).
	DynamoDB map[string]DynamoDBStats
	// Redis are the round trips the redis backend reported.
	Redis RedisStats
	// Cache are the read-cache lookups the cache reported, by operation.
	Cache map[string]CacheStats
}

// Empty reports whether nothing was collected.
func (s Snapshot) Empty() bool {
	return len(s.Operations) == 0 && len(s.DynamoDB) == 0 && s.Redis.RoundTrips == 0 && len(s.Cache) == 0
}

// clone returns a deep copy of s.
func (s Snapshot) clone() Snapshot {
	out := Snapshot{
		Operations: maps.Clone(s.Operations),
		DynamoDB:   maps.Clone(s.DynamoDB),
		Redis:      s.Redis,
		Cache:      maps.Clone(s.Cache),
	}
	out.Redis.Commands = maps.Clone(s.Redis.Commands)
	return out
}

// Latency summarises the durations of a kind of call.
type Latency struct {
	// Total is the sum of the durations.
	Total time.Duration
	// Max is the longest one.
	Max time.Duration
}

func (l *Latency) observe(d time.Duration) {
	l.Total += d
	l.Max = max(l.Max, d)
}

// OperationStats describes the calls of one kvstore operation.
type OperationStats struct {
	// Count is the number of calls.
	Count int64
	// Errors is how many of them returned an error.
	Errors int64
	Latency
	// Histogram counts the calls by duration.
	Histogram Histogram
}

// Mean returns the mean duration of the calls, or 0 when there were none.
func (s OperationStats) Mean() time.Duration {
	if s.Count == 0 {
		return 0
	}
	return s.Total / time.Duration(s.Count)
}

// DynamoDBStats describes the requests of one DynamoDB API operation.
type DynamoDBStats struct {
	// Requests is the number of requests.
	Requests int64
	// Errors is how many of them failed.
	Errors int64
	Latency
	// ReadCapacityUnits and WriteCapacityUnits are the capacity units the requests
	// consumed, as DynamoDB reported them.
	ReadCapacityUnits, WriteCapacityUnits float64
}

// RedisStats describes the round trips to Redis.
type RedisStats struct {
	// RoundTrips is the number of round trips (a pipeline is one).
	RoundTrips int64
	// Errors is how many of them failed.
	Errors int64
	Latency
	// Commands counts the commands sent, by upper-case name ("GET", "HSET", ...).
	Commands map[string]int64
}

// CacheStats counts a read cache's lookups for one operation.
type CacheStats struct {
	// Hits were served from the cache, Misses from the backend.
	Hits, Misses int64
}
