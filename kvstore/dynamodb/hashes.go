package dynamodb

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// lastFields keeps the last value of each field, in first-seen order: later fields of
// one call win, and DynamoDB refuses an update naming one attribute twice.
func lastFields(fields []kvstore.HashField) []kvstore.HashField {
	idx := make(map[string]int, len(fields))
	out := make([]kvstore.HashField, 0, len(fields))
	for _, f := range fields {
		if i, ok := idx[f.Field]; ok {
			out[i].Value = f.Value
			continue
		}
		idx[f.Field] = len(out)
		out = append(out, f)
	}
	return out
}

// hSetUpdate sets hash fields, replacing the hash's version.
func hSetUpdate(e *expr, fields []kvstore.HashField) string {
	var sb strings.Builder
	sb.WriteString("SET " + e.name(attrKind) + " = " + e.value(avS(kindHash)) + ", " + e.name(attrVersion) + " = " + e.value(newVersion()))
	for _, f := range fields {
		sb.WriteString(", " + e.name(hashFieldAttr(f.Field)) + " = " + e.value(avS(f.Value)))
	}
	return sb.String()
}

// hDelUpdate removes hash fields, replacing the hash's version with version.
func hDelUpdate(e *expr, fields []string, version types.AttributeValue) string {
	var sb strings.Builder
	sb.WriteString("SET " + e.name(attrVersion) + " = " + e.value(version) + " REMOVE ")
	for i, f := range fields {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(e.name(hashFieldAttr(f)))
	}
	return sb.String()
}

// HSet implements kvstore.Backend: one UpdateItem setting the fields' attributes,
// whose condition refuses other kinds. Fields too many for one update expression
// (4 KB, several hundred fields) are written by a conditional read-modify-write.
func (b *Backend) HSet(ctx context.Context, key, field string, val any, fields ...kvstore.KeyValue) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	hf, err := kvstore.HashFields(key, field, val, fields)
	if err != nil {
		return err
	}
	hf = lastFields(hf)
	for {
		var e expr
		update, cond := hSetUpdate(&e, hf), kindCondition(&e, kindHash)
		if len(update) > maxExpressionLen {
			return b.rewriteHash(ctx, "HSet", key, func(h map[string]string) {
				for _, f := range hf {
					h[f.Field] = f.Value
				}
			})
		}
		_, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if done, err := b.afterTypeCheck(ctx, "HSet", key, kindHash, err); done {
			return err
		}
	}
}

// rewriteHash applies change to the hash at key by reading it and putting it back on
// condition that nobody wrote it in between, retrying until that holds.
func (b *Backend) rewriteHash(ctx context.Context, op, key string, change func(map[string]string)) error {
	for attempt := 0; ; attempt++ {
		v, err := b.readValue(ctx, op, key, true)
		if err != nil {
			return err
		}
		if v.present() && v.kind != kindHash {
			return kvstore.WrongTypef(key)
		}
		h := make(map[string]string, len(v.fields))
		if v.present() {
			for f, x := range v.fields {
				h[f] = x
			}
		}
		change(h)
		var e expr
		var cond string
		if v.exists {
			cond = sameVersionCondition(&e, v)
			if v.present() && v.expiry != 0 {
				cond += " AND " + live(&e) // the expiry kept must not pass meanwhile
			}
		} else {
			cond = "attribute_not_exists(" + e.name(attrHK) + ")"
		}
		size := 0
		for f, x := range h {
			size += kvstore.HashFieldSize(f, len(x))
		}
		if err := kvstore.CheckItemSize(key, kvstore.HashItemSize(key, size)); err != nil {
			return err
		}
		if len(h) == 0 {
			if !v.exists {
				return nil
			}
			_, err = b.deleteItem(ctx, &awsdynamodb.DeleteItemInput{Key: valueKey(key), ConditionExpression: aws.String(cond),
				ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
		} else {
			_, err = b.putItem(ctx, &awsdynamodb.PutItemInput{Item: hashItem(key, v, h), ConditionExpression: aws.String(cond),
				ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
		}
		if _, failed := conditionFailed(err); !failed {
			return wrap(op, key, err)
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return wrap(op, key, err)
		}
	}
}

// sameVersionCondition is a condition that the set or hash v read is unchanged: its
// kind and version are the same (every set or hash write replaces the version).
func sameVersionCondition(e *expr, v *value) string {
	cond := e.name(attrKind) + " = " + e.value(avS(v.kind)) + " AND "
	if v.version == nil {
		return cond + "attribute_not_exists(" + e.name(attrVersion) + ")"
	}
	return cond + e.name(attrVersion) + " = " + e.value(v.version)
}

// HDel implements kvstore.Backend: one UpdateItem removing the fields' attributes;
// when that empties the hash, a DeleteItem on condition that its version is still
// the one just written removes the item.
func (b *Backend) HDel(ctx context.Context, key, field string, fields ...string) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	all := append([]string{field}, fields...)
	for _, f := range all {
		if err := kvstore.ValidateHashField(f); err != nil {
			return err
		}
	}
	all = distinct(all)
	for {
		var e expr
		version := newVersion()
		update := hDelUpdate(&e, all, version)
		if len(update) > maxExpressionLen {
			return b.rewriteHash(ctx, "HDel", key, func(h map[string]string) {
				for _, f := range all {
					delete(h, f)
				}
			})
		}
		cond := e.name(attrKind) + " = " + e.value(avS(kindHash)) + " AND " + live(&e)
		out, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValues:                        types.ReturnValueAllNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			v, err := decodeLive(out.Attributes)
			if err != nil {
				return corrupt(key, err)
			}
			if v.present() {
				return nil
			}
			return b.clearShell(ctx, "HDel", key, &value{exists: true, kind: kindHash, version: version})
		}
		if done, err := b.afterRemovalCheck(ctx, "HDel", key, kindHash, err); done {
			return err
		}
	}
}

func distinct(s []string) []string {
	seen := make(map[string]struct{}, len(s))
	out := s[:0:0]
	for _, x := range s {
		if _, ok := seen[x]; !ok {
			seen[x] = struct{}{}
			out = append(out, x)
		}
	}
	return out
}

// HGet implements kvstore.Backend: one GetItem projecting the field and what tells
// the kind.
func (b *Backend) HGet(ctx context.Context, key, field string) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	if err := kvstore.ValidateHashField(field); err != nil {
		return nil, err
	}
	v, err := b.readValue(ctx, "HGet", key, false, attrKind, attrValue, attrNumber, attrMembers, attrExpiry, hashFieldAttr(field))
	if err != nil {
		return nil, err
	}
	reportValue(ctx, key, v)
	switch {
	case !v.present():
		return nil, nil
	case v.kind != kindHash:
		return nil, kvstore.WrongTypef(key)
	}
	x := v.fields[field]
	return &x, nil
}

// HGetAll implements kvstore.Backend: one GetItem.
func (b *Backend) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	v, err := b.readValue(ctx, "HGetAll", key, false)
	if err != nil {
		return nil, err
	}
	reportValue(ctx, key, v)
	return fieldsOf(key, v)
}

// fieldsOf returns the fields of a hash item (empty when absent) or an ErrWrongType.
func fieldsOf(key string, v *value) (map[string]string, error) {
	switch {
	case !v.present():
		return map[string]string{}, nil
	case v.kind != kindHash:
		return nil, kvstore.WrongTypef(key)
	}
	return v.fields, nil
}
