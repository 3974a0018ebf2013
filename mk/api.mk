# The data API (issue 6): `make run` serves it locally; deps-upstash installs the
# @upstash/redis client the end-to-end test drives.
.PHONY: run deps-upstash

TEST_DEPS += deps-upstash

# run: the API on 127.0.0.1:8080 (ADDR to change) on the memory backend (KVSTORE_URL
# to change), with a generated token unless KVLAMBDA_TOKEN is set.
run:
	$(GO) build -o bin/api ./functions/api
	exec ./bin/api

deps-upstash: test/upstash/node_modules/.installed

test/upstash/node_modules/.installed: test/upstash/package.json test/upstash/package-lock.json
	cd test/upstash && npm ci --no-audit --no-fund
	touch $@
