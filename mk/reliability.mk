# Reliability (issue 13): linearizability under concurrency, faults, load and bad
# input, fuzzing, supply chain. See docs/reliability.md.
#
#   make reliability   the reliability tests alone, with their figures
#   make vulncheck     govulncheck over the module (also run by `make lint`)
#   make fuzz          each Fuzz target for FUZZTIME (root Makefile)
.PHONY: reliability vulncheck

GOVULNCHECK ?= $(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0
# GOVULNCHECK_FLAGS passes flags, such as -db file:///path/to/a/mirror of the
# vulnerability database for machines that cannot reach vuln.go.dev.
GOVULNCHECK_FLAGS ?=

# vulncheck fails on any known vulnerability that the module's code reaches. When
# the vulnerability database (vuln.go.dev) cannot be reached, as on machines that
# only reach the Go module proxy, it prints a NOTICE and does not fail: the check
# was not made, and says so.
vulncheck:
	@out=$$($(GOVULNCHECK) $(GOVULNCHECK_FLAGS) ./... 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then \
	  echo "govulncheck: no known vulnerability reached"; \
	elif echo "$$out" | grep -q "fetching vulnerabilities"; then \
	  echo "NOTICE: govulncheck could not reach its vulnerability database (vuln.go.dev): supply-chain check NOT RUN"; \
	  echo "$$out" | grep "fetching vulnerabilities" | sed 's/^/  /'; \
	else \
	  echo "$$out"; exit $$rc; \
	fi

RELIABILITY_RUN := Linearizab|CheckerFinds|Faults|Outage|NotResent|ConcurrentDeletes|LoadWithBadInput|SlowClients|LocalServerSetsTimeouts
RELIABILITY_PKGS := ./internal/linearizability/ ./kvstore/redis/ ./kvstore/dynamodb/ ./events/httpapi/ ./functions/api/

# reliability runs the reliability tests verbosely and keeps the lines with figures
# (the whole output goes to .cache/reliability.log).
reliability:
	@mkdir -p .cache; \
	$(GO) test -race -count=1 -v -run '$(RELIABILITY_RUN)' $(RELIABILITY_PKGS) > .cache/reliability.log 2>&1; rc=$$?; \
	grep -E '_test\.go:[0-9]+: (linearizability:|racy|faults on|redis outage|data API under load|slow headers|never-ending)|^(ok|FAIL|--- FAIL)' .cache/reliability.log; \
	exit $$rc
