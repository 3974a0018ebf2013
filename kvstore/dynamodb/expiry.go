package dynamodb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// SetArgs implements kvstore.Expirer: one PutItem whose condition carries Mode, the
// type check of Get and, with KeepTTL, that the expiry read is unchanged (KeepTTL
// first reads the item: one GetItem more). A condition that fails on a shell or an
// expired item clears it and tries again.
func (b *Backend) SetArgs(ctx context.Context, key string, val any, a kvstore.SetArgs) (kvstore.SetResult, error) {
	if err := begin(ctx, key); err != nil {
		return kvstore.SetResult{}, err
	}
	at, keep, err := kvstore.ExpiryMillis(time.Now(), a)
	if err != nil {
		return kvstore.SetResult{}, err
	}
	s, err := stringValue(key, val)
	if err != nil {
		return kvstore.SetResult{}, err
	}
	for attempt := 0; ; attempt++ {
		var e expr
		var conds []string
		switch a.Mode {
		case kvstore.SetIfAbsent:
			conds = append(conds, absent(&e))
		case kvstore.SetIfPresent:
			conds = append(conds, presentCondition(&e))
		}
		if a.Get {
			conds = append(conds, "("+absent(&e)+" OR "+e.name(attrKind)+" = "+e.value(avS(kindString))+")")
		}
		x := at
		if keep {
			cur, err := b.readValue(ctx, "SetArgs", key, true, attrHK, attrExpiry)
			if err != nil {
				return kvstore.SetResult{}, err
			}
			if cur.exists && !cur.expired && cur.expiry != 0 {
				x = cur.expiry
				conds = append(conds, e.name(attrExpiry)+" = "+e.value(avN(x))+" AND "+live(&e))
			} else {
				conds = append(conds, "("+absent(&e)+" OR attribute_not_exists("+e.name(attrExpiry)+"))")
			}
		}
		in := &awsdynamodb.PutItemInput{
			Item:                                withExpiry(stringItem(key, s), x),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}
		if a.Get {
			in.ReturnValues = types.ReturnValueAllOld
		}
		if len(conds) > 0 {
			cond := conds[0]
			for _, c := range conds[1:] {
				cond += " AND " + c
			}
			in.ConditionExpression = aws.String(cond)
			in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.Names(), e.Values()
		}
		out, err := b.putItem(ctx, in)
		if err == nil {
			r := kvstore.SetResult{Done: true}
			if a.Get {
				old, err := decodeLive(out.Attributes)
				if err != nil {
					return r, corrupt(key, err)
				}
				if old.present() && old.kind == kindString {
					o := old.str
					r.Old = &o
				}
			}
			return r, nil
		}
		item, failed := conditionFailed(err)
		if !failed {
			return kvstore.SetResult{}, wrap("SetArgs", key, err)
		}
		v, err := b.failedState(ctx, "SetArgs", key, item)
		if err != nil {
			return kvstore.SetResult{}, err
		}
		var r kvstore.SetResult
		if a.Get {
			if r.Old, err = stringOf(key, v); err != nil {
				return kvstore.SetResult{}, err
			}
		}
		switch {
		case a.Mode == kvstore.SetIfAbsent && v.present():
			return r, nil
		case a.Mode == kvstore.SetIfPresent && !v.present() && !v.shell():
			return r, nil
		case v.shell():
			if err := b.clearShell(ctx, "SetArgs", key, v); err != nil {
				return kvstore.SetResult{}, err
			}
			if a.Mode == kvstore.SetIfPresent {
				return kvstore.SetResult{}, nil
			}
		default:
			// The item changed since (KeepTTL's read, or a failure without the item).
			if err := b.sleep(ctx, attempt); err != nil {
				return kvstore.SetResult{}, wrap("SetArgs", key, err)
			}
		}
	}
}

// SetEX implements kvstore.Expirer: one PutItem with x and ttl.
func (b *Backend) SetEX(ctx context.Context, key string, val any, ttl time.Duration) error {
	if _, err := kvstore.TTLMillis(ttl); err != nil {
		return err
	}
	_, err := b.SetArgs(ctx, key, val, kvstore.SetArgs{TTL: ttl})
	return err
}

// SetNXEX implements kvstore.Expirer: one PutItem on condition that the key is absent
// or expired.
func (b *Backend) SetNXEX(ctx context.Context, key string, val any, ttl time.Duration) (bool, error) {
	if _, err := kvstore.TTLMillis(ttl); err != nil {
		return false, err
	}
	r, err := b.SetArgs(ctx, key, val, kvstore.SetArgs{Mode: kvstore.SetIfAbsent, TTL: ttl})
	return r.Done, err
}

// stringPresent is a condition that the item holds a string that has not expired.
func stringPresent(e *expr) string {
	return e.name(attrKind) + " = " + e.value(avS(kindString)) + " AND (attribute_exists(" + e.name(attrValue) +
		") OR attribute_exists(" + e.name(attrNumber) + ")) AND " + live(e)
}

// GetEx implements kvstore.Expirer: a GetItem without options; otherwise one
// UpdateItem (or DeleteItem, for a time that has passed) on condition that the key
// holds a live string, returning it.
func (b *Backend) GetEx(ctx context.Context, key string, a kvstore.GetExArgs) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	n := 0
	var at int64
	now := time.Now()
	if a.TTL != 0 {
		ms, err := kvstore.TTLMillis(a.TTL)
		if err != nil {
			return nil, err
		}
		n, at = n+1, now.UnixMilli()+ms
	}
	if !a.ExpireAt.IsZero() {
		n, at = n+1, a.ExpireAt.UnixMilli()
	}
	if a.Persist {
		n++
	}
	switch {
	case n > 1:
		return nil, kvstore.InvalidArgumentf("GetEx: at most one of TTL, ExpireAt and Persist")
	case n == 0:
		return b.Get(ctx, key)
	case !a.Persist && at <= now.UnixMilli():
		return b.GetDel(ctx, key)
	}
	for attempt := 0; ; attempt++ {
		var e expr
		update := "REMOVE " + e.name(attrExpiry) + ", " + e.name(attrTTL)
		if !a.Persist {
			update = "SET " + e.name(attrExpiry) + " = " + e.value(avN(at)) + ", " + e.name(attrTTL) + " = " + e.value(avN(ttlSeconds(at)))
		}
		out, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(stringPresent(&e)),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValues:                        types.ReturnValueAllNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			v, err := decodeValue(out.Attributes)
			if err != nil {
				return nil, corrupt(key, err)
			}
			return stringOf(key, v)
		}
		if done, err := b.afterStringCheck(ctx, "GetEx", key, attempt, err); done {
			return nil, err
		}
	}
}

// afterStringCheck handles the failure of a write whose condition is stringPresent:
// done with nil (absent) or an ErrWrongType, or not done (retry) when the key holds
// a string now.
func (b *Backend) afterStringCheck(ctx context.Context, op, key string, attempt int, err error) (bool, error) {
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
	case v.kind != kindString:
		return true, kvstore.WrongTypef(key)
	}
	return false, wrap(op, key, b.sleep(ctx, attempt))
}

// GetDel implements kvstore.Expirer: one DeleteItem on condition that the key holds a
// live string, returning it.
func (b *Backend) GetDel(ctx context.Context, key string) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		var e expr
		out, err := b.deleteItem(ctx, &awsdynamodb.DeleteItemInput{
			Key: valueKey(key), ConditionExpression: aws.String(stringPresent(&e)),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValues:                        types.ReturnValueAllOld,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			v, err := decodeValue(out.Attributes)
			if err != nil {
				return nil, corrupt(key, err)
			}
			return stringOf(key, v)
		}
		if done, err := b.afterStringCheck(ctx, "GetDel", key, attempt, err); done {
			return nil, err
		}
	}
}

// failedStateOrAbsent is failedState, except that DynamoDB's own client, which
// returns the item of every failed condition (DAX does not), is trusted to have found
// none when it returned none: Expire and Persist of a key without a value then cost
// no read.
func (b *Backend) failedStateOrAbsent(ctx context.Context, op, key string, item map[string]types.AttributeValue) (*value, error) {
	if _, sdk := b.client.(*awsdynamodb.Client); sdk && len(item) == 0 {
		return &value{}, nil
	}
	return b.failedState(ctx, op, key, item)
}

// Expire implements kvstore.Expirer: ExpireAt at now + ttl.
func (b *Backend) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return b.ExpireAtIf(ctx, key, time.Now().Add(ttl), kvstore.ExpireAlways)
}

// ExpireAt implements kvstore.Expirer: ExpireAtIf without a condition.
func (b *Backend) ExpireAt(ctx context.Context, key string, at time.Time) (bool, error) {
	return b.ExpireAtIf(ctx, key, at, kvstore.ExpireAlways)
}

// expiryCondition is ExpireAtIf's condition on the current x.
func expiryCondition(e *expr, cond kvstore.ExpireCondition, at int64) (string, error) {
	x := e.name(attrExpiry)
	switch cond {
	case kvstore.ExpireAlways:
		return "", nil
	case kvstore.ExpireNX:
		return " AND attribute_not_exists(" + x + ")", nil
	case kvstore.ExpireXX:
		return " AND attribute_exists(" + x + ")", nil
	case kvstore.ExpireGT:
		return " AND " + x + " < " + e.value(avN(at)), nil
	case kvstore.ExpireLT:
		return " AND (attribute_not_exists(" + x + ") OR " + x + " > " + e.value(avN(at)) + ")", nil
	}
	return "", kvstore.InvalidArgumentf("unknown expire condition %d", int(cond))
}

// ExpireAtIf implements kvstore.Expirer. The value and the sorted data are expired
// concurrently, each under cond and its own expiry: on the value, one UpdateItem
// setting x and ttl (a DeleteItem when at has passed) on condition that the value is
// present, live and meets cond; on the sorted data, one consistent Query from rk "y"
// that reads the meta item and the first member (see sortedState), then, when it has
// a live member, one UpdateItem of the meta item. So: one round trip and two requests
// (1 WCU, and the Query's minimum read) for a key without sorted data, two round trips
// and three requests for a key with some (1 WCU for the meta item, whatever the
// number of members, 1 more with a value). Dead members before the first live one
// (a key that expired once and has not been reclaimed) add filtered Query pages.
func (b *Backend) ExpireAtIf(ctx context.Context, key string, at time.Time, cond kvstore.ExpireCondition) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	atMs := at.UnixMilli()
	if _, err := expiryCondition(&expr{}, cond, atMs); err != nil {
		return false, err
	}
	return both(func() (bool, error) { return b.expireValue(ctx, key, atMs, cond) },
		func() (bool, error) {
			return b.expireSorted(ctx, key, atMs, func(cur int64) bool { return kvstore.ExpireAllowed(cond, cur, atMs) })
		})
}

// both runs value and sorted concurrently and reports whether either did its work.
func both(value, sorted func() (bool, error)) (bool, error) {
	type result struct {
		ok  bool
		err error
	}
	ch := make(chan result, 1)
	go func() {
		ok, err := sorted()
		ch <- result{ok, err}
	}()
	ok, err := value()
	r := <-ch
	if err != nil {
		return false, err
	}
	if r.err != nil {
		return false, r.err
	}
	return ok || r.ok, nil
}

// expireValue sets the expiry of key's value (see ExpireAtIf).
func (b *Backend) expireValue(ctx context.Context, key string, atMs int64, cond kvstore.ExpireCondition) (bool, error) {
	for attempt := 0; ; attempt++ {
		var e expr
		c, _ := expiryCondition(&e, cond, atMs)
		c = presentCondition(&e) + c
		var err error
		if atMs <= nowMillis() {
			_, err = b.deleteItem(ctx, &awsdynamodb.DeleteItemInput{
				Key: valueKey(key), ConditionExpression: aws.String(c),
				ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			})
		} else {
			update := "SET " + e.name(attrExpiry) + " = " + e.value(avN(atMs)) + ", " + e.name(attrTTL) + " = " + e.value(avN(ttlSeconds(atMs)))
			_, err = b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
				Key: valueKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(c),
				ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			})
		}
		if err == nil {
			return true, nil
		}
		item, failed := conditionFailed(err)
		if !failed {
			return false, wrap("ExpireAtIf", key, err)
		}
		v, err := b.failedStateOrAbsent(ctx, "ExpireAtIf", key, item)
		if err != nil {
			return false, err
		}
		if !v.present() || !kvstore.ExpireAllowed(cond, v.expiry, atMs) {
			return false, nil
		}
		if err := b.sleep(ctx, attempt); err != nil { // it changed since: try again
			return false, wrap("ExpireAtIf", key, err)
		}
	}
}

// Persist implements kvstore.Expirer, as ExpireAtIf: on the value, one UpdateItem
// removing x and ttl on condition that the value is present, live and has an expiry;
// on the sorted data, concurrently, the Query of the meta item and the first member,
// then an UpdateItem of the meta item when it has an expiry to remove. Two requests in
// one round trip without sorted data; three in two round trips with it.
func (b *Backend) Persist(ctx context.Context, key string) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	return both(func() (bool, error) { return b.persistValue(ctx, key) },
		func() (bool, error) { return b.persistSorted(ctx, key) })
}

// persistValue removes the expiry of key's value (see Persist).
func (b *Backend) persistValue(ctx context.Context, key string) (bool, error) {
	for attempt := 0; ; attempt++ {
		var e expr
		x := e.name(attrExpiry)
		_, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
			Key: valueKey(key), UpdateExpression: aws.String("REMOVE " + x + ", " + e.name(attrTTL)),
			ConditionExpression:      aws.String(presentCondition(&e) + " AND attribute_exists(" + x + ")"),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			return true, nil
		}
		item, failed := conditionFailed(err)
		if !failed {
			return false, wrap("Persist", key, err)
		}
		v, err := b.failedStateOrAbsent(ctx, "Persist", key, item)
		if err != nil {
			return false, err
		}
		if !v.present() || v.expiry == 0 {
			return false, nil
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return false, wrap("Persist", key, err)
		}
	}
}

// TTL implements kvstore.Expirer: one GetItem of the value item; only when the key
// has no value, one consistent Query of the meta item and the first member (see
// sortedState): a second round trip.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, error) {
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	v, err := b.readValue(ctx, "TTL", key, false)
	if err != nil {
		return 0, err
	}
	if v.present() {
		return kvstore.RemainingTTL(time.Now(), v.expiry), nil
	}
	m, live, err := b.sortedState(ctx, "TTL", key)
	if err != nil {
		return 0, err
	}
	if !live {
		return kvstore.KeyAbsent, nil
	}
	now := time.Now()
	return kvstore.RemainingTTL(now, m.expiry(now.UnixMilli())), nil
}
