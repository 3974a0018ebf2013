package dynamodb_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// streamRecords reads every record of the table's stream from DynamoDB Local, as
// Lambda would deliver them, ordered by sequence number.
func streamRecords(t *testing.T, endpoint, table string, client *awsdynamodb.Client, want int) []events.DynamoDBEventRecord {
	t.Helper()
	ctx := t.Context()
	desc, err := client.DescribeTable(ctx, &awsdynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	streams := dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	arn := desc.Table.LatestStreamArn
	var out []events.DynamoDBEventRecord
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < want && time.Now().Before(deadline) {
		out = out[:0]
		sd, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		for _, shard := range sd.StreamDescription.Shards {
			it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn,
				ShardId: shard.ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
			if err != nil {
				t.Fatal(err)
			}
			iter := it.ShardIterator
			for iter != nil {
				recs, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range recs.Records {
					out = append(out, toEvent(t, r))
				}
				if len(recs.Records) == 0 {
					break
				}
				iter = recs.NextShardIterator
			}
		}
		if len(out) < want {
			time.Sleep(200 * time.Millisecond)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := new(big.Int).SetString(out[i].Change.SequenceNumber, 10)
		b, _ := new(big.Int).SetString(out[j].Change.SequenceNumber, 10)
		return a.Cmp(b) < 0
	})
	return out
}

// toEvent converts a stream record to the Lambda event record, through JSON as
// Lambda delivers it.
func toEvent(t *testing.T, r streamtypes.Record) events.DynamoDBEventRecord {
	t.Helper()
	image := func(m map[string]streamtypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
		if m == nil {
			return nil
		}
		out := make(map[string]events.DynamoDBAttributeValue, len(m))
		for k, v := range m {
			out[k] = toEventValue(t, v)
		}
		return out
	}
	rec := events.DynamoDBEventRecord{
		EventName: string(r.EventName), EventID: aws.ToString(r.EventID), EventSource: "aws:dynamodb",
		Change: events.DynamoDBStreamRecord{
			Keys: image(r.Dynamodb.Keys), NewImage: image(r.Dynamodb.NewImage), OldImage: image(r.Dynamodb.OldImage),
			SequenceNumber: aws.ToString(r.Dynamodb.SequenceNumber), StreamViewType: string(r.Dynamodb.StreamViewType),
		},
	}
	if r.UserIdentity != nil {
		rec.UserIdentity = &events.DynamoDBUserIdentity{Type: aws.ToString(r.UserIdentity.Type), PrincipalID: aws.ToString(r.UserIdentity.PrincipalId)}
	}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var back events.DynamoDBEventRecord
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func toEventValue(t *testing.T, v streamtypes.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	}
	t.Fatalf("unexpected attribute type %T", v)
	return events.DynamoDBAttributeValue{}
}

func ptr[T any](v T) *T { return &v }

// canon prints a change for comparison.
func canon(c dynamodb.Change) string {
	data, _ := json.Marshal(c)
	return string(data)
}

func TestDecodeStreamRecordsOfDynamoDBLocal(t *testing.T) {
	endpoint := testservers.DynamoDBLocal(t)
	client, table := local(t)
	b := dynamodb.NewBackend(client, table)
	ctx := t.Context()
	steps := []struct {
		do   func() error
		want []dynamodb.Change
	}{
		{func() error { return b.Set(ctx, "s", "v1") },
			[]dynamodb.Change{{Op: dynamodb.OpSet, Kind: dynamodb.KindString, Key: "s", Value: "v1"}}},
		{func() error { return b.Set(ctx, "s", "v2") },
			[]dynamodb.Change{{Op: dynamodb.OpSet, Kind: dynamodb.KindString, Key: "s", Value: "v2", OldValue: ptr("v1")}}},
		{func() error { _, err := b.NIncrBy(ctx, "s", 1); return err }, nil}, // ErrNotInteger: no record
		{func() error { _, err := b.NIncrBy(ctx, "c", 5); return err },
			[]dynamodb.Change{{Op: dynamodb.OpSet, Kind: dynamodb.KindString, Key: "c", Value: "5"}}},
		{func() error { return b.SAdd(ctx, "\xffset", "a", "\x00b") },
			[]dynamodb.Change{{Op: dynamodb.OpSAdd, Kind: dynamodb.KindSet, Key: "\xffset", Members: []string{"\x00b", "a"}}}},
		{func() error { return b.SRem(ctx, "\xffset", "a") },
			[]dynamodb.Change{{Op: dynamodb.OpSRem, Kind: dynamodb.KindSet, Key: "\xffset", Members: []string{"a"}}}},
		// The last member: srem, then the emptied item's removal, which is no change.
		{func() error { return b.SRem(ctx, "\xffset", "\x00b") },
			[]dynamodb.Change{{Op: dynamodb.OpSRem, Kind: dynamodb.KindSet, Key: "\xffset", Members: []string{"\x00b"}}}},
		{func() error { return b.HSet(ctx, "h", "f", "1", kvstore.KeyValue{Key: "\xfe", Value: "2"}) },
			[]dynamodb.Change{{Op: dynamodb.OpHSet, Kind: dynamodb.KindHash, Key: "h", Fields: map[string]string{"f": "1", "\xfe": "2"}, OldFields: map[string]string{}}}},
		{func() error { return b.HSet(ctx, "h", "f", "1", kvstore.KeyValue{Key: "g", Value: "3"}) },
			[]dynamodb.Change{{Op: dynamodb.OpHSet, Kind: dynamodb.KindHash, Key: "h", Fields: map[string]string{"g": "3"}, OldFields: map[string]string{}}}},
		{func() error { return b.HSet(ctx, "h", "f", "9") },
			[]dynamodb.Change{{Op: dynamodb.OpHSet, Kind: dynamodb.KindHash, Key: "h", Fields: map[string]string{"f": "9"}, OldFields: map[string]string{"f": "1"}}}},
		{func() error { return b.HDel(ctx, "h", "\xfe") },
			[]dynamodb.Change{{Op: dynamodb.OpHDel, Kind: dynamodb.KindHash, Key: "h", FieldNames: []string{"\xfe"}, OldFields: map[string]string{"\xfe": "2"}}}},
		{func() error { _, err := b.Delete(ctx, "h"); return err },
			[]dynamodb.Change{{Op: dynamodb.OpDel, Kind: dynamodb.KindHash, Key: "h", FieldNames: []string{"f", "g"}, OldFields: map[string]string{"f": "9", "g": "3"}}}},
		{func() error { return b.SAdd(ctx, "x", "a") },
			[]dynamodb.Change{{Op: dynamodb.OpSAdd, Kind: dynamodb.KindSet, Key: "x", Members: []string{"a"}}}},
		{func() error { return b.Set(ctx, "x", "over a set") }, []dynamodb.Change{
			{Op: dynamodb.OpDel, Kind: dynamodb.KindSet, Key: "x", Members: []string{"a"}},
			{Op: dynamodb.OpSet, Kind: dynamodb.KindString, Key: "x", Value: "over a set"}}},
		{func() error { _, err := b.Delete(ctx, "x"); return err },
			[]dynamodb.Change{{Op: dynamodb.OpDel, Kind: dynamodb.KindString, Key: "x", OldValue: ptr("over a set")}}},
		{func() error { return b.ZAdd(ctx, "z", "m", 1.5) },
			[]dynamodb.Change{{Op: dynamodb.OpZAdd, Kind: dynamodb.KindSortedSet, Key: "z", Field: "m", Member: "m", Score: 1.5}}},
		{func() error { _, err := b.ZIncrBy(ctx, "z", "m", 0.5); return err },
			[]dynamodb.Change{{Op: dynamodb.OpZAdd, Kind: dynamodb.KindSortedSet, Key: "z", Field: "m", Member: "m", Score: 2, OldScore: ptr(1.5)}}},
		{func() error { return b.ZHAdd(ctx, "z", "f", "member", -3) },
			[]dynamodb.Change{{Op: dynamodb.OpZHAdd, Kind: dynamodb.KindSortedHash, Key: "z", Field: "f", Member: "member", Score: -3}}},
		{func() error { return b.ZHAdd(ctx, "z", "f", "other", -3) },
			[]dynamodb.Change{{Op: dynamodb.OpZHAdd, Kind: dynamodb.KindSortedHash, Key: "z", Field: "f", Member: "other", Score: -3, OldMember: ptr("member"), OldScore: ptr(-3.0)}}},
		{func() error { return b.ZRem(ctx, "z", "m") },
			[]dynamodb.Change{{Op: dynamodb.OpZRem, Kind: dynamodb.KindSortedSet, Key: "z", Field: "m", Member: "m", OldScore: ptr(2.0)}}},
		{func() error { return b.ZHRem(ctx, "z", "f") },
			[]dynamodb.Change{{Op: dynamodb.OpZHRem, Kind: dynamodb.KindSortedHash, Key: "z", Field: "f", OldMember: ptr("other"), OldScore: ptr(-3.0)}}},
		{func() error {
			w := b.AtomicWrite()
			w.Set("a1", "1")
			w.ZAdd("a2", "m", 7)
			_, err := w.Exec(ctx)
			return err
		}, []dynamodb.Change{
			{Op: dynamodb.OpSet, Kind: dynamodb.KindString, Key: "a1", Value: "1"},
			{Op: dynamodb.OpZAdd, Kind: dynamodb.KindSortedSet, Key: "a2", Field: "m", Member: "m", Score: 7}}},
	}
	var want []string
	for i, s := range steps {
		if err := s.do(); err != nil && !errors.Is(err, kvstore.ErrNotInteger) {
			t.Fatalf("step %d: %v", i, err)
		}
		for _, c := range s.want {
			want = append(want, canon(c))
		}
	}
	// One record per write: the steps above make 23 (the failed NIncrBy none, the
	// last SRem two, the atomic write two).
	recs := streamRecords(t, endpoint, table, client, 23)
	var got []string
	for _, rec := range recs {
		changes, err := dynamodb.DecodeStreamRecord(rec)
		if err != nil {
			t.Fatalf("record %s %s: %v", rec.EventName, rec.Change.SequenceNumber, err)
		}
		for _, c := range changes {
			got = append(got, canon(c))
		}
	}
	if len(recs) != 23 {
		t.Errorf("%d stream records, want 23", len(recs))
	}
	// Atomic writes' records may come in any order.
	sort.Strings(got[len(got)-2:])
	sort.Strings(want[len(want)-2:])
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded changes:\n%s\nwant:\n%s", lines(got), lines(want))
	}
}

func lines(s []string) string {
	out := ""
	for i, x := range s {
		out += fmt.Sprintf("%2d %s\n", i, x)
	}
	return out
}

func TestDecodeTTLDeletion(t *testing.T) {
	bin := events.NewBinaryAttribute
	keys := map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("session")), "rk": bin([]byte("_"))}
	rec := events.DynamoDBEventRecord{
		EventName:    "REMOVE",
		UserIdentity: &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"},
		Change: events.DynamoDBStreamRecord{Keys: keys, OldImage: map[string]events.DynamoDBAttributeValue{
			"hk": bin([]byte("session")), "rk": bin([]byte("_")), "t": bin([]byte("str")), "v": bin([]byte("token")),
			"ttl": events.NewNumberAttribute("1700000000"),
		}, StreamViewType: "NEW_AND_OLD_IMAGES"},
	}
	if !dynamodb.IsServiceDeletion(rec) {
		t.Error("IsServiceDeletion = false")
	}
	changes, err := dynamodb.DecodeStreamRecord(rec)
	want := []dynamodb.Change{{Op: dynamodb.OpExpired, Kind: dynamodb.KindString, Key: "session", OldValue: ptr("token")}}
	if err != nil || !reflect.DeepEqual(changes, want) {
		t.Errorf("TTL deletion decoded as %+v, %v; want %+v", changes, err, want)
	}
	// The same removal by a user is a del.
	rec.UserIdentity = nil
	changes, err = dynamodb.DecodeStreamRecord(rec)
	if err != nil || len(changes) != 1 || changes[0].Op != dynamodb.OpDel {
		t.Errorf("user deletion decoded as %+v, %v; want del", changes, err)
	}
	// A sorted member deleted by DynamoDB's TTL: only reclamation tags members, dead
	// ones, so no change (the key's sorted data expired when its marker went; see
	// TestDecodeReclamationRecords).
	rec.UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	rec.Change.Keys = map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("z")), "rk": bin([]byte("zm"))}
	rec.Change.OldImage = map[string]events.DynamoDBAttributeValue{"hk": bin([]byte("z")), "rk": bin([]byte("zm")),
		"rk2": bin(append([]byte{0xbf, 0xf0, 0, 0, 0, 0, 0, 0}, 'm'))}
	changes, err = dynamodb.DecodeStreamRecord(rec)
	if err != nil || len(changes) != 0 {
		t.Errorf("sorted member's TTL deletion decoded as %+v, %v; want no change", changes, err)
	}
}

func TestDecodeMalformedRecords(t *testing.T) {
	bin := func(s string) events.DynamoDBAttributeValue { return events.NewBinaryAttribute([]byte(s)) }
	valueKeys := map[string]events.DynamoDBAttributeValue{"hk": bin("k"), "rk": bin("_")}
	img := func(kv ...any) map[string]events.DynamoDBAttributeValue {
		m := map[string]events.DynamoDBAttributeValue{"hk": bin("k"), "rk": bin("_")}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(events.DynamoDBAttributeValue)
		}
		return m
	}
	sortedImg := func(rk2 events.DynamoDBAttributeValue) map[string]events.DynamoDBAttributeValue {
		return map[string]events.DynamoDBAttributeValue{"hk": bin("k"), "rk": bin("zm"), "rk2": rk2}
	}
	cases := map[string]events.DynamoDBEventRecord{
		"unknown event name":   {EventName: "TRUNCATE", Change: events.DynamoDBStreamRecord{Keys: valueKeys, NewImage: img()}},
		"INSERT without image": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: valueKeys}},
		"MODIFY with one image": {EventName: "MODIFY", Change: events.DynamoDBStreamRecord{Keys: valueKeys,
			NewImage: img("t", bin("str"), "v", bin("x"))}},
		"REMOVE without image": {EventName: "REMOVE", Change: events.DynamoDBStreamRecord{Keys: valueKeys}},
		"string key": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			Keys:     map[string]events.DynamoDBAttributeValue{"hk": events.NewStringAttribute("k"), "rk": bin("_")},
			NewImage: img("t", bin("str"), "v", bin("x"))}},
		"no key": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			NewImage: map[string]events.DynamoDBAttributeValue{"t": bin("str")}}},
		"unknown rk": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			Keys: map[string]events.DynamoDBAttributeValue{"hk": bin("k"), "rk": bin("q")}, NewImage: img()}},
		"unknown kind": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: valueKeys,
			NewImage: img("t", bin("list"))}},
		"kind not binary": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: valueKeys,
			NewImage: img("t", events.NewStringAttribute("str"))}},
		"counter not an integer": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: valueKeys,
			NewImage: img("t", bin("str"), "n", events.NewNumberAttribute("1.5"))}},
		"bad base64 field": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: valueKeys,
			NewImage: img("t", bin("hash"), "b:!!", bin("v"))}},
		"set not a set": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: valueKeys,
			NewImage: img("t", bin("set"), "s", bin("a"))}},
		"zero attribute value": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{Keys: valueKeys,
			NewImage: img("t", events.DynamoDBAttributeValue{})}},
		"short rk2": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			NewImage: sortedImg(bin("1234"))}},
		"rk2 of another field": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			NewImage: sortedImg(bin("12345678x"))}},
		"large member missing": {EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			NewImage: func() map[string]events.DynamoDBAttributeValue {
				m := sortedImg(bin("12345678m"))
				m["v"] = events.NewNumberAttribute("2000")
				return m
			}()}},
	}
	for name, rec := range cases {
		changes, err := dynamodb.DecodeStreamRecord(rec)
		if !errors.Is(err, dynamodb.ErrBadRecord) {
			t.Errorf("%s: %+v, %v; want an error matching ErrBadRecord", name, changes, err)
		}
	}
}

func FuzzDecodeStreamRecord(f *testing.F) {
	f.Add([]byte(`{"eventName":"INSERT","dynamodb":{"Keys":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="}},"NewImage":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="},"t":{"B":"c3Ry"},"v":{"B":"eA=="}}}}`))
	f.Add([]byte(`{"eventName":"MODIFY","dynamodb":{"Keys":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="}},"OldImage":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="},"t":{"B":"c2V0"},"s":{"BS":["YQ=="]}},"NewImage":{"hk":{"B":"aw=="},"rk":{"B":"Xw=="},"t":{"B":"c2V0"},"s":{"BS":["Yg=="]}}}}`))
	f.Add([]byte(`{"eventName":"REMOVE","userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},"dynamodb":{"Keys":{"hk":{"B":"aw=="},"rk":{"B":"em0="}},"OldImage":{"hk":{"B":"aw=="},"rk":{"B":"em0="},"rk2":{"B":"v/AAAAAAAABt"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec events.DynamoDBEventRecord
		if json.Unmarshal(data, &rec) != nil {
			return
		}
		changes, err := dynamodb.DecodeStreamRecord(rec)
		if err != nil && changes != nil {
			t.Errorf("changes %+v with error %v", changes, err)
		}
	})
}
