package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Reference does what the DynamoDB backend does for the benchmarked operations with
// aws-sdk-go-v2 alone, written by hand as well as the SDK allows, on the same table
// layout (see package kvstore/dynamodb): one request per single operation; batches
// split into chunks of DynamoDB's limits (100 keys per BatchGetItem, 25 items per
// BatchWriteItem), all chunks sent at once, unprocessed keys and items retried with
// the backend's backoff (full jitter, 20 ms doubling up to 2 s) until done or the
// context ends. Every request asks for the consumed capacity (TOTAL), as the backend
// does under a profiler, so that a proxy can count it.
type Reference struct {
	Client *awsdynamodb.Client
	Table  string
}

// The table layout's attribute names and markers.
const (
	attrHK        = "hk"
	attrRK        = "rk"
	attrRK2       = "rk2"
	attrKind      = "t"
	attrValue     = "v"
	indexRK2      = "rk2"
	rkValue       = "_"
	sortedPrefix  = 'z'
	maxSortedSize = 1016
)

// Chunk sizes DynamoDB allows.
const (
	batchGetSize   = 100
	batchWriteSize = 25
)

func b(s string) types.AttributeValue { return &types.AttributeValueMemberB{Value: []byte(s)} }

func valueKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrHK: b(key), attrRK: b(rkValue)}
}

func stringItem(key, value string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrHK: b(key), attrRK: b(rkValue), attrKind: b("str"), attrValue: b(value)}
}

// encodeScore is the layout's order-preserving 8-byte score.
func encodeScore(dst []byte, score float64) []byte {
	if score == 0 {
		score = 0 // -0 is stored as 0
	}
	bits := math.Float64bits(score)
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(dst, bits)
}

// Get reads key's string value with a strongly consistent GetItem; nil when absent.
func (r *Reference) Get(ctx context.Context, key string) (*string, error) {
	out, err := r.Client.GetItem(ctx, &awsdynamodb.GetItemInput{
		TableName: aws.String(r.Table), Key: valueKey(key), ConsistentRead: aws.Bool(true),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		return nil, err
	}
	return stringOf(out.Item)
}

func stringOf(item map[string]types.AttributeValue) (*string, error) {
	if item == nil {
		return nil, nil
	}
	v, ok := item[attrValue].(*types.AttributeValueMemberB)
	if !ok {
		return nil, fmt.Errorf("bench: item has no binary value")
	}
	s := string(v.Value)
	return &s, nil
}

// Set writes key's string value with one PutItem.
func (r *Reference) Set(ctx context.Context, key, value string) error {
	_, err := r.Client.PutItem(ctx, &awsdynamodb.PutItemInput{
		TableName: aws.String(r.Table), Item: stringItem(key, value),
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	return err
}

// ZAdd puts a sorted-set member's item with one PutItem.
func (r *Reference) ZAdd(ctx context.Context, key, member string, score float64) error {
	rk := append([]byte{sortedPrefix}, member...)
	rk2 := append(encodeScore(make([]byte, 0, 8+len(member)), score), member...)
	_, err := r.Client.PutItem(ctx, &awsdynamodb.PutItemInput{
		TableName: aws.String(r.Table),
		Item: map[string]types.AttributeValue{
			attrHK: b(key), attrRK: &types.AttributeValueMemberB{Value: rk}, attrRK2: &types.AttributeValueMemberB{Value: rk2},
		},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	return err
}

// ZRangeByScore returns up to limit members of key with min <= score <= max in score
// order: strongly consistent Queries of the rk2 index, paginated until limit.
func (r *Reference) ZRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	hi := encodeScore(make([]byte, 0, 8+maxSortedSize), max)
	hi = append(hi, bytes.Repeat([]byte{0xff}, maxSortedSize)...)
	in := &awsdynamodb.QueryInput{
		TableName: aws.String(r.Table), IndexName: aws.String(indexRK2), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:   aws.String("#hk = :hk AND #rk2 BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{"#hk": attrHK, "#rk2": attrRK2},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":hk": b(key), ":lo": &types.AttributeValueMemberB{Value: encodeScore(nil, min)},
			":hi": &types.AttributeValueMemberB{Value: hi},
		},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	}
	var out []string
	for {
		if limit > 0 {
			in.Limit = aws.Int32(int32(limit - len(out)))
		}
		page, err := r.Client.Query(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, item := range page.Items {
			if v, ok := item[attrValue].(*types.AttributeValueMemberB); ok {
				out = append(out, string(v.Value))
				continue
			}
			rk, ok := item[attrRK].(*types.AttributeValueMemberB)
			if !ok || len(rk.Value) == 0 {
				return nil, fmt.Errorf("bench: sorted member without its rk")
			}
			out = append(out, string(rk.Value[1:]))
		}
		if len(page.LastEvaluatedKey) == 0 || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// AtomicSet writes value to every key in one TransactWriteItems of Puts (at most 100).
func (r *Reference) AtomicSet(ctx context.Context, keys []string, value string) error {
	items := make([]types.TransactWriteItem, len(keys))
	for i, k := range keys {
		items[i] = types.TransactWriteItem{Put: &types.Put{TableName: aws.String(r.Table), Item: stringItem(k, value)}}
	}
	_, err := r.Client.TransactWriteItems(ctx, &awsdynamodb.TransactWriteItemsInput{
		TransactItems: items, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	return err
}

// BatchGet reads the string values of distinct keys: BatchGetItem chunks of 100,
// all at once, retrying unprocessed keys. Absent keys are missing from the result.
func (r *Reference) BatchGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	var mu sync.Mutex
	err := r.concurrently(len(keys), batchGetSize, func(lo, hi int) error {
		req := make([]map[string]types.AttributeValue, 0, hi-lo)
		for _, k := range keys[lo:hi] {
			req = append(req, valueKey(k))
		}
		for attempt := 0; ; attempt++ {
			res, err := r.Client.BatchGetItem(ctx, &awsdynamodb.BatchGetItemInput{
				RequestItems:           map[string]types.KeysAndAttributes{r.Table: {Keys: req, ConsistentRead: aws.Bool(true)}},
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
			})
			if err != nil {
				return err
			}
			mu.Lock()
			for _, item := range res.Responses[r.Table] {
				hk, _ := item[attrHK].(*types.AttributeValueMemberB)
				s, err := stringOf(item)
				if hk == nil || err != nil {
					mu.Unlock()
					return fmt.Errorf("bench: BatchGetItem returned a bad item")
				}
				out[string(hk.Value)] = *s
			}
			mu.Unlock()
			if req = res.UnprocessedKeys[r.Table].Keys; len(req) == 0 {
				return nil
			}
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
		}
	})
	return out, err
}

// BatchSet writes value to distinct keys: BatchWriteItem chunks of 25, all at once,
// retrying unprocessed items.
func (r *Reference) BatchSet(ctx context.Context, keys []string, value string) error {
	return r.concurrently(len(keys), batchWriteSize, func(lo, hi int) error {
		reqs := make([]types.WriteRequest, 0, hi-lo)
		for _, k := range keys[lo:hi] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: stringItem(k, value)}})
		}
		for attempt := 0; ; attempt++ {
			res, err := r.Client.BatchWriteItem(ctx, &awsdynamodb.BatchWriteItemInput{
				RequestItems:           map[string][]types.WriteRequest{r.Table: reqs},
				ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
			})
			if err != nil {
				return err
			}
			if reqs = res.UnprocessedItems[r.Table]; len(reqs) == 0 {
				return nil
			}
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
		}
	})
}

// concurrently runs f on every chunk [lo, hi) of n elements, each on its own
// goroutine, and returns the first error.
func (r *Reference) concurrently(n, size int, f func(lo, hi int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, (n+size-1)/size)
	for i := range errs {
		lo := i * size
		wg.Go(func() { errs[i] = f(lo, min(lo+size, n)) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// backoff waits before the attempt-th retry: full jitter up to min(2 s, 20 ms·2ⁿ),
// the DynamoDB backend's defaults.
func backoff(ctx context.Context, attempt int) error {
	ceiling := 2 * time.Second
	if attempt < 30 {
		if d := 20 * time.Millisecond << attempt; d < ceiling {
			ceiling = d
		}
	}
	t := time.NewTimer(time.Duration(mrand.Int64N(int64(ceiling) + 1)))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
