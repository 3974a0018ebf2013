package memory

import (
	"context"
	"strconv"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

type kind uint8

const (
	kindString kind = iota + 1
	kindSet
	kindHash
)

// value is what a key holds besides sorted data: a string, a set or a hash. Strings
// are immutable in Go, so storing and returning them copies nothing the caller can
// change.
type value struct {
	kind kind
	str  string
	set  map[string]struct{}
	hash map[string]string
	// size is the set's members' or the hash's fields' share of the item size.
	size int
	// exp is the expiry in Unix milliseconds, 0 for none.
	exp int64
}

func (s *shard) put(key string, v *value) {
	if s.values == nil {
		s.values = make(map[string]*value)
	}
	s.values[key] = v
}

// Get implements kvstore.Backend.
func (b *Backend) Get(ctx context.Context, key string) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	rep := expiryreport.FromContext(ctx)
	s := b.shard(key)
	s.mu.RLock()
	v := s.get(key)
	if rep != nil {
		rep.Record(key, false, v.expiry())
	}
	var out string
	var k kind
	if v != nil {
		out, k = v.str, v.kind
	}
	s.mu.RUnlock()
	switch {
	case v == nil:
		return nil, nil
	case k != kindString:
		return nil, kvstore.WrongTypef(key)
	}
	return &out, nil
}

func stringValue(key string, val any) (string, error) {
	str, err := kvstore.ToString(val)
	if err != nil {
		return "", err
	}
	if err := kvstore.CheckItemSize(key, kvstore.StringItemSize(key, len(str))); err != nil {
		return "", err
	}
	return str, nil
}

// setIf stores value at key when cond, given the current value, holds.
func (b *Backend) setIf(ctx context.Context, key string, val any, cond func(*value) bool) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	str, err := stringValue(key, val)
	if err != nil {
		return false, err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	v := s.take(key)
	if cond != nil && !cond(v) {
		return false, nil
	}
	if v != nil && v.kind == kindString {
		v.str, v.exp = str, 0 // readers copy under the read lock; Set clears the expiry
	} else {
		s.put(key, &value{kind: kindString, str: str})
	}
	return true, nil
}

// Set implements kvstore.Backend.
func (b *Backend) Set(ctx context.Context, key string, val any) error {
	_, err := b.setIf(ctx, key, val, nil)
	return err
}

// SetNX implements kvstore.Backend.
func (b *Backend) SetNX(ctx context.Context, key string, val any) (bool, error) {
	return b.setIf(ctx, key, val, isAbsent)
}

// SetXX implements kvstore.Backend.
func (b *Backend) SetXX(ctx context.Context, key string, val any) (bool, error) {
	return b.setIf(ctx, key, val, isPresent)
}

// SetEQ implements kvstore.Backend.
func (b *Backend) SetEQ(ctx context.Context, key string, val, oldValue any) (bool, error) {
	old, err := kvstore.ToString(oldValue)
	if err != nil {
		return false, err
	}
	return b.setIf(ctx, key, val, func(v *value) bool { return equals(v, old) })
}

func isAbsent(v *value) bool  { return v == nil }
func isPresent(v *value) bool { return v != nil }
func equals(v *value, old string) bool {
	return v != nil && v.kind == kindString && v.str == old
}

// Delete implements kvstore.Backend.
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	ok := s.take(key) != nil
	delete(s.values, key)
	return ok, nil
}

// incr computes the counter at v plus n.
func incr(key string, v *value, n int64) (int64, error) {
	if v == nil {
		return kvstore.AddCounter(0, n)
	}
	if v.kind != kindString {
		return 0, kvstore.WrongTypef(key)
	}
	cur, err := kvstore.ParseCounter(v.str)
	if err != nil {
		return 0, err
	}
	return kvstore.AddCounter(cur, n)
}

// NIncrBy implements kvstore.Backend.
func (b *Backend) NIncrBy(ctx context.Context, key string, n int64) (int64, error) {
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	v := s.take(key)
	r, err := incr(key, v, n)
	if err != nil {
		return 0, err
	}
	if n != 0 {
		s.put(key, counterValue(v, r))
	}
	return r, nil
}

// counterValue returns the counter r that replaces v (nil when absent), keeping v's
// expiry.
func counterValue(v *value, r int64) *value {
	nv := &value{kind: kindString, str: strconv.FormatInt(r, 10)}
	if v != nil {
		nv.exp = v.exp
	}
	return nv
}
