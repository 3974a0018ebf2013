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

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
