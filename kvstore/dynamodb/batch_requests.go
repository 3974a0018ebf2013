package dynamodb

import (
	"context"
	"fmt"

	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB's limits on one batch request.
const (
	maxBatchGet   = 100
	maxBatchWrite = 25
)

// itemKey is the primary key of one item.
type itemKey struct{ hk, rk string }

func (k itemKey) attributes() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrHK: avS(k.hk), attrRK: avS(k.rk)}
}

// keyOf returns the primary key of an item, or false when it has none.
func keyOf(item map[string]types.AttributeValue) (itemKey, bool) {
	hk, ok1 := bytesOf(item[attrHK])
	rk, ok2 := bytesOf(item[attrRK])
	return itemKey{string(hk), string(rk)}, ok1 && ok2
}

func valueItemKey(key string) itemKey         { return itemKey{key, rkValue} }
func sortedItemKey(key, field string) itemKey { return itemKey{key, string(sortedRK(field))} }

// chunks splits s into slices of at most n.
func chunks[T any](s []T, n int) (out [][]T) {
	for len(s) > n {
		out, s = append(out, s[:n:n]), s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// getItems reads up to maxBatchGet distinct items with BatchGetItem, retrying the keys
// DynamoDB leaves unprocessed with backoff until it has them all or the context ends.
// It returns the items found; when it returns an error, pending holds the keys it
// could not read (neither found nor known to be absent).
func (b *Backend) getItems(ctx context.Context, keys []itemKey, consistent bool) (found map[itemKey]map[string]types.AttributeValue, pending []itemKey, err error) {
	found = make(map[itemKey]map[string]types.AttributeValue, len(keys))
	req := make([]map[string]types.AttributeValue, len(keys))
	for i, k := range keys {
		req[i] = k.attributes()
	}
	for attempt := 0; ; attempt++ {
		out, err := b.batchGetItem(ctx, &awsdynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			*b.table: {Keys: req, ConsistentRead: &consistent},
		}})
		if err != nil {
			return found, keysOf(req), err
		}
		for _, item := range out.Responses[*b.table] {
			k, ok := keyOf(item)
			if !ok {
				return found, keysOf(req), fmt.Errorf("BatchGetItem returned an item without its key")
			}
			found[k] = item
		}
		req = out.UnprocessedKeys[*b.table].Keys
		if len(req) == 0 {
			return found, nil, nil
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return found, keysOf(req), fmt.Errorf("%d keys left unprocessed: %w", len(req), err)
		}
	}
}

func keysOf(req []map[string]types.AttributeValue) []itemKey {
	out := make([]itemKey, 0, len(req))
	for _, k := range req {
		if ik, ok := keyOf(k); ok {
			out = append(out, ik)
		}
	}
	return out
}

// writeItems writes up to maxBatchWrite requests on distinct items with
// BatchWriteItem, retrying what DynamoDB leaves unprocessed with backoff until all is
// written or the context ends. When it returns an error, pending holds the keys of
// the items not written.
func (b *Backend) writeItems(ctx context.Context, reqs []types.WriteRequest) (pending []itemKey, err error) {
	for attempt := 0; ; attempt++ {
		out, err := b.batchWriteItem(ctx, &awsdynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{*b.table: reqs}})
		if err != nil {
			return writeKeys(reqs), err
		}
		reqs = out.UnprocessedItems[*b.table]
		if len(reqs) == 0 {
			return nil, nil
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return writeKeys(reqs), fmt.Errorf("%d items left unprocessed: %w", len(reqs), err)
		}
	}
}

func writeKeys(reqs []types.WriteRequest) []itemKey {
	out := make([]itemKey, 0, len(reqs))
	for _, r := range reqs {
		var k itemKey
		var ok bool
		switch {
		case r.PutRequest != nil:
			k, ok = keyOf(r.PutRequest.Item)
		case r.DeleteRequest != nil:
			k, ok = keyOf(r.DeleteRequest.Key)
		}
		if ok {
			out = append(out, k)
		}
	}
	return out
}
