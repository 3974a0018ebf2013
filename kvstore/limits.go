package kvstore

import (
	"math"
	"unicode/utf8"
)

// The limits every backend enforces, so that a test on memory fails where DynamoDB
// would. Beyond them operations return an ErrInvalidArgument and write nothing.
const (
	// MaxKeySize is the largest key in bytes (DynamoDB's partition key limit is 2048;
	// kvstore keeps 1024 so keys stay portable). Keys must not be empty.
	MaxKeySize = 1024
	// MaxSortedMemberSize is the largest sorted-set member or sorted-hash field in bytes:
	// DynamoDB's 1024-byte sort key less the 8-byte score prefix of rk2.
	MaxSortedMemberSize = 1016
	// MaxHashFieldSize is the largest hash field in bytes (it becomes a DynamoDB
	// attribute name, at most 64 KiB once encoded).
	MaxHashFieldSize = 49000
	// MaxItemSize is the largest item, counted as DynamoDB counts it: attribute names
	// plus values. A string with its key, a whole set, or a whole hash is one item; a
	// sorted set or sorted hash is one item per member.
	MaxItemSize = 409600
	// ItemOverhead is what every item's size includes for kvstore's own attributes
	// (the key attributes' names, the type and expiry bookkeeping).
	ItemOverhead = 100
)

// ValidateKey checks that key is a valid key: not empty, at most MaxKeySize bytes.
func ValidateKey(key string) error {
	if key == "" {
		return invalidf("empty key")
	}
	if len(key) > MaxKeySize {
		return invalidf("key of %d bytes exceeds %d", len(key), MaxKeySize)
	}
	return nil
}

// ValidateSortedMember checks a sorted-set member or sorted-hash field's size.
func ValidateSortedMember(member string) error {
	if len(member) > MaxSortedMemberSize {
		return invalidf("sorted-set member or field of %d bytes exceeds %d", len(member), MaxSortedMemberSize)
	}
	return nil
}

// ValidateSetMember checks a set member: not empty (DynamoDB's sets cannot hold an
// empty value) and no larger than an item.
func ValidateSetMember(member string) error {
	if member == "" {
		return invalidf("empty set member")
	}
	if len(member) > MaxItemSize {
		return invalidf("set member of %d bytes exceeds %d", len(member), MaxItemSize)
	}
	return nil
}

// ValidateHashField checks a hash field's size.
func ValidateHashField(field string) error {
	if len(field) > MaxHashFieldSize {
		return invalidf("hash field of %d bytes exceeds %d", len(field), MaxHashFieldSize)
	}
	return nil
}

// NormalizeScore checks that a score is not NaN and folds -0 into 0, so every backend
// orders and compares scores alike.
func NormalizeScore(score float64) (float64, error) {
	if math.IsNaN(score) {
		return 0, invalidf("score is NaN")
	}
	if score == 0 {
		return 0, nil
	}
	return score, nil
}

// StringItemSize is the size of the item holding a string or counter.
func StringItemSize(key string, valueLen int) int {
	return ItemOverhead + len(key) + valueLen
}

// SetItemSize is the size of the item holding a set whose members add up to
// membersLen bytes.
func SetItemSize(key string, membersLen int) int {
	return ItemOverhead + len(key) + membersLen
}

// HashFieldSize is what one field of a hash adds to its item: the field's attribute
// name (the field with a two-byte prefix, base64 when the field is not valid UTF-8)
// and its value.
func HashFieldSize(field string, valueLen int) int {
	n := len(field)
	if !utf8.ValidString(field) {
		n = (len(field) + 2) / 3 * 4
	}
	return 2 + n + valueLen
}

// HashItemSize is the size of the item holding a hash whose fields add up to
// fieldsSize (a sum of HashFieldSize).
func HashItemSize(key string, fieldsSize int) int {
	return ItemOverhead + len(key) + fieldsSize
}

// SortedItemSize is the size of the item holding one sorted-set member or
// sorted-hash field, counted as DynamoDB counts it with the rk2 index: the field in rk
// and rk2 (after a score prefix) and the member, plus the index's copy of the keys, the
// field and a member of up to SortedIndexedMemberSize bytes.
func SortedItemSize(key, field string, memberLen int) int {
	return 2*(ItemOverhead+len(key)) + 4*len(field) + 2*9 + memberLen + min(memberLen, SortedIndexedMemberSize)
}

// SortedIndexedMemberSize is the longest sorted-hash member that the DynamoDB layout
// keeps in the rk2 index (longer ones are read from the table).
const SortedIndexedMemberSize = 1024

// CheckItemSize returns an ErrInvalidArgument when size exceeds MaxItemSize.
func CheckItemSize(key string, size int) error {
	if size > MaxItemSize {
		return invalidf("item of key %q would be %d bytes, over the %d-byte limit", truncate(key), size, MaxItemSize)
	}
	return nil
}

// ValidateScoreRange refuses NaN range bounds (±Inf are fine).
func ValidateScoreRange(min, max float64) error {
	if math.IsNaN(min) || math.IsNaN(max) {
		return invalidf("score range bound is NaN")
	}
	return nil
}
