package bench_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/kvlambda/kvlambda/internal/bench"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// BenchmarkClientSide measures the DynamoDB backend's own cost: Get and Set through
// the backend beside the raw SDK call that does the same (GetItem and reading the
// value; PutItem of the same item), both against a stub server that answers at once
// with canned JSON, through one SDK client. The difference in ns/op and allocs/op is
// what the backend adds to the SDK.
func BenchmarkClientSide(b *testing.B) {
	stub, err := bench.NewStub()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stub.Close() })
	client := stub.Client()
	const table = "stub"
	kv := dynamodb.NewBackend(client, table)
	ctx := context.Background()
	getInput := func() *awsdynamodb.GetItemInput {
		return &awsdynamodb.GetItemInput{
			TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{
				"hk": &types.AttributeValueMemberB{Value: []byte(bench.StubKey)},
				"rk": &types.AttributeValueMemberB{Value: []byte("_")},
			},
		}
	}
	putInput := func() *awsdynamodb.PutItemInput {
		return &awsdynamodb.PutItemInput{
			TableName: aws.String(table),
			Item: map[string]types.AttributeValue{
				"hk": &types.AttributeValueMemberB{Value: []byte(bench.StubKey)},
				"rk": &types.AttributeValueMemberB{Value: []byte("_")},
				"t":  &types.AttributeValueMemberB{Value: []byte("str")},
				"v":  &types.AttributeValueMemberB{Value: []byte(bench.StubValue)},
			},
		}
	}
	ops := []struct {
		name         string
		kvstore, sdk func() error
	}{
		{"Get",
			func() error {
				v, err := kv.Get(ctx, bench.StubKey)
				if err == nil && (v == nil || *v != bench.StubValue) {
					b.Fatalf("Get returned %v", v)
				}
				return err
			},
			func() error {
				out, err := client.GetItem(ctx, getInput())
				if err != nil {
					return err
				}
				v, ok := out.Item["v"].(*types.AttributeValueMemberB)
				if !ok || string(v.Value) != bench.StubValue {
					b.Fatalf("GetItem returned %v", out.Item)
				}
				return nil
			}},
		{"Set",
			func() error { return kv.Set(ctx, bench.StubKey, bench.StubValue) },
			func() error {
				_, err := client.PutItem(ctx, putInput())
				return err
			}},
	}
	// Each run puts the implementations in the other order (see BenchmarkDynamoDB).
	impls := []string{"kvstore", "sdk"}
	if clientRuns.Add(1)%2 == 0 {
		impls = []string{"sdk", "kvstore"}
	}
	for _, op := range ops {
		for _, impl := range impls {
			run := op.kvstore
			if impl == "sdk" {
				run = op.sdk
			}
			b.Run("op="+op.name+"/impl="+impl, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
