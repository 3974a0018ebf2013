package dynamodb_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestCreateTable checks the table CreateTable makes on DynamoDB Local: the key
// schema, the rk2 index and its projection, the stream, and time to live on ttl.
func TestCreateTable(t *testing.T) {
	client, table := local(t)
	ctx := t.Context()
	out, err := client.DescribeTable(ctx, &awsdynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.Table
	if len(d.KeySchema) != 2 || aws.ToString(d.KeySchema[0].AttributeName) != "hk" || aws.ToString(d.KeySchema[1].AttributeName) != "rk" {
		t.Errorf("key schema %+v, want hk, rk", d.KeySchema)
	}
	if len(d.LocalSecondaryIndexes) != 1 || aws.ToString(d.LocalSecondaryIndexes[0].IndexName) != "rk2" {
		t.Fatalf("local secondary indexes %+v, want rk2", d.LocalSecondaryIndexes)
	}
	if p := d.LocalSecondaryIndexes[0].Projection; p.ProjectionType != types.ProjectionTypeInclude ||
		!slices.Equal(slices.Sorted(slices.Values(p.NonKeyAttributes)), []string{"v", "wt"}) {
		t.Errorf("rk2 projection %v %v, want INCLUDE v, wt", p.ProjectionType, p.NonKeyAttributes)
	}
	if d.StreamSpecification == nil || !aws.ToBool(d.StreamSpecification.StreamEnabled) ||
		d.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream %+v, want new and old images", d.StreamSpecification)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &awsdynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if s := ttl.TimeToLiveDescription; s == nil || s.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(s.AttributeName) != "ttl" {
		t.Errorf("time to live %+v, want enabled on ttl", s)
	}
}
