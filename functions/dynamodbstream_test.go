package functions_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// readStream reads the table's stream from DynamoDB Local (every shard, from the
// start) until it holds a record of the value item of key until, and returns the
// records in the shape Lambda's event source mapping hands them to a function.
func readStream(t *testing.T, endpoint string, ddb *awsdynamodb.Client, table, until string) []lambdaevents.DynamoDBEventRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	desc, err := ddb.DescribeTable(ctx, &awsdynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(desc.Table.LatestStreamArn)
	if arn == "" {
		t.Fatal("the table has no stream")
	}
	streams := dynamodbstreams.New(dynamodbstreams.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	sd, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var out []lambdaevents.DynamoDBEventRecord
	for _, shard := range sd.StreamDescription.Shards {
		it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: aws.String(arn), ShardId: shard.ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for empty := 0; iter != nil && empty < 3; {
			recs, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs.Records) == 0 {
				empty++
			}
			for _, r := range recs.Records {
				out = append(out, lambdaRecord(t, r, arn))
			}
			iter = recs.NextShardIterator
		}
	}
	for _, r := range out {
		if hk, ok := r.Change.Keys["hk"]; ok && string(hk.Binary()) == until {
			return out
		}
	}
	t.Fatalf("the stream has no record of %q among %d records", until, len(out))
	return nil
}

// lambdaRecord converts a record read with the DynamoDB Streams API to the record of
// a Lambda event.
func lambdaRecord(t *testing.T, r streamtypes.Record, streamARN string) lambdaevents.DynamoDBEventRecord {
	t.Helper()
	sr := r.Dynamodb
	out := lambdaevents.DynamoDBEventRecord{
		AWSRegion: aws.ToString(r.AwsRegion), EventID: aws.ToString(r.EventID), EventName: string(r.EventName),
		EventSource: aws.ToString(r.EventSource), EventVersion: aws.ToString(r.EventVersion), EventSourceArn: streamARN,
		Change: lambdaevents.DynamoDBStreamRecord{
			Keys: lambdaImage(t, sr.Keys), NewImage: lambdaImage(t, sr.NewImage), OldImage: lambdaImage(t, sr.OldImage),
			SequenceNumber: aws.ToString(sr.SequenceNumber), SizeBytes: aws.ToInt64(sr.SizeBytes),
			StreamViewType: string(sr.StreamViewType),
		},
	}
	if sr.ApproximateCreationDateTime != nil {
		out.Change.ApproximateCreationDateTime = lambdaevents.SecondsEpochTime{Time: *sr.ApproximateCreationDateTime}
	}
	if r.UserIdentity != nil {
		out.UserIdentity = &lambdaevents.DynamoDBUserIdentity{Type: aws.ToString(r.UserIdentity.Type), PrincipalID: aws.ToString(r.UserIdentity.PrincipalId)}
	}
	return out
}

func lambdaImage(t *testing.T, in map[string]streamtypes.AttributeValue) map[string]lambdaevents.DynamoDBAttributeValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]lambdaevents.DynamoDBAttributeValue, len(in))
	for k, v := range in {
		out[k] = lambdaValue(t, v)
	}
	return out
}

func lambdaValue(t *testing.T, v streamtypes.AttributeValue) lambdaevents.DynamoDBAttributeValue {
	t.Helper()
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberB:
		return lambdaevents.NewBinaryAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBS:
		return lambdaevents.NewBinarySetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberN:
		return lambdaevents.NewNumberAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNS:
		return lambdaevents.NewNumberSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberS:
		return lambdaevents.NewStringAttribute(v.Value)
	case *streamtypes.AttributeValueMemberSS:
		return lambdaevents.NewStringSetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBOOL:
		return lambdaevents.NewBooleanAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNULL:
		return lambdaevents.NewNullAttribute()
	case *streamtypes.AttributeValueMemberL:
		l := make([]lambdaevents.DynamoDBAttributeValue, len(v.Value))
		for i, x := range v.Value {
			l[i] = lambdaValue(t, x)
		}
		return lambdaevents.NewListAttribute(l)
	case *streamtypes.AttributeValueMemberM:
		return lambdaevents.NewMapAttribute(lambdaImage(t, v.Value))
	}
	t.Fatalf("attribute value %T", v)
	panic(fmt.Sprintf("unreachable: %T", v))
}
