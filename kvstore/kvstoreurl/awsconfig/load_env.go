//go:build kvstore_awsenv

package awsconfig

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const envOnly = true

func load(_ context.Context, region string) (aws.Config, error) {
	return FromEnv(region)
}
