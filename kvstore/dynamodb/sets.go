package dynamodb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// kindCondition is "the key is missing or holds kind, unexpired": the type check of
// an operation that creates or merges into its kind of value. An expired item fails
// it, so that a merge never revives it: the writer clears it and tries again.
func kindCondition(e *expr, kind string) string {
	return "attribute_not_exists(" + e.name(attrHK) + ") OR (" + e.name(attrKind) + " = " + e.value(avS(kind)) + " AND " + live(e) + ")"
}

// sAddUpdate adds members to a set, replacing its version.
func sAddUpdate(e *expr, ms []string) string {
	return "SET " + e.name(attrKind) + " = " + e.value(avS(kindSet)) + ", " + e.name(attrVersion) + " = " +
		e.value(newVersion()) + " ADD " + e.name(attrMembers) + " " + e.value(avBS(ms))
}

// SAdd implements kvstore.Backend: one UpdateItem (ADD to the binary set) whose
// condition refuses other kinds.
func (b *Backend) SAdd(ctx context.Context, key string, member any, members ...any) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	ms, err := kvstore.SetMembers(key, member, members)
	if err != nil {
		return err
	}
	for {
		var e expr
		update, cond := sAddUpdate(&e, ms), kindCondition(&e, kindSet)
		_, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if done, err := b.afterTypeCheck(ctx, "SAdd", key, kindSet, err); done {
			return err
		}
	}
}

// afterTypeCheck handles the result of a write whose condition is a type check: done
// and its error, or not done when it found a shell it cleared and the write should
// be retried.
func (b *Backend) afterTypeCheck(ctx context.Context, op, key, kind string, err error) (bool, error) {
	item, failed := conditionFailed(err)
	if !failed {
		return true, wrap(op, key, err)
	}
	v, err := b.failedState(ctx, op, key, item)
	if err != nil {
		return true, err
	}
	if v.present() {
		if v.kind != kind {
			return true, kvstore.WrongTypef(key)
		}
		return false, nil // the failure came without the item and the key holds kind now
	}
	if v.exists {
		if err := b.clearShell(ctx, op, key, v); err != nil {
			return true, err
		}
	}
	return false, nil
}

// SRem implements kvstore.Backend: one UpdateItem (DELETE from the binary set); when
// that empties the set, a conditional DeleteItem removes the item.
func (b *Backend) SRem(ctx context.Context, key string, member any, members ...any) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	ms, err := kvstore.SetMembers(key, member, members)
	if err != nil {
		return err
	}
	for {
		var e expr
		update := "SET " + e.name(attrVersion) + " = " + e.value(newVersion()) + " DELETE " + e.name(attrMembers) + " " + e.value(avBS(ms))
		cond := e.name(attrKind) + " = " + e.value(avS(kindSet)) + " AND " + live(&e)
		out, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValues:                        types.ReturnValueUpdatedNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			if _, ok := out.Attributes[attrMembers]; ok {
				return nil
			}
			return b.clearShell(ctx, "SRem", key, &value{exists: true, kind: kindSet})
		}
		done, err := b.afterRemovalCheck(ctx, "SRem", key, kindSet, err)
		if done {
			return err
		}
	}
}

// afterRemovalCheck handles the failure of a removal (SRem, HDel) whose condition is
// that the key holds kind: done with nothing to remove when the key is absent, done
// with an ErrWrongType when it holds another kind, not done (retry) when the failure
// came without the item and the key holds kind now.
func (b *Backend) afterRemovalCheck(ctx context.Context, op, key, kind string, err error) (bool, error) {
	item, failed := conditionFailed(err)
	if !failed {
		return true, wrap(op, key, err)
	}
	v, err := b.failedState(ctx, op, key, item)
	switch {
	case err != nil:
		return true, err
	case !v.present():
		return true, nil
	case v.kind != kind:
		return true, kvstore.WrongTypef(key)
	}
	return false, nil
}

// SMembers implements kvstore.Backend: one GetItem.
func (b *Backend) SMembers(ctx context.Context, key string) ([]string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	v, err := b.readValue(ctx, "SMembers", key, false)
	if err != nil {
		return nil, err
	}
	reportValue(ctx, key, v)
	return membersOf(key, v)
}

// membersOf returns the members of a set item (empty when absent) or an ErrWrongType.
func membersOf(key string, v *value) ([]string, error) {
	switch {
	case !v.present():
		return []string{}, nil
	case v.kind != kindSet:
		return nil, kvstore.WrongTypef(key)
	}
	return v.members, nil
}
