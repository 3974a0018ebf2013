// Command hello is the smallest Go Lambda function: the baseline that kvlambda's
// functions' size and cold start are compared with.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, in map[string]any) (map[string]any, error) {
		return map[string]any{"hello": in["name"]}, nil
	})
}
