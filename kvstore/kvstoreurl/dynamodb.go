package kvstoreurl

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/kvlambda/kvlambda/kvstore"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl/awsconfig"
)

// awsConfig loads the AWS configuration (package awsconfig: the SDK's standard chain,
// or the environment only in a build with the tag kvstore_awsenv), with the URL's
// region if it has one.
func awsConfig(ctx context.Context, s *spec) (aws.Config, error) {
	cfg, err := awsconfig.Load(ctx, s.params.Get("region"))
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
