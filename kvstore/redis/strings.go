package redis

import (
	"context"
	"errors"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// stringValue converts and checks a value to store at key.
func stringValue(key string, value any) (string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return "", err
	}
	s, err := kvstore.ToString(value)
	if err != nil {
		return "", err
	}
	if err := kvstore.CheckItemSize(key, kvstore.StringItemSize(key, len(s))); err != nil {
		return "", err
	}
	return s, nil
}

// Get implements kvstore.Backend with GET.
func (b *Backend) Get(ctx context.Context, key string) (*string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, err
	}
	cmd := goredis.NewStringCmd(ctx, "get", b.redisKey(key, valueKey))
	if err := b.readRoundTrip(ctx, key, valueKey, cmd); err != nil {
		return nil, err
	}
	return optionalString(key, cmd)
}

func optionalString(key string, cmd *goredis.StringCmd) (*string, error) {
	s, err := cmd.Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, mapError(key, err)
	}
	return &s, nil
}

// Set implements kvstore.Backend with SET, which replaces a value of any kind.
func (b *Backend) Set(ctx context.Context, key string, value any) error {
	s, err := stringValue(key, value)
	if err != nil {
		return err
	}
	cmd := goredis.NewStatusCmd(ctx, "set", b.redisKey(key, valueKey), s)
	if err := b.roundTrip(ctx, cmd); err != nil {
		return err
	}
	return mapError(key, cmd.Err())
}

// setCond runs SET with NX or XX and reports whether it set.
func (b *Backend) setCond(ctx context.Context, key string, value any, cond string) (bool, error) {
	s, err := stringValue(key, value)
	if err != nil {
		return false, err
	}
	cmd := goredis.NewStatusCmd(ctx, "set", b.redisKey(key, valueKey), s, cond)
	if err := b.roundTrip(ctx, cmd); err != nil {
		return false, err
	}
	switch err := cmd.Err(); {
	case errors.Is(err, goredis.Nil):
		return false, nil
	case err != nil:
		return false, mapError(key, err)
	}
	return true, nil
}

// SetNX implements kvstore.Backend with SET NX.
func (b *Backend) SetNX(ctx context.Context, key string, value any) (bool, error) {
	return b.setCond(ctx, key, value, "nx")
}

// SetXX implements kvstore.Backend with SET XX.
func (b *Backend) SetXX(ctx context.Context, key string, value any) (bool, error) {
	return b.setCond(ctx, key, value, "xx")
}

// SetEQ implements kvstore.Backend with the write script (compare and set).
func (b *Backend) SetEQ(ctx context.Context, key string, value, oldValue any) (bool, error) {
	s, err := stringValue(key, value)
	if err != nil {
		return false, err
	}
	old, err := kvstore.ToString(oldValue)
	if err != nil {
		return false, err
	}
	c := b.newWriteCall()
	c.set(key, "EQ", s, old)
	r, err := c.run(ctx)
	return r.ok, err
}

// Delete implements kvstore.Backend with the write script, which also drops the
// key's size counter.
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return false, err
	}
	c := b.newWriteCall()
	c.delete(key, "")
	r, err := c.run(ctx)
	if err != nil {
		return false, err
	}
	return len(r.results) == 1 && r.results[0] == "1", nil
}

// NIncrBy implements kvstore.Backend with INCRBY, whose parsing is kvstore's
// canonical decimal int64 (no "+", leading zeros or spaces; overflow refused). n = 0
// reads with GET instead, so that it creates nothing.
func (b *Backend) NIncrBy(ctx context.Context, key string, n int64) (int64, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return 0, err
	}
	if n == 0 {
		s, err := b.Get(ctx, key)
		if err != nil || s == nil {
			return 0, err
		}
		return kvstore.ParseCounter(*s)
	}
	cmd := goredis.NewIntCmd(ctx, "incrby", b.redisKey(key, valueKey), n)
	if err := b.roundTrip(ctx, cmd); err != nil {
		return 0, err
	}
	v, err := cmd.Result()
	if err != nil {
		return 0, mapError(key, err)
	}
	return v, nil
}
