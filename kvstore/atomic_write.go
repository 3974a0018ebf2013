package kvstore

import (
	"context"
	"fmt"
	"time"
)

// MaxAtomicWriteOperations is the most operations one atomic write may hold
// (DynamoDB TransactWriteItems' limit).
const MaxAtomicWriteOperations = 100

// AtomicWriteOperation queues writes that Exec applies all or nothing. If any
// condition fails, nothing is written, Exec returns (false, nil), and exactly the
// operations whose conditions failed report ConditionalFailed. More than
// MaxAtomicWriteOperations operations, or two operations on the same item, is an
// ErrInvalidArgument before anything is sent. The same item means the same key for
// strings, counters, sets and hashes; the same key and member for a sorted set; the
// same key and field for a sorted hash.
type AtomicWriteOperation interface {
	// Set stores value at key.
	Set(key string, value any) AtomicWriteResult
	// SetNX stores value at key on condition that key is absent.
	SetNX(key string, value any) AtomicWriteResult
	// SetXX stores value at key on condition that key is present.
	SetXX(key string, value any) AtomicWriteResult
	// SetEQ stores value at key on condition that its string equals oldValue.
	SetEQ(key string, value, oldValue any) AtomicWriteResult
	// Delete removes key (no condition: absent is fine).
	Delete(key string) AtomicWriteResult
	// DeleteXX removes key on condition that it is present.
	DeleteXX(key string) AtomicWriteResult
	// NIncrBy adds n to the counter at key.
	NIncrBy(key string, n int64) AtomicWriteResult
	// ZAdd adds or rescores member of the sorted set at key.
	ZAdd(key string, member any, score float64) AtomicWriteResult
	// ZAddNX adds member on condition that it is absent.
	ZAddNX(key string, member any, score float64) AtomicWriteResult
	// ZRem removes member from the sorted set at key.
	ZRem(key string, member any) AtomicWriteResult
	// ZHAdd sets field of the sorted hash at key.
	ZHAdd(key, field string, member any, score float64) AtomicWriteResult
	// ZHRem removes field from the sorted hash at key.
	ZHRem(key, field string) AtomicWriteResult
	// SAdd adds members to the set at key.
	SAdd(key string, member any, members ...any) AtomicWriteResult
	// SRem removes members from the set at key.
	SRem(key string, member any, members ...any) AtomicWriteResult
	// HSet sets fields of the hash at key.
	HSet(key, field string, value any, fields ...KeyValue) AtomicWriteResult
	// HSetNX sets field of the hash at key on condition that the field is absent.
	HSetNX(key, field string, value any) AtomicWriteResult
	// HDel removes fields of the hash at key.
	HDel(key, field string, fields ...string) AtomicWriteResult
	// SetEX stores value at key, expiring ttl after Exec starts.
	SetEX(key string, value any, ttl time.Duration) AtomicWriteResult
	// SetNXEX stores value at key, expiring ttl after Exec starts, on condition that
	// key is absent (or expired).
	SetNXEX(key string, value any, ttl time.Duration) AtomicWriteResult
	// Expire makes key (its value and its sorted data) expire ttl after Exec starts,
	// on condition that key is present.
	Expire(key string, ttl time.Duration) AtomicWriteResult
	// Exec applies the queued operations all or nothing and reports whether every
	// condition held.
	Exec(ctx context.Context) (bool, error)
}

// AtomicWriteResult tells, after Exec, whether one operation's condition failed.
// Operations without a condition never report ConditionalFailed.
type AtomicWriteResult interface {
	ConditionalFailed() bool
}

// AtomicWriteOpKind names the kind of a queued atomic-write operation. ZAdd and ZRem
// are recorded as their sorted-hash forms (the member is the field).
type AtomicWriteOpKind int

// The kinds of atomic-write operations.
const (
	AtomicSet AtomicWriteOpKind = iota + 1
	AtomicSetNX
	AtomicSetXX
	AtomicSetEQ
	AtomicDelete
	AtomicDeleteXX
	AtomicNIncrBy
	AtomicZHAdd
	AtomicZHAddNX
	AtomicZHRem
	AtomicSAdd
	AtomicSRem
	AtomicHSet
	AtomicHSetNX
	AtomicHDel
	AtomicSetEX
	AtomicSetNXEX
	AtomicExpire
)

var atomicOpNames = [...]string{"", "Set", "SetNX", "SetXX", "SetEQ", "Delete", "DeleteXX", "NIncrBy",
	"ZHAdd", "ZHAddNX", "ZHRem", "SAdd", "SRem", "HSet", "HSetNX", "HDel", "SetEX", "SetNXEX", "Expire"}

// String returns the operation's method name.
func (k AtomicWriteOpKind) String() string {
	if k > 0 && int(k) < len(atomicOpNames) {
		return atomicOpNames[k]
	}
	return fmt.Sprintf("AtomicWriteOpKind(%d)", int(k))
}

// HashField is one field and value of a hash write, converted to strings.
type HashField struct {
	Field string
	Value string
}

// AtomicWriteOp is one validated operation of an atomic write, as AtomicWriteOps
// records it for a backend's Exec.
type AtomicWriteOp struct {
	Kind AtomicWriteOpKind
	Key  string
	// Field is the sorted-hash field (the member, for ZAdd and ZRem) or, for HSetNX,
	// the hash field.
	Field string
	// Value is the string to set (Set*), the sorted-hash member (ZHAdd*) or the hash
	// value (HSetNX).
	Value string
	// OldValue is SetEQ's expected current value.
	OldValue string
	// Members are SAdd's and SRem's members, or HDel's fields.
	Members []string
	// Fields are HSet's fields and values.
	Fields []HashField
	// Score is ZHAdd's score.
	Score float64
	// N is NIncrBy's increment.
	N int64
	// TTL is SetEX's, SetNXEX's and Expire's time to live, counted from the start of
	// Exec (whole milliseconds, at least one).
	TTL time.Duration

	failed bool
}

// ConditionalFailed reports whether this operation's condition failed in Exec.
func (op *AtomicWriteOp) ConditionalFailed() bool { return op.failed }

// SetConditionalFailed records that this operation's condition failed; backends call it.
func (op *AtomicWriteOp) SetConditionalFailed(failed bool) { op.failed = failed }

// HasCondition reports whether the operation carries a condition.
func (op *AtomicWriteOp) HasCondition() bool {
	switch op.Kind {
	case AtomicSetNX, AtomicSetXX, AtomicSetEQ, AtomicDeleteXX, AtomicZHAddNX, AtomicHSetNX, AtomicSetNXEX, AtomicExpire:
		return true
	}
	return false
}

// IsSorted reports whether the operation works on one member of a sorted set or
// sorted hash (whose item is the key and field) rather than on a whole key.
func (op *AtomicWriteOp) IsSorted() bool {
	switch op.Kind {
	case AtomicZHAdd, AtomicZHAddNX, AtomicZHRem:
		return true
	}
	return false
}

type itemID struct {
	key, field string
	sorted     bool
}

// AtomicWriteOps records and validates atomic-write operations. A backend embeds it
// and adds Exec, which calls Operations.
type AtomicWriteOps struct {
	ops []*AtomicWriteOp
	err error
}

func (w *AtomicWriteOps) fail(err error) AtomicWriteResult {
	if w.err == nil {
		w.err = err
	}
	return &AtomicWriteOp{}
}

func (w *AtomicWriteOps) add(op *AtomicWriteOp) AtomicWriteResult {
	if err := ValidateKey(op.Key); err != nil {
		return w.fail(fmt.Errorf("atomic write %s: %w", op.Kind, err))
	}
	w.ops = append(w.ops, op)
	return op
}

func (w *AtomicWriteOps) value(kind AtomicWriteOpKind, key string, value any) AtomicWriteResult {
	s, err := ToString(value)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write %s: %w", kind, err))
	}
	if err := CheckItemSize(key, StringItemSize(key, len(s))); err != nil {
		return w.fail(err)
	}
	return w.add(&AtomicWriteOp{Kind: kind, Key: key, Value: s})
}

// Set records a Set.
func (w *AtomicWriteOps) Set(key string, value any) AtomicWriteResult {
	return w.value(AtomicSet, key, value)
}

// SetNX records a SetNX.
func (w *AtomicWriteOps) SetNX(key string, value any) AtomicWriteResult {
	return w.value(AtomicSetNX, key, value)
}

// SetXX records a SetXX.
func (w *AtomicWriteOps) SetXX(key string, value any) AtomicWriteResult {
	return w.value(AtomicSetXX, key, value)
}

// SetEQ records a SetEQ.
func (w *AtomicWriteOps) SetEQ(key string, value, oldValue any) AtomicWriteResult {
	old, err := ToString(oldValue)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write SetEQ: %w", err))
	}
	r := w.value(AtomicSetEQ, key, value)
	if op, ok := r.(*AtomicWriteOp); ok {
		op.OldValue = old
	}
	return r
}

// Delete records a Delete.
func (w *AtomicWriteOps) Delete(key string) AtomicWriteResult {
	return w.add(&AtomicWriteOp{Kind: AtomicDelete, Key: key})
}

// DeleteXX records a DeleteXX.
func (w *AtomicWriteOps) DeleteXX(key string) AtomicWriteResult {
	return w.add(&AtomicWriteOp{Kind: AtomicDeleteXX, Key: key})
}

// SetEX records a SetEX.
func (w *AtomicWriteOps) SetEX(key string, value any, ttl time.Duration) AtomicWriteResult {
	return w.expiring(AtomicSetEX, key, value, ttl)
}

// SetNXEX records a SetNXEX.
func (w *AtomicWriteOps) SetNXEX(key string, value any, ttl time.Duration) AtomicWriteResult {
	return w.expiring(AtomicSetNXEX, key, value, ttl)
}

func (w *AtomicWriteOps) expiring(kind AtomicWriteOpKind, key string, value any, ttl time.Duration) AtomicWriteResult {
	if _, err := TTLMillis(ttl); err != nil {
		return w.fail(fmt.Errorf("atomic write %s: %w", kind, err))
	}
	r := w.value(kind, key, value)
	if op, ok := r.(*AtomicWriteOp); ok && op.Kind == kind {
		op.TTL = ttl.Truncate(time.Millisecond)
	}
	return r
}

// Expire records an Expire.
func (w *AtomicWriteOps) Expire(key string, ttl time.Duration) AtomicWriteResult {
	if _, err := TTLMillis(ttl); err != nil {
		return w.fail(fmt.Errorf("atomic write Expire: %w", err))
	}
	return w.add(&AtomicWriteOp{Kind: AtomicExpire, Key: key, TTL: ttl.Truncate(time.Millisecond)})
}

// NIncrBy records an NIncrBy.
func (w *AtomicWriteOps) NIncrBy(key string, n int64) AtomicWriteResult {
	return w.add(&AtomicWriteOp{Kind: AtomicNIncrBy, Key: key, N: n})
}

func (w *AtomicWriteOps) zhadd(kind AtomicWriteOpKind, key, field string, member any, score float64) AtomicWriteResult {
	m, score, err := SortedEntry(key, field, member, score)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write %s: %w", kind, err))
	}
	return w.add(&AtomicWriteOp{Kind: kind, Key: key, Field: field, Value: m, Score: score})
}

// ZAdd records a ZAdd (as ZHAdd with the member as field).
func (w *AtomicWriteOps) ZAdd(key string, member any, score float64) AtomicWriteResult {
	m, err := ToString(member)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write ZAdd: %w", err))
	}
	return w.zhadd(AtomicZHAdd, key, m, m, score)
}

// ZAddNX records a ZAddNX.
func (w *AtomicWriteOps) ZAddNX(key string, member any, score float64) AtomicWriteResult {
	m, err := ToString(member)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write ZAddNX: %w", err))
	}
	return w.zhadd(AtomicZHAddNX, key, m, m, score)
}

// ZRem records a ZRem (as ZHRem).
func (w *AtomicWriteOps) ZRem(key string, member any) AtomicWriteResult {
	m, err := ToString(member)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write ZRem: %w", err))
	}
	return w.ZHRem(key, m)
}

// ZHAdd records a ZHAdd.
func (w *AtomicWriteOps) ZHAdd(key, field string, member any, score float64) AtomicWriteResult {
	return w.zhadd(AtomicZHAdd, key, field, member, score)
}

// ZHRem records a ZHRem.
func (w *AtomicWriteOps) ZHRem(key, field string) AtomicWriteResult {
	if err := ValidateSortedMember(field); err != nil {
		return w.fail(err)
	}
	return w.add(&AtomicWriteOp{Kind: AtomicZHRem, Key: key, Field: field})
}

func (w *AtomicWriteOps) setMembers(kind AtomicWriteOpKind, key string, member any, members []any) AtomicWriteResult {
	ms, err := SetMembers(key, member, members)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write %s: %w", kind, err))
	}
	return w.add(&AtomicWriteOp{Kind: kind, Key: key, Members: ms})
}

// SAdd records an SAdd.
func (w *AtomicWriteOps) SAdd(key string, member any, members ...any) AtomicWriteResult {
	return w.setMembers(AtomicSAdd, key, member, members)
}

// SRem records an SRem.
func (w *AtomicWriteOps) SRem(key string, member any, members ...any) AtomicWriteResult {
	return w.setMembers(AtomicSRem, key, member, members)
}

// HSet records an HSet.
func (w *AtomicWriteOps) HSet(key, field string, value any, fields ...KeyValue) AtomicWriteResult {
	hf, err := HashFields(key, field, value, fields)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write HSet: %w", err))
	}
	return w.add(&AtomicWriteOp{Kind: AtomicHSet, Key: key, Fields: hf})
}

// HSetNX records an HSetNX.
func (w *AtomicWriteOps) HSetNX(key, field string, value any) AtomicWriteResult {
	hf, err := HashFields(key, field, value, nil)
	if err != nil {
		return w.fail(fmt.Errorf("atomic write HSetNX: %w", err))
	}
	return w.add(&AtomicWriteOp{Kind: AtomicHSetNX, Key: key, Field: hf[0].Field, Value: hf[0].Value})
}

// HDel records an HDel.
func (w *AtomicWriteOps) HDel(key, field string, fields ...string) AtomicWriteResult {
	all := append([]string{field}, fields...)
	for _, f := range all {
		if err := ValidateHashField(f); err != nil {
			return w.fail(err)
		}
	}
	return w.add(&AtomicWriteOp{Kind: AtomicHDel, Key: key, Members: all})
}

// Operations returns the recorded operations, or the ErrInvalidArgument that makes
// the whole atomic write invalid: an invalid argument in any operation, more than
// MaxAtomicWriteOperations operations, or two operations on one item.
func (w *AtomicWriteOps) Operations() ([]*AtomicWriteOp, error) {
	if w.err != nil {
		return nil, w.err
	}
	if len(w.ops) > MaxAtomicWriteOperations {
		return nil, invalidf("atomic write of %d operations exceeds %d", len(w.ops), MaxAtomicWriteOperations)
	}
	seen := make(map[itemID]struct{}, len(w.ops))
	for _, op := range w.ops {
		id := itemID{key: op.Key}
		if op.IsSorted() {
			id.field, id.sorted = op.Field, true
		}
		if _, dup := seen[id]; dup {
			if id.sorted {
				return nil, invalidf("atomic write has two operations on key %q field %q", truncate(op.Key), truncate(op.Field))
			}
			return nil, invalidf("atomic write has two operations on key %q", truncate(op.Key))
		}
		seen[id] = struct{}{}
	}
	return w.ops, nil
}

// HashFields validates and converts an HSet's fields and values, checking that
// together they fit in one item.
func HashFields(key, field string, value any, fields []KeyValue) ([]HashField, error) {
	out := make([]HashField, 0, 1+len(fields))
	size := 0
	add := func(f string, v any) error {
		if err := ValidateHashField(f); err != nil {
			return err
		}
		s, err := ToString(v)
		if err != nil {
			return err
		}
		size += HashFieldSize(f, len(s))
		out = append(out, HashField{Field: f, Value: s})
		return nil
	}
	if err := add(field, value); err != nil {
		return nil, err
	}
	for _, kv := range fields {
		if err := add(kv.Key, kv.Value); err != nil {
			return nil, err
		}
	}
	if err := CheckItemSize(key, HashItemSize(key, size)); err != nil {
		return nil, err
	}
	return out, nil
}
