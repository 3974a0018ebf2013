# Redis backend: redis-server for the tests of kvstore/redis and internal/testservers.
# Tests start their own redis-server on free loopback ports; a system redis that the
# Debian package may start on 6379 is neither used nor in the way.
.PHONY: deps-redis
TEST_DEPS += deps-redis

REDIS_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

deps-redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server"; \
	  $(REDIS_SUDO) apt-get update && \
	  $(REDIS_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; \
	}
	@redis-server --version
