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
)

// maxField is the longest sorted field; the key conditions below rely on it.
const maxField = kvstore.MaxSortedMemberSize

// minLex and maxLex are the lex bounds "-" and "+".
var minLex, maxLex = kvstore.LexBound{Min: true}, kvstore.LexBound{Max: true}

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
// The meta item is read concurrently with the first page; when it makes some members
// dead (cut > 0), they are filtered out here (lex ranges, whose table items hold wt)
// or the range becomes scanMembers (score ranges: the rk2 index lacks wt).
func (b *Backend) queryMembers(ctx context.Context, op, key string, r sortRange, rev bool, limit int) ([]*sortedMember, error) {
	mc := b.readMetaAsync(ctx, op, key, false)
	metaRead := false
	var cut int64
	in := b.queryInput(key, r, rev)
	var out []*sortedMember
	for {
		switch {
		case cut > 0:
			in.Limit = nil // dead members are filtered here: read whole pages
		case limit > 0:
			in.Limit = aws.Int32(int32(min(limit-len(out), math.MaxInt32)))
		}
		page, err := b.query(ctx, in)
		if !metaRead {
			mr := <-mc
			metaRead = true
			if err == nil && mr.err != nil {
				return nil, mr.err
			}
			cut = mr.m.cut(nowMillis())
			if err == nil && cut > 0 && r.index != "" {
				return b.scanMembers(ctx, op, key, r, rev, limit, cut)
			}
		}
		if err != nil {
			return nil, wrap(op, key, err)
		}
		var missing []*sortedMember
		for _, item := range page.Items {
			m, err := decodeSorted(item)
			if err != nil {
				return nil, corrupt(key, err)
			}
			if m.written < cut {
				continue
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
		if len(page.LastEvaluatedKey) == 0 || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// scanMembers is queryMembers of a score range when some members are dead (cut > 0):
// the rk2 index does not project wt, and asking it for wt would fetch every index
// entry read from the table (a read unit each, dead ones included), so instead one
// Query reads all of key's members from the table, filtered on rk2 and wt, and the
// live ones are sorted by rk2 here. That costs the size of the key's sorted data.
func (b *Backend) scanMembers(ctx context.Context, op, key string, r sortRange, rev bool, limit int, cut int64) ([]*sortedMember, error) {
	in := b.queryInput(key, allMembers(), false)
	in.ExpressionAttributeNames["#wt"], in.ExpressionAttributeNames["#rk2"] = attrWritten, attrRK2
	in.ExpressionAttributeValues[":cut"] = avN(cut)
	in.ExpressionAttributeValues[":lo"], in.ExpressionAttributeValues[":hi"] = avB(r.lo), avB(r.hi)
	in.FilterExpression = aws.String("#wt >= :cut AND #rk2 BETWEEN :lo AND :hi")
	var out []*sortedMember
	for {
		page, err := b.query(ctx, in)
		if err != nil {
			return nil, wrap(op, key, err)
		}
		for _, item := range page.Items {
			m, err := decodeSorted(item)
			if err != nil {
				return nil, corrupt(key, err)
			}
			out = append(out, m)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	slices.SortFunc(out, func(a, b *sortedMember) int {
		if rev {
			return bytes.Compare(b.rk2, a.rk2)
		}
		return bytes.Compare(a.rk2, b.rk2)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
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
// concurrently with the meta item's read; when the meta item makes some members dead
// (cut > 0), the count runs again, filtered on wt >= cut.
func (b *Backend) queryCount(ctx context.Context, op, key string, r sortRange) (int, error) {
	mc := b.readMetaAsync(ctx, op, key, false)
	n, err := b.queryCountFiltered(ctx, op, key, r, 0, b.consistent)
	mr := <-mc
	switch {
	case err != nil:
		return 0, err
	case mr.err != nil:
		return 0, mr.err
	}
	if cut := mr.m.cut(nowMillis()); cut > 0 && n > 0 {
		return b.queryCountFiltered(ctx, op, key, r, cut, b.consistent)
	}
	return n, nil
}

// queryCountFiltered counts key's members in r written at cut or later (all when cut
// is 0) with Select COUNT, paginating. With a cut, the rk2 index (which does not
// project wt, and refuses a filter on it) is not used: the Query reads every member
// of key from the table, filtered on rk2 and wt, which costs the members' size, not
// one fetch from the table per member.
func (b *Backend) queryCountFiltered(ctx context.Context, op, key string, r sortRange, cut int64, consistent bool) (int, error) {
	rr := r
	if cut > 0 && r.index != "" {
		rr = allMembers()
	}
	in := b.queryInput(key, rr, false)
	in.Select, in.ConsistentRead = types.SelectCount, aws.Bool(consistent)
	if cut > 0 {
		in.ExpressionAttributeNames["#wt"] = attrWritten
		in.ExpressionAttributeValues[":cut"] = avN(cut)
		filter := "#wt >= :cut"
		if r.index != "" {
			in.ExpressionAttributeNames["#rk2"] = attrRK2
			in.ExpressionAttributeValues[":lo"], in.ExpressionAttributeValues[":hi"] = avB(r.lo), avB(r.hi)
			filter += " AND #rk2 BETWEEN :lo AND :hi"
		}
		in.FilterExpression = aws.String(filter)
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
