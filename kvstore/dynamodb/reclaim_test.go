package dynamodb_test

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// rawItems returns every item of key whose rk is in [lo, hi], read from the table.
func rawItems(t *testing.T, client *awsdynamodb.Client, table, key string, lo, hi []byte) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	in := &awsdynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("hk = :k AND rk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":k":  &types.AttributeValueMemberB{Value: []byte(key)},
			":lo": &types.AttributeValueMemberB{Value: lo}, ":hi": &types.AttributeValueMemberB{Value: hi},
		},
		ConsistentRead: aws.Bool(true),
	}
	for {
		page, err := client.Query(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if len(page.LastEvaluatedKey) == 0 {
			return out
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

func markers(t *testing.T, client *awsdynamodb.Client, table, key string) []map[string]types.AttributeValue {
	return rawItems(t, client, table, key, []byte("x"), []byte("x\xff\xff\xff\xff\xff\xff\xff\xff"))
}

// onlyMarker returns the expiry of key's only reclaim marker. (DynamoDB Local runs
// TTL too, at times: read markers before their expiry.)
func onlyMarker(t *testing.T, client *awsdynamodb.Client, table, key string) int64 {
	t.Helper()
	ms := markers(t, client, table, key)
	if len(ms) != 1 {
		t.Fatalf("%d reclaim markers of %s, want 1", len(ms), key)
	}
	return int64(binary.BigEndian.Uint64(ms[0]["rk"].(*types.AttributeValueMemberB).Value[1:]))
}

// deleteMarkers deletes key's reclaim markers.
func deleteMarkers(t *testing.T, client *awsdynamodb.Client, table, key string) {
	t.Helper()
	for _, m := range markers(t, client, table, key) {
		_, err := client.DeleteItem(t.Context(), &awsdynamodb.DeleteItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{"hk": m["hk"], "rk": m["rk"]}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func members(t *testing.T, client *awsdynamodb.Client, table, key string) []map[string]types.AttributeValue {
	return rawItems(t, client, table, key, []byte("z"), []byte("z\xff\xff\xff\xff"))
}

// markerRemoval is the stream record of DynamoDB's TTL deleting a reclaim marker.
func markerRemoval(key string, marker map[string]types.AttributeValue) events.DynamoDBEventRecord {
	bin := events.NewBinaryAttribute
	rk := marker["rk"].(*types.AttributeValueMemberB).Value
	keys := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte(key)), "rk": bin(rk)}
	return events.DynamoDBEventRecord{
		EventName:    "REMOVE",
		UserIdentity: &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"},
		Change: events.DynamoDBStreamRecord{Keys: keys, OldImage: map[string]events.DynamoDBAttributeValue{
			"hk": bin([]byte(key)), "rk": bin(rk), "ttl": events.NewNumberAttribute(marker["ttl"].(*types.AttributeValueMemberN).Value),
		}, StreamViewType: "NEW_AND_OLD_IMAGES"},
	}
}

func fieldOf(item map[string]types.AttributeValue) string {
	return string(item["rk"].(*types.AttributeValueMemberB).Value[1:])
}

// TestReclaimExpired expires a sorted set of 200 members, feeds the decoder the TTL
// deletion of its reclaim marker, and reclaims: the dead members get a ttl, the live
// one does not, reads are unchanged, and a member written again loses its ttl.
func TestReclaimExpired(t *testing.T) {
	endpoint := testservers.DynamoDBLocal(t)
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	const key, n = "rate:10.0.0.1", 200
	for i := range n {
		must(t, b.ZAdd(ctx, key, fmt.Sprintf("m%03d", i), float64(i)))
	}
	before := time.Now().UnixMilli()
	if ok, err := b.Expire(ctx, key, 300*time.Millisecond); !ok || err != nil {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	ms := markers(t, client, table, key)
	if len(ms) != 1 {
		t.Fatalf("%d reclaim markers, want 1: %v", len(ms), ms)
	}
	rk := ms[0]["rk"].(*types.AttributeValueMemberB).Value
	x := int64(binary.BigEndian.Uint64(rk[1:]))
	if x < before+300 || x > time.Now().UnixMilli()+300 {
		t.Errorf("marker's x = %d, want Expire's time + 300 ms (from %d)", x, before)
	}
	if got, want := ms[0]["ttl"].(*types.AttributeValueMemberN).Value, fmt.Sprint((x+999)/1000); got != want {
		t.Errorf("marker's ttl = %s, want %s", got, want)
	}

	time.Sleep(time.Until(time.UnixMilli(x + 50)))
	must(t, b.ZAdd(ctx, key, "new", 1000))

	changes, err := dynamodb.DecodeStreamRecord(markerRemoval(key, ms[0]))
	want := []dynamodb.Change{{Op: dynamodb.OpExpired, Kind: dynamodb.KindSorted, Key: key, Expiry: x}}
	if err != nil || !reflect.DeepEqual(changes, want) {
		t.Fatalf("the marker's TTL deletion decoded as %+v, %v; want %+v", changes, err, want)
	}
	got, err := b.ReclaimExpired(ctx, key, changes[0].Expiry)
	if got != n || err != nil {
		t.Fatalf("ReclaimExpired = %d, %v; want %d", got, err, n)
	}
	// (DynamoDB Local may already have deleted some tagged members: count them too.)
	items := members(t, client, table, key)
	tagged := n + 1 - len(items)
	for _, item := range items {
		_, hasTTL := item["ttl"]
		switch {
		case fieldOf(item) == "new" && hasTTL:
			t.Error("the live member was tagged")
		case fieldOf(item) != "new" && !hasTTL:
			t.Errorf("dead member %s was not tagged", fieldOf(item))
		case hasTTL:
			tagged++
		}
	}
	if tagged != n {
		t.Errorf("%d members tagged, want %d", tagged, n)
	}
	if r, err := b.ZRangeByScore(ctx, key, 0, 2000, 0); err != nil || !slices.Equal(r, []string{"new"}) {
		t.Errorf("ZRangeByScore = %v, %v; want [new]", r, err)
	}
	if r, err := b.ZRangeByLex(ctx, key, "-", "+", 0); err != nil || !slices.Equal(r, []string{"new"}) {
		t.Errorf("ZRangeByLex = %v, %v; want [new]", r, err)
	}
	if c, err := b.ZCount(ctx, key, 0, 2000); err != nil || c != 1 {
		t.Errorf("ZCount = %d, %v; want 1", c, err)
	}
	// Again: nothing left to tag.
	if got, err := b.ReclaimExpired(ctx, key, x); got != 0 || err != nil {
		t.Errorf("ReclaimExpired again = %d, %v; want 0", got, err)
	}
	// A member written again after its tag loses it, and is live.
	must(t, b.ZAdd(ctx, key, "m005", 5))
	if _, err := b.ZIncrBy(ctx, key, "m006", 1); err != nil {
		t.Fatal(err)
	}
	for _, item := range members(t, client, table, key) {
		if f := fieldOf(item); f == "m005" || f == "m006" {
			if _, ok := item["ttl"]; ok {
				t.Errorf("%s written again keeps its ttl", f)
			}
		}
	}
	if r, err := b.ZRangeByScore(ctx, key, 0, 2000, 0); err != nil || !slices.Equal(r, []string{"m006", "m005", "new"}) {
		t.Errorf("ZRangeByScore = %v, %v; want [m006 m005 new]", r, err)
	}

	// The table's own stream: the tags decode to no change.
	recs := streamRecords(t, endpoint, table, client, n+1+1+1+n+2)
	ops := map[dynamodb.Op]int{}
	for _, rec := range recs {
		if rec.EventName != "INSERT" && rec.EventName != "MODIFY" && rec.EventName != "REMOVE" {
			// DynamoDB Local's own TTL deletions, under an event name the SDK does
			// not know: the tagged members, and the marker.
			continue
		}
		cs, err := dynamodb.DecodeStreamRecord(rec)
		if err != nil {
			t.Fatalf("record %+v: %v", rec, err)
		}
		for _, c := range cs {
			ops[c.Op]++
		}
	}
	// 200 ZAdds, "new", m005 again, m006 (ZIncrBy): every one a zadd, nothing else.
	if want := map[dynamodb.Op]int{dynamodb.OpZAdd: n + 3}; !reflect.DeepEqual(ops, want) {
		t.Errorf("stream changes %v, want %v", ops, want)
	}
}

// TestReclaimExpiredNothingToDo: no meta item, a persisted expiry, an extended one.
func TestReclaimExpiredNothingToDo(t *testing.T) {
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	must(t, b.ZAdd(ctx, "z", "a", 1))
	if got, err := b.ReclaimExpired(ctx, "z", time.Now().UnixMilli()); got != 0 || err != nil {
		t.Errorf("ReclaimExpired without a meta item = %d, %v", got, err)
	}
	if ok, err := b.Expire(ctx, "z", time.Second); !ok || err != nil {
		t.Fatal(ok, err)
	}
	x := onlyMarker(t, client, table, "z")
	if ok, err := b.Persist(ctx, "z"); !ok || err != nil {
		t.Fatalf("Persist = %v, %v", ok, err)
	}
	time.Sleep(time.Until(time.UnixMilli(x + 50)))
	deleteMarkers(t, client, table, "z") // as DynamoDB's TTL does
	if got, err := b.ReclaimExpired(ctx, "z", x); got != 0 || err != nil {
		t.Errorf("ReclaimExpired of a persisted expiry = %d, %v", got, err)
	}
	if ms := markers(t, client, table, "z"); len(ms) != 0 {
		t.Errorf("%d markers after the reclaim of a persisted expiry, want none armed", len(ms))
	}
	// Extended: the marker armed at the first expiry stays, the second Expire writes
	// none; its reclaim does nothing but arm a marker at the new expiry.
	if ok, err := b.Expire(ctx, "z", time.Second); !ok || err != nil {
		t.Fatal(ok, err)
	}
	x = onlyMarker(t, client, table, "z")
	if ok, err := b.Expire(ctx, "z", time.Hour); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if got := onlyMarker(t, client, table, "z"); got != x {
		t.Errorf("the second Expire wrote a marker at %d, want the armed one at %d kept", got, x)
	}
	time.Sleep(time.Until(time.UnixMilli(x + 50)))
	deleteMarkers(t, client, table, "z")
	if got, err := b.ReclaimExpired(ctx, "z", x); got != 0 || err != nil {
		t.Errorf("ReclaimExpired of an extended expiry = %d, %v", got, err)
	}
	if next := onlyMarker(t, client, table, "z"); next < time.Now().Add(59*time.Minute).UnixMilli() {
		t.Errorf("marker armed at %d after the reclaim of an extended expiry, want the new expiry, an hour ahead", next)
	}
	if got, err := b.ReclaimExpired(ctx, "z", x); got != 0 || err != nil {
		t.Errorf("ReclaimExpired of the same marker again = %d, %v", got, err)
	}
	if ms := markers(t, client, table, "z"); len(ms) != 1 {
		t.Errorf("%d markers after a second reclaim of the same marker, want 1", len(ms))
	}
	if r, err := b.ZRangeByScore(ctx, "z", 0, 10, 0); err != nil || !slices.Equal(r, []string{"a"}) {
		t.Errorf("ZRangeByScore = %v, %v; want [a]", r, err)
	}
	for _, item := range members(t, client, table, "z") {
		if _, ok := item["ttl"]; ok {
			t.Errorf("live member %s tagged", fieldOf(item))
		}
	}
}

// TestReclaimAtomicExpire: an atomic write's Expire of sorted data writes a marker, and
// a past expiry (a deletion) reclaims the members written before it.
func TestReclaimAtomicExpire(t *testing.T) {
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	for _, m := range []string{"a", "b", "c"} {
		must(t, b.ZAdd(ctx, "z", m, 1))
	}
	w := b.AtomicWrite()
	w.Expire("z", 300*time.Millisecond)
	if ok, err := w.Exec(ctx); !ok || err != nil {
		t.Fatalf("atomic Expire = %v, %v", ok, err)
	}
	x := onlyMarker(t, client, table, "z")
	time.Sleep(time.Until(time.UnixMilli(x + 50)))
	if got, err := b.ReclaimExpired(ctx, "z", x); got != 3 || err != nil {
		t.Errorf("ReclaimExpired = %d, %v; want 3", got, err)
	}
	// ExpireAt in the past kills the members now: its marker reclaims them.
	must(t, b.ZAdd(ctx, "p", "a", 1))
	if ok, err := b.ExpireAt(ctx, "p", time.Unix(1, 0)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	x = onlyMarker(t, client, table, "p")
	if got, err := b.ReclaimExpired(ctx, "p", x); got != 1 || err != nil {
		t.Errorf("ReclaimExpired after a past ExpireAt = %d, %v; want 1", got, err)
	}
}

// TestDecodeReclamationRecords: markers and the tagging and deletion of members.
func TestDecodeReclamationRecords(t *testing.T) {
	bin, num := events.NewBinaryAttribute, events.NewNumberAttribute
	service := &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	rk := binary.BigEndian.AppendUint64([]byte("x"), 1700000000123)
	marker := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("k")), "rk": bin(rk), "ttl": num("1700000001")}
	mkeys := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("k")), "rk": bin(rk)}
	member := func(attrs ...string) map[string]events.DynamoDBAttributeValue {
		m := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("k")), "rk": bin([]byte("zm")),
			"rk2": bin(append([]byte{0xbf, 0xf0, 0, 0, 0, 0, 0, 0}, 'm')), "wt": num("1700000000000")}
		for i := 0; i+1 < len(attrs); i += 2 {
			m[attrs[i]] = num(attrs[i+1])
		}
		return m
	}
	zkeys := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("k")), "rk": bin([]byte("zm"))}
	none := []dynamodb.Change(nil)
	for _, c := range []struct {
		name string
		rec  events.DynamoDBEventRecord
		want []dynamodb.Change
	}{
		{"marker TTL deletion", events.DynamoDBEventRecord{EventName: "REMOVE", UserIdentity: service,
			Change: events.DynamoDBStreamRecord{Keys: mkeys, OldImage: marker}},
			[]dynamodb.Change{{Op: dynamodb.OpExpired, Kind: dynamodb.KindSorted, Key: "k", Expiry: 1700000000123}}},
		{"marker written", events.DynamoDBEventRecord{EventName: "INSERT",
			Change: events.DynamoDBStreamRecord{Keys: mkeys, NewImage: marker}}, none},
		{"marker rewritten", events.DynamoDBEventRecord{EventName: "MODIFY",
			Change: events.DynamoDBStreamRecord{Keys: mkeys, OldImage: marker, NewImage: marker}}, none},
		{"marker deleted by a user", events.DynamoDBEventRecord{EventName: "REMOVE",
			Change: events.DynamoDBStreamRecord{Keys: mkeys, OldImage: marker}}, none},
		{"member tagged", events.DynamoDBEventRecord{EventName: "MODIFY",
			Change: events.DynamoDBStreamRecord{Keys: zkeys, OldImage: member(), NewImage: member("ttl", "1700000002")}}, none},
		{"tagged member deleted by DynamoDB's TTL", events.DynamoDBEventRecord{EventName: "REMOVE", UserIdentity: service,
			Change: events.DynamoDBStreamRecord{Keys: zkeys, OldImage: member("ttl", "1700000002")}}, none},
		{"tagged member written again", events.DynamoDBEventRecord{EventName: "MODIFY",
			Change: events.DynamoDBStreamRecord{Keys: zkeys, OldImage: member("ttl", "1700000002"), NewImage: member("wt", "1800000000000")}},
			[]dynamodb.Change{{Op: dynamodb.OpZAdd, Kind: dynamodb.KindSortedSet, Key: "k", Field: "m", Member: "m", Score: 1, OldScore: ptr(1.0)}}},
		{"member rewritten with a tag and a new write time", events.DynamoDBEventRecord{EventName: "MODIFY",
			Change: events.DynamoDBStreamRecord{Keys: zkeys, OldImage: member(), NewImage: member("ttl", "1700000002", "wt", "1800000000000")}},
			[]dynamodb.Change{{Op: dynamodb.OpZAdd, Kind: dynamodb.KindSortedSet, Key: "k", Field: "m", Member: "m", Score: 1, OldScore: ptr(1.0)}}},
		{"member removed by a user", events.DynamoDBEventRecord{EventName: "REMOVE",
			Change: events.DynamoDBStreamRecord{Keys: zkeys, OldImage: member("ttl", "1700000002")}},
			[]dynamodb.Change{{Op: dynamodb.OpZRem, Kind: dynamodb.KindSortedSet, Key: "k", Field: "m", Member: "m", OldScore: ptr(1.0)}}},
	} {
		c.rec.Change.StreamViewType = "NEW_AND_OLD_IMAGES"
		got, err := dynamodb.DecodeStreamRecord(c.rec)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s decoded as %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

// TestReclaimLargeSortedSet reclaims a sorted set of 10,000 members after its expiry,
// counting requests and capacity: 1 GetItem, the Query pages (keys only), 1 UpdateItem
// per member.
func TestReclaimLargeSortedSet(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10,000 items")
	}
	raw, p := proxied(t, 3, fastRetries)
	prof := &capacity{}
	b := raw.WithProfiler(prof).(*dynamodb.Backend)
	ctx := t.Context()
	const n = 10_000
	bt := b.Batch()
	for i := range n {
		bt.ZAdd("big", fmt.Sprintf("m%05d", i), float64(i))
	}
	must(t, bt.Exec(ctx))
	if ok, err := b.Expire(ctx, "big", 0); !ok || err != nil {
		t.Fatalf("Expire 0 = %v, %v", ok, err)
	}
	time.Sleep(1100 * time.Millisecond) // ReclaimExpired allows its clock 1 s ahead
	p.reset()
	prof.take()
	start := time.Now()
	got, err := b.ReclaimExpired(ctx, "big", 1)
	if got != n || err != nil {
		t.Fatalf("ReclaimExpired = %d, %v; want %d", got, err, n)
	}
	r, w := prof.take()
	t.Logf("ReclaimExpired of %d members: %d requests (%d GetItem, %d Query, %d UpdateItem), %.1f RCU, %.1f WCU, %v",
		n, p.total(), p.count("GetItem"), p.count("Query"), p.count("UpdateItem"), r, w, time.Since(start).Round(time.Millisecond))
	if p.count("GetItem") != 1 || p.count("UpdateItem") != n || p.count("Query") < 1 {
		t.Errorf("ReclaimExpired: %d GetItem, %d Query, %d UpdateItem; want 1, some, %d",
			p.count("GetItem"), p.count("Query"), p.count("UpdateItem"), n)
	}
	// Again: the Query finds none left to tag (its filter drops the tagged ones).
	p.reset()
	if got, err := b.ReclaimExpired(ctx, "big", 1); got != 0 || err != nil {
		t.Errorf("ReclaimExpired again = %d, %v; want 0", got, err)
	}
	if p.count("UpdateItem") != 0 {
		t.Errorf("ReclaimExpired again: %d UpdateItem, want 0", p.count("UpdateItem"))
	}
}
