package dynamodb

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// Attribute names of the single-table layout (see the package documentation).
const (
	attrHK      = "hk"   // partition key: the key's bytes
	attrRK      = "rk"   // sort key: "_" for the value, "z"+field for a sorted member
	attrRK2     = "rk2"  // LSI sort key of sorted members: score (8 bytes) + field
	attrKind    = "t"    // kind of the value item: kindString, kindSet or kindHash
	attrValue   = "v"    // string value (B); of a sorted member, see sortedItem
	attrMember  = "w"    // a sorted-hash member longer than inlineMemberMax
	attrNumber  = "n"    // string value that is a canonical decimal int64, as a Number
	attrMembers = "s"    // set members (BS)
	attrVersion = "ver"  // random 8 bytes replaced by every set or hash write
	attrTTL     = "ttl"  // DynamoDB's time to live: ceil(x / 1000), epoch seconds (Number)
	attrExpiry  = "x"    // exact expiry, epoch milliseconds (Number)
	attrWritten = "wt"   // a sorted member's write time, epoch milliseconds (Number)
	attrDead    = "dead" // the meta item's: expiry of the sorted data's last passed incarnation
	attrArmed   = "mk"   // the meta item's: expiry of the reclaim marker DynamoDB's TTL will delete

	hashFieldPrefix       = "f:" // hash field attribute, field valid UTF-8
	hashBinaryFieldPrefix = "b:" // hash field attribute, base64 of a field that is not UTF-8

	indexRK2 = "rk2" // the local secondary index on (hk, rk2)
)

// The kinds of a value item, the value of its t attribute.
const (
	kindString = "str"
	kindSet    = "set"
	kindHash   = "hash"
)

// inlineMemberMax is the longest sorted-hash member kept in v, which the rk2 index
// projects; a longer one lives in w, outside the index (see sortedItem).
const inlineMemberMax = kvstore.SortedIndexedMemberSize

// rkValue is the sort key of a key's value item; sortedPrefix starts the sort key of
// every sorted member.
const (
	rkValue      = "_"
	rkMeta       = "y"
	sortedPrefix = 'z'
	scoreLen     = 8
)

func avB(b []byte) types.AttributeValue { return &types.AttributeValueMemberB{Value: b} }
func avS(s string) types.AttributeValue { return &types.AttributeValueMemberB{Value: []byte(s)} }
func avN(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// avBS returns a binary set of distinct members (DynamoDB refuses duplicates).
func avBS(members []string) types.AttributeValue {
	seen := make(map[string]struct{}, len(members))
	out := make([][]byte, 0, len(members))
	for _, m := range members {
		if _, dup := seen[m]; dup {
			continue
		}
		seen[m] = struct{}{}
		out = append(out, []byte(m))
	}
	return &types.AttributeValueMemberBS{Value: out}
}

// valueKey is the primary key of key's value item.
func valueKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrHK: avS(key), attrRK: avS(rkValue)}
}

// sortedRK is the sort key of a sorted member's item.
func sortedRK(field string) []byte {
	rk := make([]byte, 0, 1+len(field))
	rk = append(rk, sortedPrefix)
	return append(rk, field...)
}

// sortedKey is the primary key of one sorted member's item.
func sortedKey(key, field string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrHK: avS(key), attrRK: avB(sortedRK(field))}
}

// encodeScore maps a score to 8 bytes whose byte order is the scores' numeric order:
// the sign bit is flipped for positive numbers and every bit for negative ones.
func encodeScore(dst []byte, score float64) []byte {
	bits := math.Float64bits(score)
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(dst, bits)
}

// decodeScore inverts encodeScore on the first 8 bytes of b.
func decodeScore(b []byte) (float64, error) {
	if len(b) < scoreLen {
		return 0, fmt.Errorf("rk2 of %d bytes is shorter than a score", len(b))
	}
	bits := binary.BigEndian.Uint64(b)
	if bits&(1<<63) != 0 {
		bits &^= 1 << 63
	} else {
		bits = ^bits
	}
	return math.Float64frombits(bits), nil
}

// sortedRK2 is the LSI sort key of a sorted member: its encoded score, then its field.
func sortedRK2(field string, score float64) []byte {
	rk2 := make([]byte, 0, scoreLen+len(field))
	rk2 = encodeScore(rk2, score)
	return append(rk2, field...)
}

// sortedItem is the whole item of one sorted member. Its member is stored by size:
//   - none when it is the field (a sorted-set member), which saves its bytes;
//   - in v (B) when at most inlineMemberMax bytes: the rk2 index projects v, so score
//     ranges read it from the index;
//   - else in w (B), with v a Number holding its length: DynamoDB counts an item's
//     index copy in the 400 KB item limit, so a large member stays out of the index,
//     and score ranges fetch it (BatchGetItem) when they return it.
func sortedItem(key, field, member string, score float64) map[string]types.AttributeValue {
	item := sortedKey(key, field)
	item[attrRK2] = avB(sortedRK2(field, score))
	item[attrWritten] = avN(nowMillis())
	switch {
	case member == field:
	case len(member) <= inlineMemberMax:
		item[attrValue] = avS(member)
	default:
		item[attrValue] = avN(int64(len(member)))
		item[attrMember] = avS(member)
	}
	return item
}

// isCounter reports whether s is stored as a Number: a canonical decimal int64.
func isCounter(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	_, err := kvstore.ParseCounter(s)
	return err == nil
}

// stringItem is the whole value item holding the string value: a Number attribute n
// when the value is a canonical decimal int64 (so that NIncrBy is one ADD), else v.
func stringItem(key, value string) map[string]types.AttributeValue {
	item := valueKey(key)
	item[attrKind] = avS(kindString)
	if isCounter(value) {
		item[attrNumber] = &types.AttributeValueMemberN{Value: value}
	} else {
		item[attrValue] = avS(value)
	}
	return item
}

// hashFieldAttr is the attribute name of a hash field: "f:" and the field when it is
// valid UTF-8, else "b:" and its standard base64. kvstore.HashFieldSize counts this.
func hashFieldAttr(field string) string {
	if utf8.ValidString(field) {
		return hashFieldPrefix + field
	}
	return hashBinaryFieldPrefix + base64.StdEncoding.EncodeToString([]byte(field))
}

// hashFieldOf returns the field an attribute name holds, and false for an attribute
// that is not a hash field.
func hashFieldOf(attr string) (string, bool, error) {
	switch {
	case len(attr) >= 2 && attr[:2] == hashFieldPrefix:
		return attr[2:], true, nil
	case len(attr) >= 2 && attr[:2] == hashBinaryFieldPrefix:
		b, err := base64.StdEncoding.DecodeString(attr[2:])
		if err != nil {
			return "", false, fmt.Errorf("hash field attribute %q: %w", truncate(attr), err)
		}
		return string(b), true, nil
	}
	return "", false, nil
}

// newVersion returns a fresh value for a set's or hash's ver attribute.
func newVersion() types.AttributeValue {
	return avB(randomBytes(8))
}

// value is a decoded value item.
type value struct {
	// exists is true when the item exists, even as an empty shell.
	exists bool
	kind   string
	str    string
	// isNumber is true when str came from the Number attribute n.
	isNumber bool
	hasStr   bool
	members  []string
	fields   map[string]string
	version  types.AttributeValue
	// expiry is the item's x (Unix ms), 0 when it does not expire; expired is true
	// when decodeLive found it passed: the item is then absent to everything.
	expiry  int64
	expired bool
	// item is the item as read.
	item map[string]types.AttributeValue
}

// present reports whether the item holds a value: a string, or a set or hash with at
// least one member or field. An item that exists but is not present is a shell: a set
// or hash emptied by SRem or HDel whose item is about to be (or, after a crash between
// the two requests, was never) deleted. Every operation treats a shell as absent.
func (v *value) present() bool {
	if v.expired {
		return false
	}
	switch v.kind {
	case kindString:
		return v.hasStr
	case kindSet:
		return len(v.members) > 0
	case kindHash:
		return len(v.fields) > 0
	}
	return false
}

// shell reports whether the item exists but holds nothing (or has expired).
func (v *value) shell() bool { return v.exists && !v.present() }

func bytesOf(av types.AttributeValue) ([]byte, bool) {
	b, ok := av.(*types.AttributeValueMemberB)
	if !ok {
		return nil, false
	}
	return b.Value, true
}

// decodeValue decodes a value item (nil or empty when absent).
func decodeValue(item map[string]types.AttributeValue) (*value, error) {
	v := &value{}
	if len(item) == 0 {
		return v, nil
	}
	v.exists, v.item = true, item
	if av, ok := item[attrKind]; ok {
		b, ok := bytesOf(av)
		if !ok {
			return nil, fmt.Errorf("attribute t is not binary")
		}
		v.kind = string(b)
	}
	v.version = item[attrVersion]
	if av, ok := item[attrExpiry]; ok {
		x, err := numberOf(av)
		if err != nil {
			return nil, fmt.Errorf("attribute x: %w", err)
		}
		v.expiry = x
	}
	switch v.kind {
	case kindString:
		if av, ok := item[attrNumber]; ok {
			n, ok := av.(*types.AttributeValueMemberN)
			if !ok {
				return nil, fmt.Errorf("attribute n is not a number")
			}
			i, err := strconv.ParseInt(n.Value, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("attribute n %q is not an int64", n.Value)
			}
			v.str, v.isNumber, v.hasStr = strconv.FormatInt(i, 10), true, true
		} else if av, ok := item[attrValue]; ok {
			b, ok := bytesOf(av)
			if !ok {
				return nil, fmt.Errorf("attribute v is not binary")
			}
			v.str, v.hasStr = string(b), true
		}
	case kindSet:
		if av, ok := item[attrMembers]; ok {
			bs, ok := av.(*types.AttributeValueMemberBS)
			if !ok {
				return nil, fmt.Errorf("attribute s is not a binary set")
			}
			v.members = make([]string, len(bs.Value))
			for i, m := range bs.Value {
				v.members[i] = string(m)
			}
		}
	case kindHash:
		v.fields = make(map[string]string)
		for name, av := range item {
			f, ok, err := hashFieldOf(name)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			b, ok := bytesOf(av)
			if !ok {
				return nil, fmt.Errorf("hash field attribute %q is not binary", truncate(name))
			}
			v.fields[f] = string(b)
		}
	case "":
	default:
		return nil, fmt.Errorf("unknown kind %q", truncate(v.kind))
	}
	return v, nil
}

// decodeLive decodes a value item as kvstore's operations see it now: an item whose
// expiry has passed is absent (present reports false; shell true, so that the
// operations that meet it clear it as they clear shells).
func decodeLive(item map[string]types.AttributeValue) (*value, error) {
	v, err := decodeValue(item)
	if err != nil {
		return nil, err
	}
	v.expired = v.expiry != 0 && v.expiry <= nowMillis()
	return v, nil
}

// numberOf returns the int64 a Number attribute holds.
func numberOf(av types.AttributeValue) (int64, error) {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("not a number")
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an int64", n.Value)
	}
	return i, nil
}

// nowMillis is the client's clock in Unix milliseconds: expiry is decided by it.
func nowMillis() int64 { return time.Now().UnixMilli() }

// ttlSeconds is the ttl attribute of an expiry at (Unix ms): ceil(at / 1000), so that
// DynamoDB's deletion never comes before the exact expiry.
func ttlSeconds(at int64) int64 {
	if at <= 0 {
		return 0
	}
	return (at + 999) / 1000
}

// withExpiry adds the attributes x and ttl of the expiry at (Unix ms) to item; at 0
// adds nothing.
func withExpiry(item map[string]types.AttributeValue, at int64) map[string]types.AttributeValue {
	if at != 0 {
		item[attrExpiry], item[attrTTL] = avN(at), avN(ttlSeconds(at))
	}
	return item
}

// sortedMember is a decoded sorted member item.
type sortedMember struct {
	field  string
	member string
	score  float64
	rk2    []byte
	// hasValue is true when the item stores its member (it differs from the field).
	hasValue bool
	// written is the member's write time (wt, Unix ms; 0 for a member written before
	// kvstore had expiry). The rk2 index projects it.
	written int64
	// external is true when the member is stored in w, outside the rk2 index; missing
	// is true when the item came from the index without it, gone when fetching it
	// found it removed.
	external, missing, gone bool
}

// decodeSorted decodes a sorted member's item.
func decodeSorted(item map[string]types.AttributeValue) (*sortedMember, error) {
	rk, ok := bytesOf(item[attrRK])
	if !ok || len(rk) == 0 || rk[0] != sortedPrefix {
		return nil, fmt.Errorf("item is not a sorted member")
	}
	rk2, ok := bytesOf(item[attrRK2])
	if !ok {
		return nil, fmt.Errorf("sorted member has no binary rk2")
	}
	score, err := decodeScore(rk2)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(rk2[scoreLen:], rk[1:]) {
		return nil, fmt.Errorf("sorted member's rk2 does not end with its field")
	}
	m := &sortedMember{field: string(rk[1:]), score: score, rk2: rk2}
	m.member = m.field
	if av, ok := item[attrWritten]; ok {
		if m.written, err = numberOf(av); err != nil {
			return nil, fmt.Errorf("sorted member's wt: %w", err)
		}
	}
	switch av := item[attrValue].(type) {
	case nil:
	case *types.AttributeValueMemberB:
		m.member, m.hasValue = string(av.Value), true
	case *types.AttributeValueMemberN:
		m.hasValue, m.external = true, true
		w, ok := item[attrMember]
		if !ok {
			m.member, m.missing = "", true
			break
		}
		b, ok := bytesOf(w)
		if !ok {
			return nil, fmt.Errorf("sorted member's w is not binary")
		}
		m.member = string(b)
	default:
		return nil, fmt.Errorf("sorted member's v is neither binary nor a number")
	}
	return m, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
