package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// ZAdd implements kvstore.Backend: ZHAdd with the member as its field.
func (b *Backend) ZAdd(ctx context.Context, key string, member any, score float64) error {
	m, err := kvstore.ToString(member)
	if err != nil {
		return err
	}
	return b.zhAdd(ctx, "ZAdd", key, m, m, score)
}

// ZHAdd implements kvstore.Backend: one PutItem of the member's item, which also
// moves it in the rk2 index when it is rescored.
func (b *Backend) ZHAdd(ctx context.Context, key, field string, member any, score float64) error {
	return b.zhAdd(ctx, "ZHAdd", key, field, member, score)
}

func (b *Backend) zhAdd(ctx context.Context, op, key, field string, member any, score float64) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	m, score, err := kvstore.SortedEntry(key, field, member, score)
	if err != nil {
		return err
	}
	_, err = b.putItem(ctx, &awsdynamodb.PutItemInput{Item: sortedItem(key, field, m, score)})
	return wrap(op, key, err)
}

// readSorted reads one sorted member's item (nil when absent).
func (b *Backend) readSorted(ctx context.Context, op, key, field string, consistent bool) (*sortedMember, error) {
	in := &awsdynamodb.GetItemInput{Key: sortedKey(key, field), ConsistentRead: b.consistentRead()}
	if consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	out, err := b.getItem(ctx, in)
	if err != nil {
		return nil, wrap(op, key, err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	m, err := decodeSorted(out.Item)
	if err != nil {
		return nil, corrupt(key, err)
	}
	return m, nil
}

// ZScore implements kvstore.Backend: one GetItem.
func (b *Backend) ZScore(ctx context.Context, key string, member any) (*float64, error) {
	field, err := kvstore.SortedField(member)
	if err != nil {
		return nil, err
	}
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	m, err := b.readSorted(ctx, "ZScore", key, field, false)
	if err != nil || m == nil {
		return nil, err
	}
	s := m.score
	return &s, nil
}

// ZRem implements kvstore.Backend: one DeleteItem.
func (b *Backend) ZRem(ctx context.Context, key string, member any) error {
	field, err := kvstore.SortedField(member)
	if err != nil {
		return err
	}
	return b.zhRem(ctx, "ZRem", key, field)
}

// ZHRem implements kvstore.Backend: one DeleteItem.
func (b *Backend) ZHRem(ctx context.Context, key, field string) error {
	if err := kvstore.ValidateSortedMember(field); err != nil {
		return err
	}
	return b.zhRem(ctx, "ZHRem", key, field)
}

func (b *Backend) zhRem(ctx context.Context, op, key, field string) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	_, err := b.deleteItem(ctx, &awsdynamodb.DeleteItemInput{Key: sortedKey(key, field)})
	return wrap(op, key, err)
}

// ZIncrBy implements kvstore.Backend: a consistent GetItem, then a PutItem on
// condition that the member is unchanged; a failed condition returns the member's
// new state, from which it tries again, until it succeeds or the context ends.
func (b *Backend) ZIncrBy(ctx context.Context, key string, member string, n float64) (float64, error) {
	if err := kvstore.ValidateSortedMember(member); err != nil {
		return 0, err
	}
	if err := kvstore.CheckItemSize(key, kvstore.SortedItemSize(key, member, len(member))); err != nil {
		return 0, err
	}
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	cur, err := b.readSorted(ctx, "ZIncrBy", key, member, true)
	if err != nil {
		return 0, err
	}
	for attempt := 0; ; attempt++ {
		score, m := 0.0, member
		if cur != nil {
			score, m = cur.score, cur.member
		}
		r, err := kvstore.AddScore(score, n)
		if err != nil {
			return 0, err
		}
		var e expr
		var cond string
		switch {
		case cur == nil:
			cond = "attribute_not_exists(" + e.name(attrHK) + ")"
		case cur.external:
			cond = e.name(attrRK2) + " = " + e.value(avB(cur.rk2)) + " AND " + e.name(attrMember) + " = " + e.value(avS(cur.member))
		case cur.hasValue:
			cond = e.name(attrRK2) + " = " + e.value(avB(cur.rk2)) + " AND " + e.name(attrValue) + " = " + e.value(avS(cur.member))
		default:
			cond = e.name(attrRK2) + " = " + e.value(avB(cur.rk2)) + " AND attribute_not_exists(" + e.name(attrValue) + ")"
		}
		_, err = b.putItem(ctx, &awsdynamodb.PutItemInput{
			Item: sortedItem(key, member, m, r), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			return r, nil
		}
		item, failed := conditionFailed(err)
		if !failed {
			return 0, wrap("ZIncrBy", key, err)
		}
		if len(item) > 0 {
			if cur, err = decodeSorted(item); err != nil {
				return 0, corrupt(key, err)
			}
		} else {
			// Absent then, or a client (DAX) that does not return the item: read it.
			if attempt > 0 {
				if err := b.sleep(ctx, attempt); err != nil {
					return 0, wrap("ZIncrBy", key, err)
				}
			}
			if cur, err = b.readSorted(ctx, "ZIncrBy", key, member, true); err != nil {
				return 0, err
			}
		}
	}
}
