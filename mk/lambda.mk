# Lambda builds and local invokes under the AWS Lambda Runtime Interface Emulator.
RIE := .cache/bin/aws-lambda-rie
RIE_MODULE := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
# Every directory under functions/ is a function (functions/*_test.go are its tests).
FUNCTIONS := $(sort $(patsubst functions/%/,%,$(wildcard functions/*/)))
ARCH ?= arm64

TEST_DEPS += deps-rie

.PHONY: deps-rie build invoke

# deps-rie builds the emulator from the Go module proxy into .cache/bin.
deps-rie: $(RIE)
$(RIE):
	GOBIN=$(CURDIR)/.cache/bin $(GO) install $(RIE_MODULE)

# LAMBDA_TAGS are the deploy build's tags: lambda.norpc (no net/rpc in aws-lambda-go),
# kvstore_awsenv (AWS configuration from the environment only, as Lambda gives it:
# no profiles, SSO, STS or IMDS clients) and, unless DAX is on, kvstore_nodax (no DAX
# client: a dax:// URL is refused at init). DAX is the variable `make deploy DAX=true`
# also passes to the CDK app, so a stack with a DAX cluster gets functions with DAX.
DAX_ON := $(filter true 1 yes TRUE True YES,$(DAX))
LAMBDA_TAGS := lambda.norpc,kvstore_awsenv$(if $(DAX_ON),,$(strip ,)kvstore_nodax)

# build compiles every function as build/<name>/bootstrap for Lambda (linux/arm64;
# ARCH=amd64 for this machine), and reports each binary's size. DAX=true links the
# DAX client (about 3.5 MB more: it brings back the SDK's whole credential chain).
build:
	@for fn in $(FUNCTIONS); do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) $(GO) build -tags $(LAMBDA_TAGS) -trimpath \
	    -ldflags '-s -w' -o build/$$fn/bootstrap ./functions/$$fn || exit 1; \
	  printf '%-8s %s bytes (linux/%s, tags %s)\n' $$fn $$(stat -c %s build/$$fn/bootstrap) $(ARCH) $(LAMBDA_TAGS); \
	done

# invoke runs FN's real bootstrap (built for this machine) under the emulator with
# the event in EVENT and prints the response; the function's logs go to stderr:
#   redis-server --port 6379 &        # once: the functions' default backend
#   make invoke FN=api EVENT=testdata/events/api-set.json
#   make invoke FN=api EVENT=testdata/events/api-get.json
#   make invoke FN=bus                # testdata/events/bus.json
#   make invoke FN=stream             # testdata/events/stream.json
# KVSTORE_URL defaults to redis://127.0.0.1:6379; the api's token to local-token.
# The stream function logs the events it would publish (KVLAMBDA_STREAM_DRY_RUN=1)
# unless AWS_ENDPOINT_URL_EVENTBRIDGE (or KVLAMBDA_STREAM_DRY_RUN=0) says otherwise.
FN ?= api
EVENT ?= testdata/events/$(if $(filter api,$(FN)),api-set,$(FN)).json
INVOKE_ENV := $(if $(and $(filter stream,$(FN)),$(if $(AWS_ENDPOINT_URL_EVENTBRIDGE)$(KVLAMBDA_STREAM_DRY_RUN),,1)),KVLAMBDA_STREAM_DRY_RUN=1)
invoke: deps-rie
	@test -d functions/$(FN) || { echo "FN=$(FN): no such function (one of: $(FUNCTIONS))"; exit 2; }
	$(INVOKE_ENV) $(GO) run ./internal/cmd/invoke -fn $(FN) -event $(EVENT)
