package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
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

// readSorted reads one sorted member's item and key's meta item with one
// BatchGetItem. The member is nil when absent; dead reports a member that the meta
// item makes dead (expired with an earlier incarnation of the sorted data).
func (b *Backend) readSorted(ctx context.Context, op, key, field string, consistent bool) (m *sortedMember, dead bool, err error) {
	mk := sortedItemKey(key, field)
	found, _, err := b.getItems(ctx, []itemKey{mk, metaItemKey(key)}, consistent || b.consistent)
	if err != nil {
		return nil, false, wrap(op, key, err)
	}
	md, err := decodeMeta(found[metaItemKey(key)])
	if err != nil {
		return nil, false, corrupt(key, err)
	}
	if op == "ZScore" {
		expiryreport.FromContext(ctx).Record(key, true, md.expiry(nowMillis()))
	}
	item := found[mk]
	if len(item) == 0 {
		return nil, false, nil
	}
	if m, err = decodeSorted(item); err != nil {
		return nil, false, corrupt(key, err)
	}
	return m, !md.liveMember(m, nowMillis()), nil
}

// ZScore implements kvstore.Backend: one BatchGetItem of the member and the meta item
// (a consistent read of both costs 2 RCU, an eventually consistent one 1), whose
// expiry goes to the context's expiryreport.Report, if any.
func (b *Backend) ZScore(ctx context.Context, key string, member any) (*float64, error) {
	field, err := kvstore.SortedField(member)
	if err != nil {
		return nil, err
	}
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	m, dead, err := b.readSorted(ctx, "ZScore", key, field, false)
	if err != nil || m == nil || dead {
		return nil, err
	}
	s := m.score
	return &s, nil
}

// ZRem implements kvstore.Backend: one DeleteItem of the member and, concurrently, a
// consistent GetItem of the meta item: 2 requests, 1 round trip, 1 RCU and 2 WCU (the
// item and its rk2 index entry; 1 when the member was absent). Only when the meta
// item has an expiry that has not passed does a second round trip follow: a Query of
// the meta item and the first member (about 1 RCU) and, when no live member is left,
// an UpdateItem of the meta item (1 WCU), which ends the expiry with the last member.
func (b *Backend) ZRem(ctx context.Context, key string, member any) error {
	field, err := kvstore.SortedField(member)
	if err != nil {
		return err
	}
	return b.zhRem(ctx, "ZRem", key, field)
}

// ZHRem implements kvstore.Backend: as ZRem.
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
	removed := nowMillis()
	mc := b.readMetaAsync(ctx, op, key, true)
	_, err := b.deleteItem(ctx, &awsdynamodb.DeleteItemInput{Key: sortedKey(key, field)})
	if err != nil {
		<-mc
		return wrap(op, key, err)
	}
	// The sorted data loses its expiry with its last member.
	return b.endIncarnation(ctx, op, key, mc, removed)
}

// ZIncrBy implements kvstore.Backend: a consistent BatchGetItem of the member and the
// meta item (a dead member counts as absent), then a PutItem on condition that the
// member is unchanged; a failed condition returns the member's
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
	cur, dead, err := b.readSorted(ctx, "ZIncrBy", key, member, true)
	if err != nil {
		return 0, err
	}
	for attempt := 0; ; attempt++ {
		score, m := 0.0, member
		if cur != nil && !dead {
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
		if _, failed := conditionFailed(err); !failed {
			return 0, wrap("ZIncrBy", key, err)
		}
		// Read the member and the meta item again: a member written since is live.
		if attempt > 0 {
			if err := b.sleep(ctx, attempt); err != nil {
				return 0, wrap("ZIncrBy", key, err)
			}
		}
		if cur, dead, err = b.readSorted(ctx, "ZIncrBy", key, member, true); err != nil {
			return 0, err
		}
	}
}
