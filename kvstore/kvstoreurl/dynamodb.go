package kvstoreurl

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/kvlambda/kvlambda/kvstore"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// awsConfig loads the standard AWS configuration, with the URL's region if it has one.
func awsConfig(ctx context.Context, s *spec) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if r := s.params.Get("region"); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, failf(err, "loading the AWS configuration")
	}
	if cfg.Region == "" {
		return aws.Config{}, failf(errNoRegion, "%s", s.scheme)
	}
	return cfg, nil
}

// dynamoDBClient builds the SDK client of a dynamodb:// URL.
func dynamoDBClient(ctx context.Context, s *spec) (*awsdynamodb.Client, error) {
	cfg, err := awsConfig(ctx, s)
	if err != nil {
		return nil, err
	}
	endpoint := s.params.Get("endpoint")
	return awsdynamodb.NewFromConfig(cfg, func(o *awsdynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}

func openDynamoDB(ctx context.Context, s *spec) (kvstore.Backend, error) {
	table, err := s.table()
	if err != nil {
		return nil, err
	}
	client, err := dynamoDBClient(ctx, s)
	if err != nil {
		return nil, err
	}
	return kvdynamodb.NewBackend(client, table), nil
}
