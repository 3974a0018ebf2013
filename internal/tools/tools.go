//go:build tools

// Package tools pins modules that packages land in parallel; removed once they are imported.
package tools

import (
	_ "github.com/aws/aws-dax-go-v2/dax"
	_ "github.com/aws/aws-lambda-go/lambda"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	_ "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	_ "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/tidwall/btree"
	_ "github.com/anishathalye/porcupine"
)
