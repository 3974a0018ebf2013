// Package bench is the shared harness of kvlambda's benchmarks (`make bench`, issue
// 12): a delaying, counting proxy in front of DynamoDB Local (Proxy), a stub DynamoDB
// endpoint that answers at once (Stub), hand-written aws-sdk-go-v2 references that
// do what the DynamoDB backend does as well as the SDK alone can (Reference), Lambda
// bootstrap builds, and the report: parsing `go test -bench` output (Parse) and
// printing one table of figures, ratios and targets (Report).
//
// The benchmarks themselves live in this package's test files and beside the code
// they measure (kvstore/memory, kvstore/redis); internal/cmd/benchreport runs them all
// and prints the table.
package bench
