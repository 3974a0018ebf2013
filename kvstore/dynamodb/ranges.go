package dynamodb

import (
	"bytes"
	"context"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// maxField is the longest sorted field; the key conditions below rely on it.
const maxField = kvstore.MaxSortedMemberSize

// sortRange is one Query's sort-key range: index "" (the table, rk) or indexRK2.
type sortRange struct {
	index  string
	attr   string
	lo, hi []byte
}

// scoreRange is the rk2 range of the members with min <= score <= max: from the
// encoded min to the encoded max followed by the highest possible field. ok is false
// when the range is empty.
func scoreRange(min, max float64) (r sortRange, ok bool) {
	if math.IsNaN(min) || math.IsNaN(max) || min > max {
		return r, false
	}
	min, _ = kvstore.NormalizeScore(min)
	max, _ = kvstore.NormalizeScore(max)
	hi := encodeScore(make([]byte, 0, scoreLen+maxField), max)
	hi = append(hi, bytes.Repeat([]byte{0xff}, maxField)...)
	return sortRange{index: indexRK2, attr: attrRK2, lo: encodeScore(nil, min), hi: hi}, true
}

// lexRange is the rk range of the fields between two lex bounds. Fields are at most
// maxField bytes, so exclusive bounds become exact inclusive ones: the successor of
// (x is x+0x00, and the greatest field below (x is x with its last byte lowered and
// 0xff bytes up to maxField (or x less a trailing 0x00)). ok is false when the range
// is empty.
func lexRange(min, max kvstore.LexBound) (r sortRange, ok bool) {
	r = sortRange{attr: attrRK}
	switch {
	case min.Max, max.Min:
		return r, false
	case min.Min:
		r.lo = []byte{sortedPrefix}
	default:
		x := min.Value
		inclusive := min.Inclusive
		if len(x) > maxField {
			// No field is as long as x: f >= x and f > x both mean f > x[:maxField].
			x, inclusive = x[:maxField], false
		}
		r.lo = sortedRK(x)
		if !inclusive {
			r.lo = append(r.lo, 0)
		}
	}
	switch {
	case max.Max:
		r.hi = append([]byte{sortedPrefix}, bytes.Repeat([]byte{0xff}, maxField)...)
	default:
		x := max.Value
		inclusive := max.Inclusive
		if len(x) > maxField {
			// f <= x and f < x both mean f <= x[:maxField].
			x, inclusive = x[:maxField], true
		}
		switch {
		case inclusive:
			r.hi = sortedRK(x)
		case x == "":
			return r, false
		case x[len(x)-1] == 0:
			r.hi = sortedRK(x[:len(x)-1])
		default:
			hi := sortedRK(x)
			hi[len(hi)-1]--
			r.hi = append(hi, bytes.Repeat([]byte{0xff}, maxField-len(x))...)
		}
	}
	return r, bytes.Compare(r.lo, r.hi) <= 0
}

// queryInput is a Query of key's members in r.
func (b *Backend) queryInput(key string, r sortRange, rev bool) *awsdynamodb.QueryInput {
	var e expr
	cond := e.name(attrHK) + " = " + e.value(avS(key)) + " AND " + e.name(r.attr) +
		" BETWEEN " + e.value(avB(r.lo)) + " AND " + e.value(avB(r.hi))
	in := &awsdynamodb.QueryInput{
		KeyConditionExpression: aws.String(cond), ConsistentRead: b.consistentRead(),
		ScanIndexForward: aws.Bool(!rev),
	}
	if r.index != "" {
		in.IndexName = aws.String(r.index)
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.Names(), e.Values()
	return in
}

// queryMembers returns up to limit (0: all) live members of key in r, paginating.
// The meta item is read concurrently with the first page (one round trip); when it
// makes some members dead (cut > 0), the first page's dead members are dropped here
// and the next pages carry FilterExpression wt >= cut (the rk2 index projects wt, as
// the table's items hold it), evaluating growing pages until limit live members are
// found. The meta item's expiry goes to the context's expiryreport.Report, if any.
func (b *Backend) queryMembers(ctx context.Context, op, key string, r sortRange, rev bool, limit int) ([]*sortedMember, error) {
	mc := b.readMetaAsync(ctx, op, key, false)
	metaRead := false
	var cut int64
	in := b.queryInput(key, r, rev)
	var out []*sortedMember
	for pages := 0; ; pages++ {
		if limit > 0 {
			need := limit - len(out)
			if cut > 0 {
				// A page evaluates Limit items before the filter: grow it, so that
				// many dead members cost a few requests, and a few cost little.
				need = max(need, 25) << min(2*pages, 20)
			}
			in.Limit = aws.Int32(int32(min(need, math.MaxInt32)))
		}
		page, err := b.query(ctx, in)
		if !metaRead {
			mr := <-mc
			metaRead = true
			if err == nil && mr.err != nil {
				return nil, mr.err
			}
			now := nowMillis()
			cut = mr.m.cut(now)
			if mr.err == nil {
				expiryreport.FromContext(ctx).Record(key, true, mr.m.expiry(now))
			}
			if cut > 0 {
				in.ExpressionAttributeNames["#wt"] = attrWritten
				in.ExpressionAttributeValues[":cut"] = avN(cut)
				in.FilterExpression = aws.String("#wt >= :cut")
			}
		}
		if err != nil {
			return nil, wrap(op, key, err)
		}
		var missing []*sortedMember
		var resume map[string]types.AttributeValue
		for i, item := range page.Items {
			m, err := decodeSorted(item)
			if err != nil {
				return nil, corrupt(key, err)
			}
			if m.written < cut {
				continue
			}
			if limit > 0 && len(out) >= limit {
				// A filtered page may hold more than the limit: should fetchMembers
				// find some gone, the next page starts after the last item taken.
				resume = keyOfItem(page.Items[i-1], r.index != "")
				break
			}
			if m.missing {
				missing = append(missing, m)
			}
			out = append(out, m)
		}
		if len(missing) > 0 {
			if err := b.fetchMembers(ctx, op, key, missing); err != nil {
				return nil, err
			}
			out = slices.DeleteFunc(out, func(m *sortedMember) bool { return m.gone })
		}
		if limit > 0 && len(out) >= limit {
			return out, nil
		}
		switch {
		case resume != nil:
			in.ExclusiveStartKey = resume
		case len(page.LastEvaluatedKey) == 0:
			return out, nil
		default:
			in.ExclusiveStartKey = page.LastEvaluatedKey
		}
	}
}

// keyOfItem is the ExclusiveStartKey of a Query that resumes after item: its hk, rk
// and, on the rk2 index, rk2.
func keyOfItem(item map[string]types.AttributeValue, index bool) map[string]types.AttributeValue {
	k := map[string]types.AttributeValue{attrHK: item[attrHK], attrRK: item[attrRK]}
	if index {
		k[attrRK2] = item[attrRK2]
	}
	return k
}

// fetchMembers reads the members the rk2 index does not hold (see sortedItem) from
// the table, with BatchGetItem.
func (b *Backend) fetchMembers(ctx context.Context, op, key string, ms []*sortedMember) error {
	for _, c := range chunks(ms, maxBatchGet) {
		keys := make([]itemKey, len(c))
		for i, m := range c {
			keys[i] = sortedItemKey(key, m.field)
		}
		found, _, err := b.getItems(ctx, keys, b.consistent)
		if err != nil {
			return wrap(op, key, err)
		}
		for i, m := range c {
			item, ok := found[keys[i]]
			if !ok {
				m.gone = true // removed since the index was read
				continue
			}
			full, err := decodeSorted(item)
			if err != nil {
				return corrupt(key, err)
			}
			m.member, m.missing = full.member, false
		}
	}
	return nil
}

// queryCount counts key's live members in r: a Select COUNT Query, paginating, sent
// concurrently with the meta item's read (one round trip); when the meta item makes
// some members dead (cut > 0) and the range is not empty, the count runs again on
// the same index, filtered on wt >= cut (a second round trip, the same read units
// again). The meta item's expiry goes to the context's expiryreport.Report, if any.
func (b *Backend) queryCount(ctx context.Context, op, key string, r sortRange) (int, error) {
	mc := b.readMetaAsync(ctx, op, key, false)
	n, err := b.queryCountFiltered(ctx, op, key, r, 0)
	mr := <-mc
	switch {
	case err != nil:
		return 0, err
	case mr.err != nil:
		return 0, mr.err
	}
	now := nowMillis()
	expiryreport.FromContext(ctx).Record(key, true, mr.m.expiry(now))
	if cut := mr.m.cut(now); cut > 0 && n > 0 {
		return b.queryCountFiltered(ctx, op, key, r, cut)
	}
	return n, nil
}

// queryCountFiltered counts key's members in r written at cut or later (all when cut
// is 0) with Select COUNT, paginating; the rk2 index projects wt, so the filter
// applies to score ranges as to lex ranges.
func (b *Backend) queryCountFiltered(ctx context.Context, op, key string, r sortRange, cut int64) (int, error) {
	in := b.queryInput(key, r, false)
	in.Select = types.SelectCount
	if cut > 0 {
		in.ExpressionAttributeNames["#wt"] = attrWritten
		in.ExpressionAttributeValues[":cut"] = avN(cut)
		in.FilterExpression = aws.String("#wt >= :cut")
	}
	n := 0
	for {
		page, err := b.query(ctx, in)
		if err != nil {
			return 0, wrap(op, key, err)
		}
		n += int(page.Count)
		if len(page.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

func (b *Backend) byScore(ctx context.Context, op, key string, min, max float64, limit int, rev bool) ([]*sortedMember, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	if err := kvstore.ValidateLimit(limit); err != nil {
		return nil, err
	}
	if err := kvstore.ValidateScoreRange(min, max); err != nil {
		return nil, err
	}
	r, ok := scoreRange(min, max)
	if !ok {
		return nil, nil
	}
	return b.queryMembers(ctx, op, key, r, rev, limit)
}

func (b *Backend) byLex(ctx context.Context, op, key, min, max string, limit int, rev bool) ([]*sortedMember, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	if err := kvstore.ValidateLimit(limit); err != nil {
		return nil, err
	}
	lo, hi, err := kvstore.ParseLexRange(min, max)
	if err != nil {
		return nil, err
	}
	r, ok := lexRange(lo, hi)
	if !ok {
		return nil, nil
	}
	return b.queryMembers(ctx, op, key, r, rev, limit)
}

func membersOfRange(ms []*sortedMember, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.member
	}
	return out, nil
}

func scoredOfRange(ms []*sortedMember, err error) (kvstore.ScoredMembers, error) {
	if err != nil {
		return nil, err
	}
	out := make(kvstore.ScoredMembers, len(ms))
	all := make([]kvstore.ScoredMember, len(ms))
	for i, m := range ms {
		all[i] = kvstore.ScoredMember{Score: m.score, Value: m.member}
		out[i] = &all[i]
	}
	return out, nil
}

// ZRangeByScore implements kvstore.Backend: a Query of the rk2 index.
func (b *Backend) ZRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return membersOfRange(b.byScore(ctx, "ZRangeByScore", key, min, max, limit, false))
}

// ZRangeByScoreWithScores implements kvstore.Backend: a Query of the rk2 index.
func (b *Backend) ZRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return scoredOfRange(b.byScore(ctx, "ZRangeByScoreWithScores", key, min, max, limit, false))
}

// ZRevRangeByScore implements kvstore.Backend: a backward Query of the rk2 index.
func (b *Backend) ZRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return membersOfRange(b.byScore(ctx, "ZRevRangeByScore", key, min, max, limit, true))
}

// ZRevRangeByScoreWithScores implements kvstore.Backend: a backward Query of the rk2 index.
func (b *Backend) ZRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return scoredOfRange(b.byScore(ctx, "ZRevRangeByScoreWithScores", key, min, max, limit, true))
}

// ZCount implements kvstore.Backend: a Select COUNT Query of the rk2 index.
func (b *Backend) ZCount(ctx context.Context, key string, min, max float64) (int, error) {
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	if err := kvstore.ValidateScoreRange(min, max); err != nil {
		return 0, err
	}
	r, ok := scoreRange(min, max)
	if !ok {
		return 0, nil
	}
	return b.queryCount(ctx, "ZCount", key, r)
}

// ZLexCount implements kvstore.Backend: a Select COUNT Query of the table's rk.
func (b *Backend) ZLexCount(ctx context.Context, key string, min, max string) (int, error) {
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	lo, hi, err := kvstore.ParseLexRange(min, max)
	if err != nil {
		return 0, err
	}
	r, ok := lexRange(lo, hi)
	if !ok {
		return 0, nil
	}
	return b.queryCount(ctx, "ZLexCount", key, r)
}

// ZRangeByLex implements kvstore.Backend: a Query of the table's rk.
func (b *Backend) ZRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return membersOfRange(b.byLex(ctx, "ZRangeByLex", key, min, max, limit, false))
}

// ZRevRangeByLex implements kvstore.Backend: a backward Query of the table's rk.
func (b *Backend) ZRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return membersOfRange(b.byLex(ctx, "ZRevRangeByLex", key, min, max, limit, true))
}

// ZHRangeByScore implements kvstore.Backend.
func (b *Backend) ZHRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return membersOfRange(b.byScore(ctx, "ZHRangeByScore", key, min, max, limit, false))
}

// ZHRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZHRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return scoredOfRange(b.byScore(ctx, "ZHRangeByScoreWithScores", key, min, max, limit, false))
}

// ZHRevRangeByScore implements kvstore.Backend.
func (b *Backend) ZHRevRangeByScore(ctx context.Context, key string, min, max float64, limit int) ([]string, error) {
	return membersOfRange(b.byScore(ctx, "ZHRevRangeByScore", key, min, max, limit, true))
}

// ZHRevRangeByScoreWithScores implements kvstore.Backend.
func (b *Backend) ZHRevRangeByScoreWithScores(ctx context.Context, key string, min, max float64, limit int) (kvstore.ScoredMembers, error) {
	return scoredOfRange(b.byScore(ctx, "ZHRevRangeByScoreWithScores", key, min, max, limit, true))
}

// ZHRangeByLex implements kvstore.Backend: lex bounds compare fields.
func (b *Backend) ZHRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return membersOfRange(b.byLex(ctx, "ZHRangeByLex", key, min, max, limit, false))
}

// ZHRevRangeByLex implements kvstore.Backend: lex bounds compare fields.
func (b *Backend) ZHRevRangeByLex(ctx context.Context, key string, min, max string, limit int) ([]string, error) {
	return membersOfRange(b.byLex(ctx, "ZHRevRangeByLex", key, min, max, limit, true))
}
