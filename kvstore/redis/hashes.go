package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// HSet implements kvstore.Backend with the write script, which checks the hash's
// type and that it stays within kvstore.MaxItemSize.
func (b *Backend) HSet(ctx context.Context, key, field string, value any, fields ...kvstore.KeyValue) error {
	if err := kvstore.ValidateKey(key); err != nil {
		return err
	}
	hf, err := kvstore.HashFields(key, field, value, fields)
	if err != nil {
		return err
	}
	c := b.newWriteCall()
	c.hset(key, "", hf)
	_, err = c.run(ctx)
	return err
}

// HDel implements kvstore.Backend with the write script.
func (b *Backend) HDel(ctx context.Context, key, field string, fields ...string) error {
	if err := kvstore.ValidateKey(key); err != nil {
		return err
	}
	all := append([]string{field}, fields...)
	for _, f := range all {
		if err := kvstore.ValidateHashField(f); err != nil {
			return err
		}
	}
	c := b.newWriteCall()
	c.hdel(key, all)
	_, err := c.run(ctx)
	return err
}

// HGet implements kvstore.Backend with HGET.
func (b *Backend) HGet(ctx context.Context, key, field string) (*string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, err
	}
	if err := kvstore.ValidateHashField(field); err != nil {
		return nil, err
	}
	cmd := goredis.NewStringCmd(ctx, "hget", b.redisKey(key, valueKey), field)
	if err := b.readRoundTrip(ctx, key, valueKey, cmd); err != nil {
		return nil, err
	}
	return optionalString(key, cmd)
}

// HGetAll implements kvstore.Backend with HGETALL.
func (b *Backend) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, err
	}
	cmd := goredis.NewMapStringStringCmd(ctx, "hgetall", b.redisKey(key, valueKey))
	if err := b.readRoundTrip(ctx, key, valueKey, cmd); err != nil {
		return nil, err
	}
	v, err := cmd.Result()
	if err != nil {
		return nil, mapError(key, err)
	}
	return v, nil
}
