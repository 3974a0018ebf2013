package memory

import (
	"context"

	"github.com/kvlambda/kvlambda/kvstore"
)

// setOf returns the set at key for reading, or an ErrWrongType.
func setOf(key string, v *value) (map[string]struct{}, error) {
	if v == nil {
		return nil, nil
	}
	if v.kind != kindSet {
		return nil, kvstore.WrongTypef(key)
	}
	return v.set, nil
}

// checkAddMembers checks that adding ms to the value v is allowed, changing nothing.
func checkAddMembers(key string, v *value, ms []string) error {
	set, err := setOf(key, v)
	if err != nil {
		return err
	}
	size := 0
	if v != nil {
		size = v.size
	}
	var seen map[string]struct{}
	if len(ms) > 1 {
		seen = make(map[string]struct{}, len(ms))
	}
	for _, m := range ms {
		if _, ok := set[m]; ok {
			continue
		}
		if seen != nil {
			if _, ok := seen[m]; ok {
				continue
			}
			seen[m] = struct{}{}
		}
		size += len(m)
	}
	return kvstore.CheckItemSize(key, kvstore.SetItemSize(key, size))
}

// addMembers adds ms to the set v (nil for a new one) after checkAddMembers, and
// returns it.
func addMembers(v *value, ms []string) *value {
	if v == nil {
		v = &value{kind: kindSet, set: make(map[string]struct{}, len(ms))}
	}
	for _, m := range ms {
		if _, ok := v.set[m]; !ok {
			v.set[m] = struct{}{}
			v.size += len(m)
		}
	}
	return v
}

// removeMembers removes ms from the set v and returns it, or nil once it is empty.
func removeMembers(v *value, ms []string) *value {
	for _, m := range ms {
		if _, ok := v.set[m]; ok {
			delete(v.set, m)
			v.size -= len(m)
		}
	}
	if len(v.set) == 0 {
		return nil
	}
	return v
}

// update runs f on the value at key under the shard's lock and stores what it returns
// (nil deletes the key). f must change nothing when it returns an error.
func (b *Backend) update(ctx context.Context, key string, f func(*value) (*value, error)) error {
	if err := begin(ctx, key); err != nil {
		return err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	nv, err := f(s.take(key))
	if err != nil {
		return err
	}
	if nv == nil {
		delete(s.values, key)
	} else {
		s.put(key, nv)
	}
	return nil
}

// SAdd implements kvstore.Backend.
func (b *Backend) SAdd(ctx context.Context, key string, member any, members ...any) error {
	ms, err := kvstore.SetMembers(key, member, members)
	if err != nil {
		return err
	}
	return b.update(ctx, key, func(v *value) (*value, error) {
		if err := checkAddMembers(key, v, ms); err != nil {
			return nil, err
		}
		return addMembers(v, ms), nil
	})
}

// SRem implements kvstore.Backend.
func (b *Backend) SRem(ctx context.Context, key string, member any, members ...any) error {
	ms, err := kvstore.SetMembers(key, member, members)
	if err != nil {
		return err
	}
	return b.update(ctx, key, func(v *value) (*value, error) {
		if _, err := setOf(key, v); err != nil || v == nil {
			return v, err
		}
		return removeMembers(v, ms), nil
	})
}

// SMembers implements kvstore.Backend.
func (b *Backend) SMembers(ctx context.Context, key string) ([]string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	s := b.shard(key)
	s.mu.RLock()
	defer s.mu.RUnlock()
	set, err := setOf(key, s.readValue(ctx, key))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	return out, nil
}
