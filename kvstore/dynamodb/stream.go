package dynamodb

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Op is what a Change did; its values are the "op" of the kvstore.change events the
// stream function publishes.
type Op string

// The kinds of change a stream record decodes to.
const (
	OpSet     Op = "set"     // a string or counter was written
	OpDel     Op = "del"     // a key's value (string, set or hash) was deleted
	OpSAdd    Op = "sadd"    // members were added to a set
	OpSRem    Op = "srem"    // members were removed from a set
	OpHSet    Op = "hset"    // hash fields were written
	OpHDel    Op = "hdel"    // hash fields were removed
	OpZAdd    Op = "zadd"    // a sorted-set member was added or rescored
	OpZRem    Op = "zrem"    // a sorted-set member was removed
	OpZHAdd   Op = "zhadd"   // a sorted-hash field was written
	OpZHRem   Op = "zhrem"   // a sorted-hash field was removed
	OpExpired Op = "expired" // a value or a key's sorted data expired (DynamoDB's TTL deleted it)
)

// Kind is the kind of data a Change is about.
type Kind string

// The kinds of data.
const (
	KindString     Kind = "string" // a string or counter
	KindSet        Kind = "set"
	KindHash       Kind = "hash"
	KindSortedSet  Kind = "sortedset"  // a sorted-set member (its field is its member)
	KindSortedHash Kind = "sortedhash" // a sorted-hash field
	KindSorted     Kind = "sorted"     // a key's sorted data as a whole (see OpExpired)
)

// Change is one change to the store, decoded from a record of the table's stream by
// DecodeStreamRecord. Which fields are set depends on Op:
//
//	set      Value, OldValue (nil when the key held no string)
//	del      Kind and what the key held: OldValue, Members or OldFields
//	expired  as del for a value; for a key's sorted data, Kind KindSorted and Expiry
//	         (reported when DynamoDB's TTL deleted its reclaim marker, some time
//	         after Expiry; pass it to Backend.ReclaimExpired)
//	sadd     Members added (sorted)
//	srem     Members removed (sorted)
//	hset     Fields written with their new values; OldFields the previous values of
//	         those that existed
//	hdel     FieldNames removed (sorted); OldFields their values
//	zadd     Member (= Field) and Score; OldScore when it was rescored
//	zrem     Member (= Field); OldScore
//	zhadd    Field, Member, Score; OldMember and OldScore when it existed
//	zhrem    Field; OldMember and OldScore
type Change struct {
	Op   Op
	Kind Kind
	Key  string

	Value    string
	OldValue *string

	Members []string

	Fields     map[string]string
	OldFields  map[string]string
	FieldNames []string

	Field     string
	Member    string
	Score     float64
	OldMember *string
	OldScore  *float64

	// Expiry is the expiry (Unix ms) of the sorted data of an expired change of Kind
	// KindSorted.
	Expiry int64
}

// ErrBadRecord is the kind of error DecodeStreamRecord returns for a record it cannot
// read: not from a kvstore table, without both images, or malformed.
var ErrBadRecord = errors.New("dynamodb: bad stream record")

// IsServiceDeletion reports whether a stream record is a deletion made by DynamoDB
// itself (TTL expiry): user identity of type Service and principal
// dynamodb.amazonaws.com.
func IsServiceDeletion(rec events.DynamoDBEventRecord) bool {
	return rec.EventName == string(events.DynamoDBOperationTypeRemove) && rec.UserIdentity != nil &&
		rec.UserIdentity.Type == "Service" && rec.UserIdentity.PrincipalID == "dynamodb.amazonaws.com"
}

// DecodeStreamRecord turns a record of a kvstore table's stream (view type
// NEW_AND_OLD_IMAGES, as CreateTable sets up) back into kvstore terms. A record may
// yield several changes (a Set over a set: del then set; an SAdd: sadd) or none (a
// write that changed nothing kvstore shows, such as the removal of an emptied set's
// item after its last srem). A record it cannot read is an error matching
// ErrBadRecord, never a panic.
func DecodeStreamRecord(rec events.DynamoDBEventRecord) (changes []Change, err error) {
	defer func() {
		// The events accessors panic on a mistyped or zero attribute value; report it.
		if r := recover(); r != nil {
			changes, err = nil, fmt.Errorf("%w: %v", ErrBadRecord, r)
		}
	}()
	oldItem, err := fromEventImage(rec.Change.OldImage)
	if err != nil {
		return nil, err
	}
	newItem, err := fromEventImage(rec.Change.NewImage)
	if err != nil {
		return nil, err
	}
	switch events.DynamoDBOperationType(rec.EventName) {
	case events.DynamoDBOperationTypeInsert:
		if newItem == nil {
			return nil, fmt.Errorf("%w: INSERT without a new image (stream view type must be NEW_AND_OLD_IMAGES)", ErrBadRecord)
		}
	case events.DynamoDBOperationTypeModify:
		if newItem == nil || oldItem == nil {
			return nil, fmt.Errorf("%w: MODIFY without both images (stream view type must be NEW_AND_OLD_IMAGES)", ErrBadRecord)
		}
	case events.DynamoDBOperationTypeRemove:
		if oldItem == nil {
			return nil, fmt.Errorf("%w: REMOVE without an old image (stream view type must be NEW_AND_OLD_IMAGES)", ErrBadRecord)
		}
		newItem = nil
	default:
		return nil, fmt.Errorf("%w: event name %q", ErrBadRecord, rec.EventName)
	}
	keys, err := fromEventImage(rec.Change.Keys)
	if err != nil {
		return nil, err
	}
	if keys == nil {
		keys = newItem
		if keys == nil {
			keys = oldItem
		}
	}
	k, ok := keyOf(keys)
	if !ok {
		return nil, fmt.Errorf("%w: no binary hk and rk", ErrBadRecord)
	}
	expired := IsServiceDeletion(rec)
	switch {
	case k.rk == rkValue:
		return decodeValueChange(k.hk, oldItem, newItem, expired)
	case len(k.rk) > 0 && k.rk[0] == sortedPrefix:
		if reclamation(oldItem, newItem, expired) {
			return nil, nil // ReclaimExpired's tag, or DynamoDB's TTL deleting a dead member
		}
		return decodeSortedChange(k.hk, oldItem, newItem, expired)
	case k.rk == rkMeta:
		// The sorted data's meta item (its expiry): no change of kvstore data by itself.
		return nil, nil
	}
	if x, ok := markerExpiry(k.rk); ok {
		return decodeMarkerChange(k.hk, x, expired), nil
	}
	return nil, fmt.Errorf("%w: rk %q is neither a value nor a sorted member", ErrBadRecord, truncate(k.rk))
}

// decodeValueChange decodes a change of a value item.
func decodeValueChange(key string, oldItem, newItem map[string]types.AttributeValue, expired bool) ([]Change, error) {
	old, err := decodeValue(oldItem)
	if err != nil {
		return nil, fmt.Errorf("%w: old image: %w", ErrBadRecord, err)
	}
	cur, err := decodeValue(newItem)
	if err != nil {
		return nil, fmt.Errorf("%w: new image: %w", ErrBadRecord, err)
	}
	var out []Change
	if old.present() && (!cur.exists || old.kind != cur.kind) {
		op := OpDel
		if expired {
			op = OpExpired
		}
		out = append(out, removed(op, key, old))
	}
	if !cur.exists {
		return out, nil
	}
	switch cur.kind {
	case kindString:
		if !cur.hasStr {
			return out, nil
		}
		c := Change{Op: OpSet, Kind: KindString, Key: key, Value: cur.str}
		if old.kind == kindString && old.hasStr {
			s := old.str
			c.OldValue = &s
		}
		out = append(out, c)
	case kindSet:
		var before []string
		if old.kind == kindSet {
			before = old.members
		}
		if added := difference(cur.members, before); len(added) > 0 {
			out = append(out, Change{Op: OpSAdd, Kind: KindSet, Key: key, Members: added})
		}
		if gone := difference(before, cur.members); len(gone) > 0 {
			out = append(out, Change{Op: OpSRem, Kind: KindSet, Key: key, Members: gone})
		}
	case kindHash:
		var before map[string]string
		if old.kind == kindHash {
			before = old.fields
		}
		set := Change{Op: OpHSet, Kind: KindHash, Key: key, Fields: map[string]string{}, OldFields: map[string]string{}}
		for f, x := range cur.fields {
			if was, ok := before[f]; !ok || was != x {
				set.Fields[f] = x
				if ok {
					set.OldFields[f] = was
				}
			}
		}
		if len(set.Fields) > 0 {
			out = append(out, set)
		}
		del := Change{Op: OpHDel, Kind: KindHash, Key: key, OldFields: map[string]string{}}
		for f, was := range before {
			if _, ok := cur.fields[f]; !ok {
				del.OldFields[f] = was
			}
		}
		if len(del.OldFields) > 0 {
			del.FieldNames = slices.Sorted(maps.Keys(del.OldFields))
			out = append(out, del)
		}
	}
	return out, nil
}

// removed is the del or expired change of a value that held old.
func removed(op Op, key string, old *value) Change {
	c := Change{Op: op, Key: key}
	switch old.kind {
	case kindString:
		s := old.str
		c.Kind, c.OldValue = KindString, &s
	case kindSet:
		c.Kind, c.Members = KindSet, slices.Sorted(slices.Values(old.members))
	case kindHash:
		c.Kind, c.OldFields = KindHash, old.fields
		c.FieldNames = slices.Sorted(maps.Keys(old.fields))
	}
	return c
}

// difference returns the members of a not in b, sorted.
func difference(a, b []string) []string {
	in := make(map[string]struct{}, len(b))
	for _, m := range b {
		in[m] = struct{}{}
	}
	var out []string
	for _, m := range a {
		if _, ok := in[m]; !ok {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// decodeSortedChange decodes a change of a sorted member's item.
func decodeSortedChange(key string, oldItem, newItem map[string]types.AttributeValue, expired bool) ([]Change, error) {
	var old, cur *sortedMember
	var err error
	if len(oldItem) > 0 {
		if old, err = decodeSorted(oldItem); err != nil {
			return nil, fmt.Errorf("%w: old image: %w", ErrBadRecord, err)
		}
	}
	if len(newItem) > 0 {
		if cur, err = decodeSorted(newItem); err != nil {
			return nil, fmt.Errorf("%w: new image: %w", ErrBadRecord, err)
		}
	}
	for _, m := range []*sortedMember{old, cur} {
		if m != nil && m.missing {
			return nil, fmt.Errorf("%w: sorted member without its member attribute", ErrBadRecord)
		}
	}
	if cur == nil {
		c := Change{Op: OpZRem, Kind: KindSortedSet, Key: key, Field: old.field, Member: old.member, OldScore: &old.score}
		if old.hasValue {
			m := old.member
			c.Op, c.Kind, c.Member, c.OldMember = OpZHRem, KindSortedHash, "", &m
		}
		if expired {
			c.Op = OpExpired
		}
		return []Change{c}, nil
	}
	c := Change{Op: OpZAdd, Kind: KindSortedSet, Key: key, Field: cur.field, Member: cur.member, Score: cur.score}
	if cur.hasValue {
		c.Op, c.Kind = OpZHAdd, KindSortedHash
	}
	if old != nil {
		s := old.score
		c.OldScore = &s
		if cur.hasValue {
			m := old.member
			c.OldMember = &m
		}
	}
	return []Change{c}, nil
}

// fromEventImage converts an image of a Lambda stream event to SDK attribute values
// (nil when the image is empty).
func fromEventImage(image map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	if len(image) == 0 {
		return nil, nil
	}
	out := make(map[string]types.AttributeValue, len(image))
	for name, av := range image {
		v, err := fromEventValue(av)
		if err != nil {
			return nil, fmt.Errorf("%w: attribute %q: %w", ErrBadRecord, truncate(name), err)
		}
		out[name] = v
	}
	return out, nil
}

// fromEventValue converts one attribute value of a Lambda stream event. kvstore items
// hold binaries, binary sets and numbers; other types convert too so that a foreign
// attribute does not make a record unreadable.
func fromEventValue(av events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch av.DataType() {
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: av.Binary()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: av.BinarySet()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: av.Number()}, nil
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: av.String()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: av.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: av.NumberSet()}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: av.StringSet()}, nil
	case events.DataTypeList:
		var out []types.AttributeValue
		for _, x := range av.List() {
			v, err := fromEventValue(x)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeMap:
		m := make(map[string]types.AttributeValue)
		for k, x := range av.Map() {
			v, err := fromEventValue(x)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	}
	return nil, fmt.Errorf("unknown attribute type %v", av.DataType())
}
