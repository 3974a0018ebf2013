package commands

import (
	"context"
	"slices"

	"github.com/kvlambda/kvlambda/kvstore"
)

// members reads a set as a lookup table.
func (x *Executor) members(ctx context.Context, key string) (map[string]struct{}, *Error) {
	ms, err := x.backend.SMembers(ctx, key)
	if err != nil {
		return nil, FromError(err)
	}
	set := make(map[string]struct{}, len(ms))
	for _, m := range ms {
		set[m] = struct{}{}
	}
	return set, nil
}

// runSAdd reads the set to count the members that are new (kvstore's SAdd does not
// tell), then adds them: two round trips; the count is exact unless another writer
// changes the same set between the two.
func runSAdd(ctx context.Context, x *Executor, a []string) Reply {
	key, ms := a[0], distinct(a[1:])
	for _, m := range ms {
		if err := kvstore.ValidateSetMember(m); err != nil {
			return FromError(err)
		}
	}
	before, e := x.members(ctx, key)
	if e != nil {
		return e
	}
	var added []string
	for _, m := range ms {
		if _, ok := before[m]; !ok {
			added = append(added, m)
		}
	}
	if len(added) == 0 {
		return int64(0)
	}
	if err := x.backend.SAdd(ctx, key, added[0], anys(added[1:])...); err != nil {
		return FromError(err)
	}
	return int64(len(added))
}

// runSRem reads the set to count the members present, then removes them (same cost
// and caveat as SADD).
func runSRem(ctx context.Context, x *Executor, a []string) Reply {
	key, ms := a[0], distinct(a[1:])
	before, e := x.members(ctx, key)
	if e != nil {
		return e
	}
	var gone []string
	for _, m := range ms {
		if _, ok := before[m]; ok {
			gone = append(gone, m)
		}
	}
	if len(gone) == 0 {
		return int64(0)
	}
	if err := x.backend.SRem(ctx, key, gone[0], anys(gone[1:])...); err != nil {
		return FromError(err)
	}
	return int64(len(gone))
}

// sortedMembers returns a set's members in byte order (kvstore's order is
// unspecified; a stable order is kinder to clients and tests).
func sortedMembers(ms []string) Reply {
	slices.Sort(ms)
	out := make([]Reply, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

func runSMembers(ctx context.Context, x *Executor, a []string) Reply {
	ms, err := x.backend.SMembers(ctx, a[0])
	if err != nil {
		return FromError(err)
	}
	return sortedMembers(ms)
}

func batchSMembers(a []string) (batchPlan, bool) {
	return batchPlan{reads: a[:1], queue: func(b kvstore.BatchOperation) func() Reply {
		r := b.SMembers(a[0])
		return func() Reply {
			ms, err := r.Result()
			if err != nil {
				return FromError(err)
			}
			return sortedMembers(ms)
		}
	}}, true
}

func runSIsMember(ctx context.Context, x *Executor, a []string) Reply {
	set, e := x.members(ctx, a[0])
	if e != nil {
		return e
	}
	_, ok := set[a[1]]
	return boolInt(ok)
}

func runSCard(ctx context.Context, x *Executor, a []string) Reply {
	ms, err := x.backend.SMembers(ctx, a[0])
	if err != nil {
		return FromError(err)
	}
	return int64(len(ms))
}
