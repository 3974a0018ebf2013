package dynamodb

import (
	"context"
	"encoding/binary"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// Reclamation of dead sorted members. Expiring a key's sorted data writes its meta
// item only (see sorted_expiry.go): the members it kills stay in the table, hidden
// from reads. So that their storage comes back, a key whose sorted data has an expiry
// has one armed reclaim marker, an item {hk: key, rk: "x" + its expiry as 8
// big-endian bytes, ttl: ceil(expiry / 1000)} (it sorts after the value item "_" and
// before the meta item "y", and the rk2 index, which it lacks, never sees it); the
// meta item's mk names it. The Expire that finds no marker armed writes one, then
// arms it in its meta update; later Expires cost nothing more. DynamoDB's TTL deletes
// the marker some time after its expiry; the stream decodes that deletion as one
// expired change of the key's sorted data (KindSorted, with its Expiry), and the
// stream function calls ReclaimExpired, which tags every dead member with ttl = now,
// so DynamoDB's TTL deletes them too, for free, then arms a marker at the sorted
// data's current expiry if it has one (it was moved later), else none. Tagged members
// are dead by the cut rule, so reads are unaffected; a member written again (every
// member write is a PutItem of the whole item, which has no ttl) loses its tag, and
// DynamoDB's TTL, which checks the item again before deleting it, keeps it.

// rkMarkerPrefix starts the sort key of a reclaim marker; markerRKLen is its length.
const (
	rkMarkerPrefix = 'x'
	markerRKLen    = 1 + 8
)

// markerRK is the sort key of the reclaim marker of an expiry x (Unix ms).
func markerRK(x int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{rkMarkerPrefix}, uint64(x))
}

// markerExpiry returns the expiry of a marker's sort key, and whether rk is one.
func markerExpiry(rk string) (int64, bool) {
	if len(rk) != markerRKLen || rk[0] != rkMarkerPrefix {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64([]byte(rk[1:]))), true
}

// markerItem is the reclaim marker of key's sorted data expiring at x.
func markerItem(key string, x int64) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrHK: avS(key), attrRK: avB(markerRK(x)), attrTTL: avN(ttlSeconds(x))}
}

// writeReclaimMarker writes the reclaim marker of key's sorted data expiring at x
// (Unix ms): one PutItem. Expire writes it before the meta item's update that arms it
// (sets the meta item's mk to x), so an armed marker always exists; a marker whose
// update then fails is harmless (ReclaimExpired finds nothing to do for it).
func (b *Backend) writeReclaimMarker(ctx context.Context, key string, x int64) error {
	if _, err := b.putItem(ctx, &awsdynamodb.PutItemInput{Item: markerItem(key, x)}); err != nil {
		return wrap("Expire", key, err)
	}
	return nil
}

// reclaimSkew is how far ahead of the writers' clocks ReclaimExpired's clock may be
// (Lambda's clocks are NTP-disciplined: milliseconds apart).
const reclaimSkew = time.Second

// sleepCtx waits d, or returns the context's error when it ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// writeReclaimMarkers writes, concurrently and before an atomic write's transaction,
// the reclaim markers its Expires arm (txOp.arm), and returns the first error.
func (b *Backend) writeReclaimMarkers(ctx context.Context, tx []*txOp) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, t := range tx {
		if t.op.Kind != kvstore.AtomicExpire || t.arm == 0 {
			continue
		}
		wg.Go(func() {
			if err := b.writeReclaimMarker(ctx, t.op.Key, t.arm); err != nil {
				mu.Lock()
				defer mu.Unlock()
				if first == nil {
					first = err
				}
			}
		})
	}
	wg.Wait()
	return first
}

// ReclaimExpired reclaims the storage of key's sorted members that the expiry x
// (Unix ms) killed: it is for stream handlers, on the expired change of a key's
// sorted data (Kind KindSorted; x is its Expiry), after DynamoDB's TTL deleted the
// reclaim marker that Expire wrote. It reads the meta item (consistently); when the
// sorted data's cut (taken reclaimSkew ago, waiting for it if x is more recent) is
// before x, its incarnation did not end at x (its expiry was
// removed or moved later): no member to tag. Otherwise it Queries the key's members
// (consistently, keys only, paging) that are dead (written before the cut) and not
// yet tagged, and tags each with ttl = now, one UpdateItem on condition that it is
// still dead (1 WCU each, Backend's concurrency at a time; throttling backs off), so
// that DynamoDB's TTL deletes them. A member written again meanwhile is left alone.
//
// The cut never decreases (the meta item is never deleted, and its dead only grows),
// so a member written before it is dead for good: tagging every such member, not only
// those x killed, is safe. ReclaimExpired returns how many members it tagged, and
// may be called again (after an error, or for the same x): it tags only what is left.
// When x is the marker the meta item arms, it then arms the next one (see rearm).
func (b *Backend) ReclaimExpired(ctx context.Context, key string, x int64) (int, error) {
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	const op = "ReclaimExpired"
	m, err := b.readMeta(ctx, op, key, true)
	if err != nil {
		return 0, err
	}
	// The cut is taken reclaimSkew in the past, so that a clock ahead of the writers'
	// never takes a live member (of an expiry about to pass, which may yet be moved)
	// for dead: a tag cannot be undone by Expire or Persist. A marker that comes that
	// early waits.
	now := nowMillis() - reclaimSkew.Milliseconds()
	if x > now {
		if err := sleepCtx(ctx, time.Duration(x-now)*time.Millisecond); err != nil {
			return 0, wrap(op, key, err)
		}
		if m, err = b.readMeta(ctx, op, key, true); err != nil {
			return 0, err
		}
		now = nowMillis() - reclaimSkew.Milliseconds()
	}
	n := 0
	if cut := m.cut(now); cut != 0 && cut >= x {
		if n, err = b.tagDeadMembers(ctx, key, cut, now); err != nil {
			return n, err
		}
	}
	return n, b.rearm(ctx, key, x, m)
}

// rearm replaces the armed reclaim marker x, which DynamoDB's TTL has deleted, when
// the meta item m still names it: by a marker at the sorted data's expiry when it has
// one that has not passed (the marker first, then the meta item), else by none. An
// Expire that changed the meta item meanwhile makes it read the meta item again.
func (b *Backend) rearm(ctx context.Context, key string, x int64, m meta) error {
	const op = "ReclaimExpired"
	for attempt := 0; m.armed == x; attempt++ {
		var e expr
		update := "REMOVE " + e.name(attrArmed)
		if next := m.expiry(nowMillis()); next != 0 {
			if err := b.writeReclaimMarker(ctx, key, next); err != nil {
				return err
			}
			update = "SET " + e.name(attrArmed) + " = " + e.value(avN(next))
		}
		ok, err := b.updateMeta(ctx, op, key, &e, update, m)
		if ok || err != nil {
			return err
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return wrap(op, key, err)
		}
		if m, err = b.readMeta(ctx, op, key, true); err != nil {
			return err
		}
	}
	return nil
}

// tagDeadMembers tags key's members written before cut (and not tagged yet) with
// ttl = now (Unix ms), and returns how many it tagged: see ReclaimExpired.
func (b *Backend) tagDeadMembers(ctx context.Context, key string, cut, now int64) (int, error) {
	const op = "ReclaimExpired"
	var e expr
	hk, rk, wt, ttl := e.name(attrHK), e.name(attrRK), e.name(attrWritten), e.name(attrTTL)
	cutV := e.value(avN(cut))
	in := &awsdynamodb.QueryInput{
		// Every member's sort key starts with sortedPrefix, and nothing sorts after.
		KeyConditionExpression: aws.String(hk + " = " + e.value(avS(key)) + " AND " + rk + " >= " + e.value(avB([]byte{sortedPrefix}))),
		FilterExpression:       aws.String("(attribute_not_exists(" + wt + ") OR " + wt + " < " + cutV + ") AND attribute_not_exists(" + ttl + ")"),
		ProjectionExpression:   aws.String(hk + ", " + rk),
		ConsistentRead:         aws.Bool(true),
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.Names(), e.Values()
	var tagged atomic.Int64
	tagTTL := avN(now / 1000) // passed: DynamoDB's TTL deletes them when it comes by
	for {
		page, err := b.query(ctx, in)
		if err != nil {
			return int(tagged.Load()), wrap(op, key, err)
		}
		var mu sync.Mutex
		var first error
		p := newPool(b.opts.concurrency)
		for _, item := range page.Items {
			p.Go(func() {
				ok, err := b.tagDead(ctx, item, cut, tagTTL)
				if ok {
					tagged.Add(1)
				}
				if err != nil {
					mu.Lock()
					defer mu.Unlock()
					if first == nil {
						first = wrap(op, key, err)
					}
				}
			})
		}
		p.Wait()
		if first != nil {
			return int(tagged.Load()), first
		}
		if len(page.LastEvaluatedKey) == 0 {
			return int(tagged.Load()), nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// tagDead sets ttl on a member (item holds its primary key) on condition that it is
// still written before cut, and reports whether it did.
func (b *Backend) tagDead(ctx context.Context, item map[string]types.AttributeValue, cut int64, ttl types.AttributeValue) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var e expr
	hk, wt := e.name(attrHK), e.name(attrWritten)
	_, err := b.updateItem(ctx, &awsdynamodb.UpdateItemInput{
		Key:              map[string]types.AttributeValue{attrHK: item[attrHK], attrRK: item[attrRK]},
		UpdateExpression: aws.String("SET " + e.name(attrTTL) + " = " + e.value(ttl)),
		ConditionExpression: aws.String("attribute_exists(" + hk + ") AND (attribute_not_exists(" + wt + ") OR " +
			wt + " < " + e.value(avN(cut)) + ")"),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
	})
	if err == nil {
		return true, nil
	}
	if _, failed := conditionFailed(err); failed {
		return false, nil // written again (live) or removed since the Query
	}
	return false, err
}

// decodeMarkerChange decodes a change of a reclaim marker: its deletion by DynamoDB's
// TTL is the expired change of the key's sorted data; anything else is no change.
func decodeMarkerChange(key string, x int64, expired bool) []Change {
	if !expired {
		return nil
	}
	return []Change{{Op: OpExpired, Kind: KindSorted, Key: key, Expiry: x}}
}

// reclamation reports whether a change of a sorted member's item is reclamation's, and
// so no change of kvstore data: DynamoDB's TTL deleting it (only ReclaimExpired tags
// members with ttl, and only dead ones), or ReclaimExpired tagging it (a MODIFY that
// only adds ttl).
func reclamation(oldItem, newItem map[string]types.AttributeValue, expired bool) bool {
	if expired {
		return true
	}
	if oldItem == nil || newItem == nil {
		return false
	}
	if _, ok := oldItem[attrTTL]; ok {
		return false
	}
	if _, ok := newItem[attrTTL]; !ok || len(newItem) != len(oldItem)+1 {
		return false
	}
	for name, av := range oldItem {
		if !reflect.DeepEqual(av, newItem[name]) {
			return false
		}
	}
	return true
}
