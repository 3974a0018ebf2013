# Infrastructure (infra/, its own Go module: the CDK app in Go). See docs/deploy.md.
#
#   make test-infra              CDK assertion + cdk-nag tests (Go modules only)
#   make synth [DAX=true]        template into infra/cdk.out, offline, no AWS credentials
#   make deploy [DAX=true]       build the functions, then cdk deploy
#   make diff / make destroy     cdk diff / cdk destroy (FORCE=1 skips the prompt)
#
# Optional variables: DAX=true (DAX cluster), DEV=true (dev stack: no deletion
# protection, data deleted with the stack), STACK=NAME (stack name, default Kvlambda).

INFRA_GO ?= go
INFRA_STACK := $(or $(STACK),Kvlambda)
INFRA_ENV := CDK_DISABLE_CLI_TELEMETRY=1 CDK_DISABLE_VERSION_CHECK=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
INFRA_CDK := node_modules/.bin/cdk
INFRA_CONTEXT := $(if $(DAX),-c dax=$(DAX)) $(if $(DEV),-c dev=$(DEV)) $(if $(STACK),-c stackName=$(STACK))
# npm ci writes node_modules/.package-lock.json: reinstall when the pins change.
INFRA_CLI := infra/node_modules/.package-lock.json

TEST_EXTRA += test-infra

.PHONY: test-infra synth deploy diff destroy

test-infra:
	cd infra && JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(INFRA_GO) test -count=1 ./...

$(INFRA_CLI): infra/package.json infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund

# synth works without `make build`: when build/<function>/bootstrap is missing it
# synthesizes with placeholder bootstraps and says so (the template is for review;
# `make deploy` always builds and synthesizes again). If the CDK CLI fails (it
# should not need credentials), it falls back to running the Go app directly.
synth: $(INFRA_CLI)
	@set -e; cd infra; ctx="$(INFRA_CONTEXT)"; placeholder=""; \
	for fn in api bus stream; do [ -f ../build/$$fn/bootstrap ] || placeholder=1; done; \
	if [ -n "$$placeholder" ]; then \
	  tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  for fn in api bus stream; do mkdir -p $$tmp/$$fn; printf '#!/bin/sh\necho placeholder >&2; exit 1\n' > $$tmp/$$fn/bootstrap; done; \
	  ctx="$$ctx -c buildDir=$$tmp"; \
	  echo "WARNING: build/<function>/bootstrap missing (run 'make build'): synthesizing with PLACEHOLDER code, for review only."; \
	fi; \
	if ! $(INFRA_ENV) $(INFRA_CDK) synth --no-notices --quiet $$ctx; then \
	  echo "cdk synth failed; falling back to '$(INFRA_GO) run ./cmd/kvlambda' (writes cdk.out)"; \
	  json=$$(echo "$$ctx" | tr ' ' '\n' | grep '=' | sed 's/^\([^=]*\)=\(.*\)$$/"\1":"\2"/' | paste -sd, -); \
	  rm -rf cdk.out; CDK_CONTEXT_JSON="{$$json}" $(INFRA_ENV) $(INFRA_GO) run ./cmd/kvlambda; \
	fi; \
	echo "Template: infra/cdk.out/$(INFRA_STACK).template.json (cdk-nag report: infra/cdk.out/AwsSolutions-*NagReport.csv)"

# deploy needs AWS credentials and a bootstrapped account/region (`cdk bootstrap`).
# Outputs (ApiUrl, TokenSecretArn, ...) are also written to infra/cdk-outputs.json.
deploy: build $(INFRA_CLI)
	cd infra && $(INFRA_ENV) $(INFRA_CDK) deploy --no-notices --require-approval never \
	  --outputs-file cdk-outputs.json $(INFRA_CONTEXT) $(INFRA_STACK)

diff: build $(INFRA_CLI)
	cd infra && $(INFRA_ENV) $(INFRA_CDK) diff --no-notices $(INFRA_CONTEXT) $(INFRA_STACK)

# The table (and its KMS key) are retained unless the stack was deployed with
# DEV=true: see docs/deploy.md to delete them.
destroy: build $(INFRA_CLI)
	cd infra && $(INFRA_ENV) $(INFRA_CDK) destroy --no-notices $(if $(FORCE),--force) $(INFRA_CONTEXT) $(INFRA_STACK)
