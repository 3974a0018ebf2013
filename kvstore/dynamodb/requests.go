package dynamodb

import (
	"context"
	"fmt"
	"time"

	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// send makes one DynamoDB request through call: it reports it to the view's
// profiler and retries throttling errors (and a single-item write's conflict with a
// transaction in progress) with backoff until the context ends; the SDK's own
// retryer gives up after a few attempts.
func send[I, O any](ctx context.Context, b *Backend, api string, in *I,
	call func(context.Context, *I, ...func(*awsdynamodb.Options)) (*O, error),
	capacity func(*O) []types.ConsumedCapacity) (*O, error) {
	for attempt := 0; ; attempt++ {
		start := time.Now()
		out, err := call(ctx, in)
		if b.profiler != nil {
			var cc []types.ConsumedCapacity
			if out != nil {
				cc = capacity(out)
			}
			r, w := capacityUnits(api, cc)
			b.profiler.ProfileDynamoDBRequest(api, time.Since(start), r, w, err)
		}
		if err == nil || !(isThrottle(err) || (api != "TransactWriteItems" && isTransactionConflict(err))) {
			return out, err
		}
		if serr := b.sleep(ctx, attempt); serr != nil {
			return nil, fmt.Errorf("%w (stopped retrying: %w)", err, serr)
		}
	}
}

// capacityUnits splits consumed capacity into read and write units.
func capacityUnits(api string, cc []types.ConsumedCapacity) (read, write float64) {
	for _, c := range cc {
		if c.ReadCapacityUnits != nil || c.WriteCapacityUnits != nil {
			if c.ReadCapacityUnits != nil {
				read += *c.ReadCapacityUnits
			}
			if c.WriteCapacityUnits != nil {
				write += *c.WriteCapacityUnits
			}
			continue
		}
		if c.CapacityUnits == nil {
			continue
		}
		switch api {
		case "GetItem", "Query", "BatchGetItem":
			read += *c.CapacityUnits
		default:
			write += *c.CapacityUnits
		}
	}
	return read, write
}

func one(c *types.ConsumedCapacity) []types.ConsumedCapacity {
	if c == nil {
		return nil
	}
	return []types.ConsumedCapacity{*c}
}

func (b *Backend) getItem(ctx context.Context, in *awsdynamodb.GetItemInput) (*awsdynamodb.GetItemOutput, error) {
	in.TableName, in.ReturnConsumedCapacity = b.table, b.returnCapacity()
	return send(ctx, b, "GetItem", in, b.client.GetItem,
		func(o *awsdynamodb.GetItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (b *Backend) putItem(ctx context.Context, in *awsdynamodb.PutItemInput) (*awsdynamodb.PutItemOutput, error) {
	in.TableName, in.ReturnConsumedCapacity = b.table, b.returnCapacity()
	return send(ctx, b, "PutItem", in, once(b.client.PutItem),
		func(o *awsdynamodb.PutItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (b *Backend) updateItem(ctx context.Context, in *awsdynamodb.UpdateItemInput) (*awsdynamodb.UpdateItemOutput, error) {
	in.TableName, in.ReturnConsumedCapacity = b.table, b.returnCapacity()
	return send(ctx, b, "UpdateItem", in, once(b.client.UpdateItem),
		func(o *awsdynamodb.UpdateItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (b *Backend) deleteItem(ctx context.Context, in *awsdynamodb.DeleteItemInput) (*awsdynamodb.DeleteItemOutput, error) {
	in.TableName, in.ReturnConsumedCapacity = b.table, b.returnCapacity()
	return send(ctx, b, "DeleteItem", in, once(b.client.DeleteItem),
		func(o *awsdynamodb.DeleteItemOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (b *Backend) query(ctx context.Context, in *awsdynamodb.QueryInput) (*awsdynamodb.QueryOutput, error) {
	in.TableName, in.ReturnConsumedCapacity = b.table, b.returnCapacity()
	return send(ctx, b, "Query", in, b.client.Query,
		func(o *awsdynamodb.QueryOutput) []types.ConsumedCapacity { return one(o.ConsumedCapacity) })
}

func (b *Backend) batchGetItem(ctx context.Context, in *awsdynamodb.BatchGetItemInput) (*awsdynamodb.BatchGetItemOutput, error) {
	in.ReturnConsumedCapacity = b.returnCapacity()
	return send(ctx, b, "BatchGetItem", in, b.client.BatchGetItem,
		func(o *awsdynamodb.BatchGetItemOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (b *Backend) batchWriteItem(ctx context.Context, in *awsdynamodb.BatchWriteItemInput) (*awsdynamodb.BatchWriteItemOutput, error) {
	in.ReturnConsumedCapacity = b.returnCapacity()
	return send(ctx, b, "BatchWriteItem", in, b.client.BatchWriteItem,
		func(o *awsdynamodb.BatchWriteItemOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}

func (b *Backend) transactWriteItems(ctx context.Context, in *awsdynamodb.TransactWriteItemsInput) (*awsdynamodb.TransactWriteItemsOutput, error) {
	in.ReturnConsumedCapacity = b.returnCapacity()
	return send(ctx, b, "TransactWriteItems", in, marked(b.client.TransactWriteItems),
		func(o *awsdynamodb.TransactWriteItemsOutput) []types.ConsumedCapacity { return o.ConsumedCapacity })
}
