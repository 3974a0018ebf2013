// Package profile measures what a kvstore backend does: per operation (Get, Set,
// Batch.Exec, AtomicWrite.Exec, ...) how many calls, how long they took (total,
// maximum and a latency histogram) and how many failed; beside that, what the
// backends report themselves: DynamoDB requests with their consumed capacity units,
// Redis round trips with their commands, and read-cache hits and misses.
//
// A Profiler collects all of it and is safe for concurrent use. Wrap times every
// method of any backend and hands the same Profiler to the backend under it (through
// WithProfiler), so backend-specific numbers land beside the operation timings:
//
//	p := profile.New()
//	b := profile.Wrap(backend, p)
//
// In AWS Lambda, Flush at the end of each invocation writes one log line in
// CloudWatch Embedded Metric Format, which CloudWatch turns into metrics, and
// starts over; WrapHandler and LambdaHandler do it for you:
//
//	lambda.Start(profile.WrapHandler(p, handler))
package profile
