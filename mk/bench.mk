# Benchmarks (issue 12): `make bench` runs every benchmark against the raw clients
# (DynamoDB Local behind a delaying proxy, redis-server, the Lambda emulator, the data
# API over loopback) and prints one table of figures, ratios and targets; the raw
# `go test -bench` output goes to $(BENCH_OUT) for benchstat. See README.md, Performance.
#
#   make bench                          everything (about 6 minutes on 2 cores)
#   make bench BENCH_ONLY=redis,memory  some suites: memory redis client dynamodb dataapi lambda
#   make bench BENCH_DELAY=20ms         the second DynamoDB run's delay per request
#   make bench-table                    the table of the last run, from $(BENCH_OUT)
#
# The benchmarks start their own servers; deps-* install them. Plain `go test -bench`
# skips the benchmarks whose server is missing; make bench runs them with CI=1, so
# that a missing server fails instead.
.PHONY: bench bench-table

BENCH_OUT ?= build/bench.txt
BENCH_DELAY ?= 10ms
BENCH_ONLY ?=

bench: deps-redis deps-dynamodb deps-rie
	$(GO) run ./internal/cmd/benchreport -out $(BENCH_OUT) -delay $(BENCH_DELAY) $(if $(BENCH_ONLY),-only $(BENCH_ONLY))

bench-table:
	$(GO) run ./internal/cmd/benchreport -from $(BENCH_OUT) -delay $(BENCH_DELAY)
