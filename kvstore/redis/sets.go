package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// SAdd implements kvstore.Backend with the write script, which checks the set's
// type and that it stays within kvstore.MaxItemSize.
func (b *Backend) SAdd(ctx context.Context, key string, member any, members ...any) error {
	ms, err := setArgs(key, member, members)
	if err != nil {
		return err
	}
	c := b.newWriteCall()
	c.sadd(key, ms)
	_, err = c.run(ctx)
	return err
}

// SRem implements kvstore.Backend with the write script.
func (b *Backend) SRem(ctx context.Context, key string, member any, members ...any) error {
	ms, err := setArgs(key, member, members)
	if err != nil {
		return err
	}
	c := b.newWriteCall()
	c.srem(key, ms)
	_, err = c.run(ctx)
	return err
}

// SMembers implements kvstore.Backend with SMEMBERS.
func (b *Backend) SMembers(ctx context.Context, key string) ([]string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, err
	}
	cmd := goredis.NewStringSliceCmd(ctx, "smembers", b.redisKey(key, valueKey))
	if err := b.readRoundTrip(ctx, key, valueKey, cmd); err != nil {
		return nil, err
	}
	v, err := cmd.Result()
	if err != nil {
		return nil, mapError(key, err)
	}
	return v, nil
}

// setArgs validates an SAdd's or SRem's key and members.
func setArgs(key string, member any, members []any) ([]string, error) {
	if err := kvstore.ValidateKey(key); err != nil {
		return nil, err
	}
	return kvstore.SetMembers(key, member, members)
}
