package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// begin validates a call's context and key, as every backend does first.
func begin(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return kvstore.ValidateKey(key)
}

// readValue reads key's value item; consistent forces a strongly consistent read
// (read-modify-writes), otherwise the view decides.
func (b *Backend) readValue(ctx context.Context, op, key string, consistent bool, projection ...string) (*value, error) {
	in := &awsdynamodb.GetItemInput{Key: valueKey(key), ConsistentRead: b.consistentRead()}
	if consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	if len(projection) > 0 {
		var e expr
		p := ""
		for i, a := range projection {
			if i > 0 {
				p += ", "
			}
			p += e.name(a)
		}
		in.ProjectionExpression, in.ExpressionAttributeNames = aws.String(p), e.Names()
	}
	out, err := b.getItem(ctx, in)
	if err != nil {
		return nil, wrap(op, key, err)
	}
	v, err := decodeLive(out.Item)
	if err != nil {
		return nil, corrupt(key, err)
	}
	return v, nil
}

// failedState returns the value item a failed condition met: the item the failure
// returned (ReturnValuesOnConditionCheckFailure ALL_OLD), or, when it returned none (DAX
// returns none; DynamoDB none for an absent item), what a consistent read finds now.
// Callers retry when the state they get would have passed their condition.
func (b *Backend) failedState(ctx context.Context, op, key string, item map[string]types.AttributeValue) (*value, error) {
	if len(item) == 0 {
		return b.readValue(ctx, op, key, true)
	}
	v, err := decodeLive(item)
	if err != nil {
		return nil, corrupt(key, err)
	}
	return v, nil
}

// clearShell deletes key's item if it is still the shell v (an emptied set or hash,
// an item without a kind, or an expired item), so that an operation that found it can retry against
// an absent key. Losing the race to another writer is fine: the caller retries and
// sees whatever is there now.
func (b *Backend) clearShell(ctx context.Context, op, key string, v *value) error {
	var e expr
	var cond string
	switch {
	case v.expired:
		// Writes that keep an expiry require the item live, so an expired item with
		// the same x is still the expired item v.
		cond = e.name(attrExpiry) + " = " + e.value(avN(v.expiry))
	case v.kind == kindSet:
		cond = e.name(attrKind) + " = " + e.value(avS(kindSet)) + " AND attribute_not_exists(" + e.name(attrMembers) + ")"
	case v.kind == kindHash:
		// A hash's fields cannot be named in a condition; its version can: any write
		// since v was read replaced it.
		cond = e.name(attrKind) + " = " + e.value(avS(kindHash)) + " AND "
		if v.version != nil {
			cond += e.name(attrVersion) + " = " + e.value(v.version)
		} else {
			cond += "attribute_not_exists(" + e.name(attrVersion) + ")"
		}
	case v.kind == kindString:
		cond = e.name(attrKind) + " = " + e.value(avS(kindString)) + " AND attribute_not_exists(" +
			e.name(attrValue) + ") AND attribute_not_exists(" + e.name(attrNumber) + ")"
	default:
		cond = "attribute_not_exists(" + e.name(attrKind) + ")"
	}
	_, err := b.deleteItem(ctx, &awsdynamodb.DeleteItemInput{
		Key: valueKey(key), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if _, failed := conditionFailed(err); failed {
		return nil
	}
	return wrap(op, key, err)
}

// Get implements kvstore.Backend: one GetItem.
func (b *Backend) Get(ctx context.Context, key string) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	v, err := b.readValue(ctx, "Get", key, false)
	if err != nil {
		return nil, err
	}
	reportValue(ctx, key, v)
	return stringOf(key, v)
}

// reportValue records in the context's expiryreport.Report, if any, the expiry of
// the value item a read found (its x; 0 when it has none, is absent or has expired).
// Every value read carries x (HGet projects it), so this costs nothing.
func reportValue(ctx context.Context, key string, v *value) {
	var x int64
	if v.exists && !v.expired {
		x = v.expiry
	}
	expiryreport.FromContext(ctx).Record(key, false, x)
}

// stringOf returns the string a value item holds, nil when absent (or a shell), or
// an ErrWrongType.
func stringOf(key string, v *value) (*string, error) {
	switch {
	case !v.present():
		return nil, nil
	case v.kind != kindString:
		return nil, kvstore.WrongTypef(key)
	}
	s := v.str
	return &s, nil
}

func stringValue(key string, val any) (string, error) {
	s, err := kvstore.ToString(val)
	if err != nil {
		return "", err
	}
	return s, kvstore.CheckItemSize(key, kvstore.StringItemSize(key, len(s)))
}

// Set implements kvstore.Backend: one PutItem replacing whatever the key holds.
func (b *Backend) Set(ctx context.Context, key string, val any) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	s, err := stringValue(key, val)
	if err != nil {
		return err
	}
	_, err = b.putItem(ctx, &awsdynamodb.PutItemInput{Item: stringItem(key, s)})
	return wrap("Set", key, err)
}

// putIf puts the string s at key on condition cond, reporting whether it held and
// the item found when it did not.
func (b *Backend) putIf(ctx context.Context, key, s string, e *expr, cond string) (bool, map[string]types.AttributeValue, error) {
	_, err := b.putItem(ctx, &awsdynamodb.PutItemInput{
		Item: stringItem(key, s), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return true, nil, nil
	}
	if item, failed := conditionFailed(err); failed {
		return false, item, nil
	}
	return false, nil, err
}

// SetNX implements kvstore.Backend: one conditional PutItem.
func (b *Backend) SetNX(ctx context.Context, key string, val any) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	s, err := stringValue(key, val)
	if err != nil {
		return false, err
	}
	for {
		var e expr
		ok, item, err := b.putIf(ctx, key, s, &e, absent(&e))
		if ok || err != nil {
			return ok, wrap("SetNX", key, err)
		}
		v, err := b.failedState(ctx, "SetNX", key, item)
		if err != nil {
			return false, err
		}
		if v.present() {
			return false, nil
		}
		if v.exists {
			if err := b.clearShell(ctx, "SetNX", key, v); err != nil {
				return false, err
			}
		}
	}
}

// SetXX implements kvstore.Backend: one conditional PutItem.
func (b *Backend) SetXX(ctx context.Context, key string, val any) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	s, err := stringValue(key, val)
	if err != nil {
		return false, err
	}
	var e expr
	ok, _, err := b.putIf(ctx, key, s, &e, presentCondition(&e))
	return ok, wrap("SetXX", key, err)
}

// presentCondition is a condition that the key holds a value that has not expired.
// It refuses set shells; a hash shell (an emptied hash between HDel's two requests)
// cannot be told from a hash in a condition and counts as present.
func presentCondition(e *expr) string {
	t := e.name(attrKind)
	return "(attribute_exists(" + e.name(attrValue) + ") OR attribute_exists(" + e.name(attrNumber) +
		") OR attribute_exists(" + e.name(attrMembers) + ") OR " + t + " = " + e.value(avS(kindHash)) + ") AND " + live(e)
}

// equalCondition is a condition that the key holds the string old, unexpired.
func equalCondition(e *expr, old string) string {
	cond := e.name(attrKind) + " = " + e.value(avS(kindString)) + " AND (" + e.name(attrValue) + " = " + e.value(avS(old))
	if isCounter(old) {
		cond += " OR " + e.name(attrNumber) + " = " + e.value(&types.AttributeValueMemberN{Value: old})
	}
	return cond + ") AND " + live(e)
}

// SetEQ implements kvstore.Backend: one conditional PutItem.
func (b *Backend) SetEQ(ctx context.Context, key string, val, oldValue any) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	old, err := kvstore.ToString(oldValue)
	if err != nil {
		return false, err
	}
	s, err := stringValue(key, val)
	if err != nil {
		return false, err
	}
	var e expr
	ok, _, err := b.putIf(ctx, key, s, &e, equalCondition(&e, old))
	return ok, wrap("SetEQ", key, err)
}

// Delete implements kvstore.Backend: one DeleteItem returning the old item, on
// condition that the item exists. The condition changes nothing on DynamoDB, where
// writes to one item are serialized anyway, but DynamoDB Local serializes only
// conditional writes: without it, concurrent Deletes of one item could all return
// it and all report that the key existed.
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	var e expr
	out, err := b.deleteItem(ctx, &awsdynamodb.DeleteItemInput{
		Key: valueKey(key), ReturnValues: types.ReturnValueAllOld,
		ConditionExpression:      aws.String("attribute_exists(" + e.name(attrHK) + ")"),
		ExpressionAttributeNames: e.Names(),
	})
	if _, failed := conditionFailed(err); failed {
		return false, nil // absent
	}
	if err != nil {
		return false, wrap("Delete", key, err)
	}
	v, err := decodeLive(out.Attributes)
	if err != nil {
		return true, nil // it existed, whatever it was
	}
	return v.present(), nil
}
