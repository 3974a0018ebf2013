package memory

import (
	"context"

	"github.com/kvlambda/kvlambda/kvstore"
)

// hashOf returns the hash at key for reading, or an ErrWrongType.
func hashOf(key string, v *value) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	if v.kind != kindHash {
		return nil, kvstore.WrongTypef(key)
	}
	return v.hash, nil
}

// checkSetFields checks that setting fields on the value v is allowed, changing nothing.
func checkSetFields(key string, v *value, fields []kvstore.HashField) error {
	h, err := hashOf(key, v)
	if err != nil {
		return err
	}
	size := 0
	if v != nil {
		size = v.size
	}
	// Later fields of one call win, as they will when applied.
	last := make(map[string]string, len(fields))
	for _, f := range fields {
		last[f.Field] = f.Value
	}
	for f, x := range last {
		if old, ok := h[f]; ok {
			size -= kvstore.HashFieldSize(f, len(old))
		}
		size += kvstore.HashFieldSize(f, len(x))
	}
	return kvstore.CheckItemSize(key, kvstore.HashItemSize(key, size))
}

// setFields sets fields on the hash v (nil for a new one) after checkSetFields, and
// returns it.
func setFields(v *value, fields []kvstore.HashField) *value {
	if v == nil {
		v = &value{kind: kindHash, hash: make(map[string]string, len(fields))}
	}
	for _, f := range fields {
		if old, ok := v.hash[f.Field]; ok {
			v.size -= kvstore.HashFieldSize(f.Field, len(old))
		}
		v.hash[f.Field] = f.Value
		v.size += kvstore.HashFieldSize(f.Field, len(f.Value))
	}
	return v
}

// deleteFields removes fields from the hash v and returns it, or nil once it is empty.
func deleteFields(v *value, fields []string) *value {
	for _, f := range fields {
		if old, ok := v.hash[f]; ok {
			delete(v.hash, f)
			v.size -= kvstore.HashFieldSize(f, len(old))
		}
	}
	if len(v.hash) == 0 {
		return nil
	}
	return v
}

func validateFields(field string, fields []string) ([]string, error) {
	all := append([]string{field}, fields...)
	for _, f := range all {
		if err := kvstore.ValidateHashField(f); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// HSet implements kvstore.Backend.
func (b *Backend) HSet(ctx context.Context, key, field string, val any, fields ...kvstore.KeyValue) error {
	hf, err := kvstore.HashFields(key, field, val, fields)
	if err != nil {
		return err
	}
	return b.update(ctx, key, func(v *value) (*value, error) {
		if err := checkSetFields(key, v, hf); err != nil {
			return nil, err
		}
		return setFields(v, hf), nil
	})
}

// HDel implements kvstore.Backend.
func (b *Backend) HDel(ctx context.Context, key, field string, fields ...string) error {
	all, err := validateFields(field, fields)
	if err != nil {
		return err
	}
	return b.update(ctx, key, func(v *value) (*value, error) {
		if _, err := hashOf(key, v); err != nil || v == nil {
			return v, err
		}
		return deleteFields(v, all), nil
	})
}

// HGet implements kvstore.Backend.
func (b *Backend) HGet(ctx context.Context, key, field string) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	if err := kvstore.ValidateHashField(field); err != nil {
		return nil, err
	}
	s := b.shard(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, err := hashOf(key, s.readValue(ctx, key))
	if err != nil {
		return nil, err
	}
	x, ok := h[field]
	if !ok {
		return nil, nil
	}
	return &x, nil
}

// HGetAll implements kvstore.Backend.
func (b *Backend) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	s := b.shard(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, err := hashOf(key, s.readValue(ctx, key))
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(h))
	for f, x := range h {
		out[f] = x
	}
	return out, nil
}
