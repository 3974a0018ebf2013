package dynamodb

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Sorted data's expiry (see the package documentation): rewriting every member to
// expire a key would cost one write per member, so a key's sorted data has one meta
// item (rk "y") holding x, its expiry, and dead, the expiry of its last incarnation
// that passed; every member carries its write time wt. A member is live iff wt >= cut,
// where cut is x once x has passed, else dead. Keys whose sorted data never expired
// have no meta item, and cost nothing more.

// meta is a decoded meta item.
type meta struct {
	exists  bool
	x, dead int64
	// armed is the expiry of the reclaim marker waiting for DynamoDB's TTL (see
	// reclaim.go), 0 when none is.
	armed int64
}

// metaKey is the primary key of key's meta item.
func metaKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrHK: avS(key), attrRK: avS(rkMeta)}
}

func metaItemKey(key string) itemKey { return itemKey{key, rkMeta} }

// decodeMeta decodes a meta item (empty when absent).
func decodeMeta(item map[string]types.AttributeValue) (meta, error) {
	var m meta
	if len(item) == 0 {
		return m, nil
	}
	m.exists = true
	var err error
	if av, ok := item[attrExpiry]; ok {
		if m.x, err = numberOf(av); err != nil {
			return m, err
		}
	}
	if av, ok := item[attrDead]; ok {
		if m.dead, err = numberOf(av); err != nil {
			return m, err
		}
	}
	if av, ok := item[attrArmed]; ok {
		if m.armed, err = numberOf(av); err != nil {
			return m, err
		}
	}
	return m, nil
}

// cut is the write time below which members are dead at now.
func (m meta) cut(now int64) int64 {
	if m.x != 0 && m.x <= now {
		return m.x
	}
	return m.dead
}

// expiry is the sorted data's expiry at now (0: none).
func (m meta) expiry(now int64) int64 {
	if m.x > now {
		return m.x
	}
	return 0
}

// liveMember reports whether a member is live under m at now.
func (m meta) liveMember(s *sortedMember, now int64) bool {
	return s.written >= m.cut(now)
}

// readMeta reads key's meta item.
func (b *Backend) readMeta(ctx context.Context, op, key string, consistent bool) (meta, error) {
	in := &awsdynamodb.GetItemInput{Key: metaKey(key), ConsistentRead: b.consistentRead()}
	if consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	out, err := b.getItem(ctx, in)
	if err != nil {
		return meta{}, wrap(op, key, err)
	}
	m, err := decodeMeta(out.Item)
	if err != nil {
		return meta{}, corrupt(key, err)
	}
	return m, nil
}

type metaResult struct {
	m   meta
	err error
}

// readMetaAsync reads key's meta item concurrently; receive the result once.
func (b *Backend) readMetaAsync(ctx context.Context, op, key string, consistent bool) <-chan metaResult {
	ch := make(chan metaResult, 1)
	go func() {
		m, err := b.readMeta(ctx, op, key, consistent)
		ch <- metaResult{m, err}
	}()
	return ch
}

// sortedState reads key's meta item and whether its sorted data has a live member,
// consistently, with one Query of the table from rk "y": the meta item sorts right
// before the members (rk "z"+field), so the first page (Limit 2) holds the meta item,
// if any, and the first member. Only when that member is dead do further pages go on,
// filtered on wt >= cut, until one live member is found or none is left (reading the
// dead members, until something reclaims them). Items between "y" and the members
// are skipped. A key without sorted data costs 1 request (1 RCU); with a live first
// member, 1 request of about 1 RCU.
func (b *Backend) sortedState(ctx context.Context, op, key string) (meta, bool, error) {
	var e expr
	in := &awsdynamodb.QueryInput{
		KeyConditionExpression: aws.String(e.name(attrHK) + " = " + e.value(avS(key)) + " AND " + e.name(attrRK) + " >= " + e.value(avS(rkMeta))),
		ConsistentRead:         aws.Bool(true),
		Limit:                  aws.Int32(2),
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.Names(), e.Values()
	var m meta
	now := nowMillis()
	for first := true; ; first = false {
		page, err := b.query(ctx, in)
		if err != nil {
			return meta{}, false, wrap(op, key, err)
		}
		for _, item := range page.Items {
			rk, _ := bytesOf(item[attrRK])
			switch {
			case string(rk) == rkMeta:
				if m, err = decodeMeta(item); err != nil {
					return meta{}, false, corrupt(key, err)
				}
			case len(rk) > 0 && rk[0] == sortedPrefix:
				s, err := decodeSorted(item)
				if err != nil {
					return meta{}, false, corrupt(key, err)
				}
				if m.liveMember(s, now) {
					return m, true, nil
				}
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return m, false, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
		if cut := m.cut(now); first && cut > 0 {
			// The meta item is known (it sorts first): skip dead members server-side,
			// reading whole pages.
			in.ExpressionAttributeNames["#wt"] = attrWritten
			in.ExpressionAttributeValues[":cut"] = avN(cut)
			in.FilterExpression, in.Limit = aws.String("#wt >= :cut"), nil
		}
	}
}

// metaCondition is a condition that the meta item is still m.
func metaCondition(e *expr, m meta) string {
	if !m.exists {
		return "attribute_not_exists(" + e.name(attrHK) + ")"
	}
	cond := "attribute_exists(" + e.name(attrHK) + ")"
	if m.x != 0 {
		cond += " AND " + e.name(attrExpiry) + " = " + e.value(avN(m.x))
	} else {
		cond += " AND attribute_not_exists(" + e.name(attrExpiry) + ")"
	}
	if m.dead != 0 {
		cond += " AND " + e.name(attrDead) + " = " + e.value(avN(m.dead))
	} else {
		cond += " AND attribute_not_exists(" + e.name(attrDead) + ")"
	}
	if m.armed != 0 {
		cond += " AND " + e.name(attrArmed) + " = " + e.value(avN(m.armed))
	} else {
		cond += " AND attribute_not_exists(" + e.name(attrArmed) + ")"
	}
	return cond
}

// metaExpireUpdate is the update of the meta item m that sets the sorted data's
// expiry to at (Unix ms) at now: an x that has passed becomes dead. A time that has
// passed is stored as now, so that it kills the members written before now (a
// member is live iff wt >= cut), not only those written before at.
//
// When no reclaim marker is armed, the update arms one at the new x, and returns
// that x as arm: the caller writes the marker (writeReclaimMarker) before the update.
func metaExpireUpdate(e *expr, m meta, at, now int64) (update string, arm int64) {
	x := max(at, now)
	u := "SET " + e.name(attrExpiry) + " = " + e.value(avN(x))
	if m.x != 0 && m.x <= now {
		u += ", " + e.name(attrDead) + " = " + e.value(avN(m.x))
	}
	if m.armed == 0 {
		u += ", " + e.name(attrArmed) + " = " + e.value(avN(x))
		arm = x
	}
	return u, arm
}

// updateMeta applies update to key's meta item on condition that it is still m,
// reporting whether it held.
func (b *Backend) updateMeta(ctx context.Context, op, key string, e *expr, update string, m meta) (bool, error) {
	_, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
		Key: metaKey(key), UpdateExpression: aws.String(update), ConditionExpression: aws.String(metaCondition(e, m)),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if err == nil {
		return true, nil
	}
	if _, failed := conditionFailed(err); failed {
		return false, nil
	}
	return false, wrap(op, key, err)
}

// expireSorted sets the expiry of key's sorted data to at when it has live members
// and allowed says so, and reports whether it did: sortedState, then one UpdateItem
// of the meta item, retried when the meta item changed in between. When no reclaim
// marker is armed, its PutItem goes first (one round trip more, once per marker).
func (b *Backend) expireSorted(ctx context.Context, key string, at int64, allowed func(cur int64) bool) (bool, error) {
	for attempt := 0; ; attempt++ {
		m, live, err := b.sortedState(ctx, "Expire", key)
		if err != nil || !live {
			return false, err
		}
		now := nowMillis()
		if !allowed(m.expiry(now)) {
			return false, nil
		}
		var e expr
		update, arm := metaExpireUpdate(&e, m, at, now)
		if arm != 0 {
			// No reclaim marker armed: write one first (see reclaim.go).
			if err := b.writeReclaimMarker(ctx, key, arm); err != nil {
				return false, err
			}
		}
		ok, err := b.updateMeta(ctx, "Expire", key, &e, update, m)
		if ok || err != nil {
			return ok, err
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return false, wrap("Expire", key, err)
		}
	}
}

// persistSorted removes the expiry of key's sorted data when it has live members and
// an expiry, and reports whether it did.
func (b *Backend) persistSorted(ctx context.Context, key string) (bool, error) {
	for attempt := 0; ; attempt++ {
		m, live, err := b.sortedState(ctx, "Persist", key)
		if err != nil || !live || m.expiry(nowMillis()) == 0 {
			return false, err
		}
		var e expr
		ok, err := b.updateMeta(ctx, "Persist", key, &e, "REMOVE "+e.name(attrExpiry), m)
		if ok || err != nil {
			return ok, err
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return false, wrap("Persist", key, err)
		}
	}
}

// endIncarnation is called after a member of key was removed at removed (Unix ms),
// with mc the meta item's consistent read, sent concurrently with the removal: when
// the sorted data has an expiry that has not passed and no live member is left, the
// sorted data ends with its last member, and so does its expiry (dead becomes
// removed, x goes). Only when the meta item has an unexpired x does it cost more: a
// sortedState Query and, when no live member is left, an UpdateItem of the meta item.
func (b *Backend) endIncarnation(ctx context.Context, op, key string, mc <-chan metaResult, removed int64) error {
	mr := <-mc
	if mr.err != nil {
		return mr.err
	}
	if mr.m.expiry(nowMillis()) == 0 {
		return nil
	}
	for attempt := 0; ; attempt++ {
		m, live, err := b.sortedState(ctx, op, key)
		if err != nil || live || m.expiry(nowMillis()) == 0 {
			return err
		}
		var e expr
		u := "SET " + e.name(attrDead) + " = " + e.value(avN(max(removed, m.dead))) + " REMOVE " + e.name(attrExpiry)
		ok, err := b.updateMeta(ctx, op, key, &e, u, m)
		if ok || err != nil {
			return err
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return wrap(op, key, err)
		}
	}
}

// readMetas starts the consistent reads of the meta items of keys (distinct), at most
// WithConcurrency at a time, and returns a channel per key that receives its result
// once. A batch or an atomic write sends them with its writes, so that ending
// incarnations costs no round trip more for keys without an expiry.
func (b *Backend) readMetas(ctx context.Context, op string, keys []string) map[string]<-chan metaResult {
	out := make(map[string]<-chan metaResult, len(keys))
	chans := make(map[string]chan metaResult, len(keys))
	var order []string
	for _, k := range keys {
		if _, ok := chans[k]; ok {
			continue
		}
		ch := make(chan metaResult, 1)
		chans[k], out[k] = ch, ch
		order = append(order, k)
	}
	go func() {
		p := newPool(b.opts.concurrency)
		for _, k := range order {
			p.Go(func() {
				m, err := b.readMeta(ctx, op, k, true)
				chans[k] <- metaResult{m, err}
			})
		}
		p.Wait()
	}()
	return out
}

// endIncarnations runs endIncarnation for each key of metas (see readMetas),
// concurrently: after a batch or an atomic write removed sorted members at removed
// (Unix ms). It returns the errors by key.
func (b *Backend) endIncarnations(ctx context.Context, op string, metas map[string]<-chan metaResult, removed int64) map[string]error {
	var mu sync.Mutex
	errs := make(map[string]error)
	p := newPool(b.opts.concurrency)
	for k, mc := range metas {
		p.Go(func() {
			if err := b.endIncarnation(ctx, op, k, mc, removed); err != nil {
				mu.Lock()
				defer mu.Unlock()
				errs[k] = err
			}
		})
	}
	p.Wait()
	return errs
}
