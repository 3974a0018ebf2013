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

// allMembers is the rk range of every sorted member.
func allMembers() sortRange {
	r, _ := lexRange(minLex, maxLex)
	return r
}

// sortedState reads key's meta item (consistently) and whether its sorted data has
// a live member: a GetItem and a Query of one member, concurrently; only when that
// member is dead does a Query filtered on wt >= cut go on, until it finds a live one.
func (b *Backend) sortedState(ctx context.Context, op, key string) (meta, bool, error) {
	mc := b.readMetaAsync(ctx, op, key, true)
	in := b.queryInput(key, allMembers(), false)
	in.ConsistentRead, in.Limit = aws.Bool(true), aws.Int32(1)
	page, qerr := b.query(ctx, in)
	mr := <-mc
	if mr.err != nil {
		return meta{}, false, mr.err
	}
	if qerr != nil {
		return meta{}, false, wrap(op, key, qerr)
	}
	if len(page.Items) == 0 {
		return mr.m, false, nil
	}
	s, err := decodeSorted(page.Items[0])
	if err != nil {
		return meta{}, false, corrupt(key, err)
	}
	now := nowMillis()
	if mr.m.liveMember(s, now) {
		return mr.m, true, nil
	}
	n, err := b.queryCountFiltered(ctx, op, key, allMembers(), mr.m.cut(now), true)
	return mr.m, n > 0, err
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
	return cond
}

// metaExpireUpdate is the update of the meta item m that sets the sorted data's
// expiry to at (Unix ms) at now: an x that has passed becomes dead. A time that has
// passed is stored as now, so that it kills the members written before now (a
// member is live iff wt >= cut), not only those written before at.
func metaExpireUpdate(e *expr, m meta, at, now int64) string {
	u := "SET " + e.name(attrExpiry) + " = " + e.value(avN(max(at, now)))
	if m.x != 0 && m.x <= now {
		u += ", " + e.name(attrDead) + " = " + e.value(avN(m.x))
	}
	return u
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
// of the meta item, retried when the meta item changed in between.
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
		marker := b.reclaimMarkerAsync(ctx, key, max(at, now)) // see reclaim.go
		ok, err := b.updateMeta(ctx, "Expire", key, &e, metaExpireUpdate(&e, m, at, now), m)
		if merr := <-marker; ok && err == nil {
			err = merr
		}
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

// endIncarnation is called after a member of key was removed at removed (Unix ms):
// when the sorted data has an expiry that has not passed and no live member is
// left, the sorted data ends with its last member, and so does its expiry (dead
// becomes removed, x goes). Keys without a meta item cost the GetItem only.
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

// endIncarnations runs endIncarnation for each distinct key, concurrently: after a
// batch or an atomic write removed sorted members at removed (Unix ms). It returns the
// errors by key.
func (b *Backend) endIncarnations(ctx context.Context, op string, keys []string, removed int64) map[string]error {
	seen := make(map[string]bool, len(keys))
	var mu sync.Mutex
	errs := make(map[string]error)
	p := newPool(b.opts.concurrency)
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		p.Go(func() {
			if err := b.endIncarnation(ctx, op, k, b.readMetaAsync(ctx, op, k, true), removed); err != nil {
				mu.Lock()
				defer mu.Unlock()
				errs[k] = err
			}
		})
	}
	p.Wait()
	return errs
}
