package dynamodb

import (
	"context"
	"math"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// incrementUpdate is the one-request form of NIncrBy: ADD n to the Number attribute,
// on condition that the key is absent or holds a live counter whose sum stays an
// int64 (an expired counter fails it: NIncrBy clears it and starts from 0).
func incrementUpdate(e *expr, n int64) (update, cond string) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if n > 0 {
		hi -= n
	} else {
		lo -= n
	}
	t, num := e.name(attrKind), e.name(attrNumber)
	str := e.value(avS(kindString))
	update = "SET " + t + " = " + str + " ADD " + num + " " + e.value(avN(n))
	cond = "attribute_not_exists(" + e.name(attrHK) + ") OR (" + t + " = " + str + " AND " + num +
		" BETWEEN " + e.value(avN(lo)) + " AND " + e.value(avN(hi)) + " AND " + live(e) + ")"
	return update, cond
}

// rewriteUpdate is NIncrBy on a counter stored as the string old in v (written by
// something other than kvstore): it moves the sum to n, on condition that v is still old.
func rewriteUpdate(e *expr, old string, sum int64) (update, cond string) {
	t, v := e.name(attrKind), e.name(attrValue)
	update = "SET " + e.name(attrNumber) + " = " + e.value(avN(sum)) + " REMOVE " + v
	cond = t + " = " + e.value(avS(kindString)) + " AND " + v + " = " + e.value(avS(old)) + " AND " + live(e)
	return update, cond
}

// counterOf returns the counter a value item holds (0 when absent) or the error
// NIncrBy meets on it.
func counterOf(key string, v *value) (int64, error) {
	switch {
	case !v.present():
		return 0, nil
	case v.kind != kindString:
		return 0, kvstore.WrongTypef(key)
	}
	return kvstore.ParseCounter(v.str)
}

// NIncrBy implements kvstore.Backend. Counters are Number attributes, so an increment
// is one UpdateItem with ADD whose condition also refuses other kinds and overflow.
// When the condition fails, the item it returns says why: another kind, a string
// that is not an integer or an overflow is an error; a counter stored as a string
// is rewritten with a conditional read-modify-write. n = 0 is one read.
func (b *Backend) NIncrBy(ctx context.Context, key string, n int64) (int64, error) {
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	if n == 0 {
		v, err := b.readValue(ctx, "NIncrBy", key, false)
		if err != nil {
			return 0, err
		}
		return counterOf(key, v)
	}
	for {
		var e expr
		update, cond := incrementUpdate(&e, n)
		out, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValues:                        types.ReturnValueUpdatedNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			num, ok := out.Attributes[attrNumber].(*types.AttributeValueMemberN)
			if !ok {
				return 0, corrupt(key, errNoCounter)
			}
			r, err := strconv.ParseInt(num.Value, 10, 64)
			if err != nil {
				return 0, corrupt(key, err)
			}
			return r, nil
		}
		item, failed := conditionFailed(err)
		if !failed {
			return 0, wrap("NIncrBy", key, err)
		}
		v, err := b.failedState(ctx, "NIncrBy", key, item)
		if err != nil {
			return 0, err
		}
		if !v.present() {
			if v.exists {
				if err := b.clearShell(ctx, "NIncrBy", key, v); err != nil {
					return 0, err
				}
			}
			continue
		}
		cur, err := counterOf(key, v)
		if err != nil {
			return 0, err
		}
		sum, err := kvstore.AddCounter(cur, n)
		if err != nil {
			return 0, err
		}
		if v.isNumber {
			if len(item) == 0 {
				continue // the failure came without the item: the counter was written since
			}
			// The ADD's condition holds on this item; it cannot have failed on it.
			return 0, corrupt(key, errCounterCondition)
		}
		var e2 expr
		update, cond = rewriteUpdate(&e2, v.str, sum)
		_, err = b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: e2.Names(), ExpressionAttributeValues: e2.Values(),
		})
		if err == nil {
			return sum, nil
		}
		if _, failed := conditionFailed(err); !failed {
			return 0, wrap("NIncrBy", key, err)
		}
		// Someone else wrote the key in between: start over.
	}
}
