# Lambda builds and local invokes under the AWS Lambda Runtime Interface Emulator.
RIE := .cache/bin/aws-lambda-rie
RIE_MODULE := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
FUNCTIONS := $(notdir $(wildcard functions/*))
ARCH ?= arm64

TEST_DEPS += deps-rie

.PHONY: deps-rie build invoke

# deps-rie builds the emulator from the Go module proxy into .cache/bin.
deps-rie: $(RIE)
$(RIE):
	GOBIN=$(CURDIR)/.cache/bin $(GO) install $(RIE_MODULE)

# build compiles every function as build/<name>/bootstrap for Lambda (linux/arm64;
# ARCH=amd64 for this machine), and reports each binary's size.
build:
	@for fn in $(FUNCTIONS); do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) $(GO) build -tags lambda.norpc -trimpath \
	    -ldflags '-s -w' -o build/$$fn/bootstrap ./functions/$$fn || exit 1; \
	  printf '%-8s %s bytes (linux/%s)\n' $$fn $$(stat -c %s build/$$fn/bootstrap) $(ARCH); \
	done

# invoke runs FN's bootstrap under the emulator with EVENT and prints the response:
#   make invoke FN=api EVENT=testdata/events/api-set.json
# KVSTORE_URL defaults to a local Redis (redis://127.0.0.1:6379).
FN ?= api
EVENT ?= testdata/events/$(FN).json
invoke: deps-rie
	$(GO) run ./internal/cmd/invoke -fn $(FN) -event $(EVENT)
