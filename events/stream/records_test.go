package stream_test

import (
	"encoding/binary"
	"math"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// Stream records in the kvstore table's layout (see package kvstore/dynamodb): a value
// item has hk = the key, rk = "_", t = "str" | "set" | "hash" and v (B), n (N), s (BS)
// or "f:<field>" attributes; a sorted member has rk = "z"+field, rk2 = the encoded
// score and the field, and v = the member when it differs from the field.

type image = map[string]lambdaevents.DynamoDBAttributeValue

var recordTime = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func b(s string) lambdaevents.DynamoDBAttributeValue {
	return lambdaevents.NewBinaryAttribute([]byte(s))
}

func valueKeys(key string) image { return image{"hk": b(key), "rk": b("_")} }

func with(base image, attrs image) image {
	out := image{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range attrs {
		out[k] = v
	}
	return out
}

func record(seq, name string, keys, oldImage, newImage image) lambdaevents.DynamoDBEventRecord {
	return lambdaevents.DynamoDBEventRecord{
		AWSRegion: "us-east-1", EventID: "id-" + seq, EventName: name, EventSource: "aws:dynamodb", EventVersion: "1.1",
		EventSourceArn: "arn:aws:dynamodb:us-east-1:123456789012:table/kv/stream/2025-01-01T00:00:00.000",
		Change: lambdaevents.DynamoDBStreamRecord{
			ApproximateCreationDateTime: lambdaevents.SecondsEpochTime{Time: recordTime},
			Keys:                        keys, OldImage: oldImage, NewImage: newImage,
			SequenceNumber: seq, SizeBytes: 100, StreamViewType: "NEW_AND_OLD_IMAGES",
		},
	}
}

// setString is the record of Set(key, value) over an absent key.
func setString(seq, key, value string) lambdaevents.DynamoDBEventRecord {
	keys := valueKeys(key)
	return record(seq, "INSERT", keys, nil, with(keys, image{"t": b("str"), "v": b(value)}))
}

// setCounter is the record of Set(key, n) over an absent key: a Number attribute.
func setCounter(seq, key, n string) lambdaevents.DynamoDBEventRecord {
	keys := valueKeys(key)
	return record(seq, "INSERT", keys, nil, with(keys, image{"t": b("str"), "n": lambdaevents.NewNumberAttribute(n)}))
}

// delString is the record of Delete(key) of a string.
func delString(seq, key, old string) lambdaevents.DynamoDBEventRecord {
	keys := valueKeys(key)
	return record(seq, "REMOVE", keys, with(keys, image{"t": b("str"), "v": b(old)}), nil)
}

// sadd is the record of SAdd(key, members...) over an absent key.
func sadd(seq, key string, members ...string) lambdaevents.DynamoDBEventRecord {
	keys := valueKeys(key)
	bs := make([][]byte, len(members))
	for i, m := range members {
		bs[i] = []byte(m)
	}
	return record(seq, "INSERT", keys, nil, with(keys, image{"t": b("set"), "s": lambdaevents.NewBinarySetAttribute(bs), "ver": b("12345678")}))
}

// hset is the record of HSet over an absent key.
func hset(seq, key string, fields map[string]string) lambdaevents.DynamoDBEventRecord {
	keys := valueKeys(key)
	img := with(keys, image{"t": b("hash"), "ver": b("12345678")})
	for f, v := range fields {
		img["f:"+f] = b(v)
	}
	return record(seq, "INSERT", keys, nil, img)
}

// encodeScore is the layout's order-preserving encoding of a score.
func encodeScore(score float64) []byte {
	bits := math.Float64bits(score)
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(nil, bits)
}

func sortedImage(key, field, member string, score float64) (keys, img image) {
	keys = image{"hk": b(key), "rk": b("z" + field)}
	img = with(keys, image{"rk2": b(string(encodeScore(score)) + field)})
	if member != field {
		img["v"] = b(member)
	}
	return keys, img
}

// zadd is the record of ZHAdd(key, field, member, score) (ZAdd when member == field)
// over an absent member.
func zadd(seq, key, field, member string, score float64) lambdaevents.DynamoDBEventRecord {
	keys, img := sortedImage(key, field, member, score)
	return record(seq, "INSERT", keys, nil, img)
}

// zrem is the record of ZRem(key, member) (ZHRem when member != field).
func zrem(seq, key, field, member string, score float64) lambdaevents.DynamoDBEventRecord {
	keys, img := sortedImage(key, field, member, score)
	return record(seq, "REMOVE", keys, img, nil)
}

// undecodable is a record of an item that is neither a value nor a sorted member.
func undecodable(seq string) lambdaevents.DynamoDBEventRecord {
	keys := image{"hk": b("k"), "rk": b("?")}
	return record(seq, "INSERT", keys, nil, with(keys, image{"t": b("str"), "v": b("x")}))
}

// expired is a deletion by DynamoDB's TTL of rec's item.
func expired(rec lambdaevents.DynamoDBEventRecord) lambdaevents.DynamoDBEventRecord {
	rec.UserIdentity = &lambdaevents.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	return rec
}
