package dynamodb

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CreateTableInput returns the CreateTable request of a kvstore table named name:
// keys hk (hash) and rk (range), the local secondary index rk2 projecting v and wt
// (not ttl, so that tagging dead members for reclamation writes no index entry; not ALL: DynamoDB counts an item's index copy in its 400 KB limit, see the package
// documentation), every key attribute binary, on-demand billing and a stream of new
// and old images.
// Infrastructure code can copy its settings; CreateTable sends it.
func CreateTableInput(name string) *awsdynamodb.CreateTableInput {
	return &awsdynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrHK), AttributeType: types.ScalarAttributeTypeB},
			{AttributeName: aws.String(attrRK), AttributeType: types.ScalarAttributeTypeB},
			{AttributeName: aws.String(attrRK2), AttributeType: types.ScalarAttributeTypeB},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrHK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrRK), KeyType: types.KeyTypeRange},
		},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String(indexRK2),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrHK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(attrRK2), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{attrValue, attrWritten}},
		}},
		BillingMode: types.BillingModePayPerRequest,
		StreamSpecification: &types.StreamSpecification{
			StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages,
		},
	}
}

// CreateTable creates a kvstore table named name (see CreateTableInput), waits
// until it is active, polling DescribeTable until then or until the context ends,
// and turns on DynamoDB's time to live on the attribute ttl, as the stack's table
// has it. It is meant for tests and local development; deployed tables come from the
// stack.
func CreateTable(ctx context.Context, client TableClient, name string) error {
	if _, err := client.CreateTable(ctx, CreateTableInput(name)); err != nil {
		return fmt.Errorf("dynamodb: create table %q: %w", name, err)
	}
	if err := WaitForTable(ctx, client, name); err != nil {
		return err
	}
	_, err := client.UpdateTimeToLive(ctx, &awsdynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attrTTL), Enabled: aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("dynamodb: turn on time to live for table %q: %w", name, err)
	}
	return nil
}

// WaitForTable waits until the table and its indexes are active.
func WaitForTable(ctx context.Context, client TableClient, name string) error {
	delay := 50 * time.Millisecond
	for {
		out, err := client.DescribeTable(ctx, &awsdynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("dynamodb: describe table %q: %w", name, err)
		}
		if active(out.Table) {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("dynamodb: waiting for table %q: %w", name, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, time.Second)
	}
}

func active(t *types.TableDescription) bool {
	if t == nil || t.TableStatus != types.TableStatusActive {
		return false
	}
	for _, g := range t.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}
