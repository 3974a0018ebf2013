package dynamodb

import (
	"context"

	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Client is the data-plane subset of the DynamoDB API the backend uses. Both
// *awsdynamodb.Client (github.com/aws/aws-sdk-go-v2/service/dynamodb) and the DAX
// client *dax.Dax (github.com/aws/aws-dax-go-v2/dax, from dax.New) satisfy it, so one
// backend serves both; a test may wrap either.
type Client interface {
	GetItem(ctx context.Context, params *awsdynamodb.GetItemInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, params *awsdynamodb.PutItemInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, params *awsdynamodb.UpdateItemInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, params *awsdynamodb.DeleteItemInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, params *awsdynamodb.QueryInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, params *awsdynamodb.BatchGetItemInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, params *awsdynamodb.BatchWriteItemInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(ctx context.Context, params *awsdynamodb.TransactWriteItemsInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.TransactWriteItemsOutput, error)
}

// TableClient is the control-plane subset CreateTable needs; *awsdynamodb.Client
// satisfies it.
type TableClient interface {
	CreateTable(ctx context.Context, params *awsdynamodb.CreateTableInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, params *awsdynamodb.DescribeTableInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, params *awsdynamodb.UpdateTimeToLiveInput, optFns ...func(*awsdynamodb.Options)) (*awsdynamodb.UpdateTimeToLiveOutput, error)
}

// The compile-time proof that the DAX client satisfies Client is in client_test.go,
// so that a program that does not use DAX does not link (and initialize) it.
var (
	_ Client      = (*awsdynamodb.Client)(nil)
	_ TableClient = (*awsdynamodb.Client)(nil)
)
