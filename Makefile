# kvlambda: `make run` serves the data API locally; `make test` installs what the
# tests need and runs them all. Area-specific targets live in mk/*.mk.
GO ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = 20

# mk/*.mk files append the targets that install test dependencies to TEST_DEPS and
# extra test targets to TEST_EXTRA.
TEST_DEPS :=
TEST_EXTRA :=

.DEFAULT_GOAL := help
include $(sort $(wildcard mk/*.mk))

.PHONY: help test test-go lint deps bench fuzz

help:
	@echo "make run    serve the data API on 127.0.0.1:8080 (memory backend)"
	@echo "make test   install test dependencies, lint, run every test"
	@echo "make bench  run the benchmarks"
	@echo "make fuzz   run each fuzz target for FUZZTIME (default 30s)"

deps: $(TEST_DEPS)

test: deps lint test-go $(TEST_EXTRA)

test-go:
	$(GO) test -race -count=1 -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(GO) vet -tags $(DEPLOY_TAGS) ./...
	$(STATICCHECK) -tags $(DEPLOY_TAGS) ./...
	@$(MAKE) --no-print-directory vulncheck

# DEPLOY_TAGS are every build tag of the functions' deploy builds (mk/lambda.mk),
# which lint checks too: code behind them compiles only with them.
DEPLOY_TAGS := lambda.norpc,kvstore_awsenv,kvstore_nodax

# bench: defined in mk/bench.mk.

FUZZTIME ?= 30s
# FUZZMINIMIZETIME bounds the minimization of each new input (go test's default,
# 60s, can stall a short run on targets with several string arguments).
FUZZMINIMIZETIME ?= 5s
# fuzz runs every Fuzz target of the module for FUZZTIME each, and prints each
# target's executions; it stops at the first failure, whose input go test keeps
# under the package's testdata/fuzz. (`make test` runs the seed corpora.)
fuzz:
	@for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v -e node_modules -e '^./.cache' -e '^./infra' | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | sed 's/^func //'); do \
	    out=$$($(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$dir 2>&1); rc=$$?; \
	    execs=$$(echo "$$out" | grep -o 'execs: [0-9]*' | tail -n 1); \
	    echo "$$dir $$f: $${execs:-no executions reported}, $$( [ $$rc -eq 0 ] && echo PASS || echo FAIL)"; \
	    if [ $$rc -ne 0 ]; then echo "$$out" | tail -n 40; exit 1; fi; \
	  done; \
	done
