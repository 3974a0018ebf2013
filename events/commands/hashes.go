package commands

import (
	"context"
	"slices"

	"github.com/kvlambda/kvlambda/kvstore"
)

// hashPairs returns HSET's fields and values with repeated fields folded (the last
// value wins, as when Redis sets them in order).
func hashPairs(a []string) []kvstore.KeyValue {
	idx := make(map[string]int, len(a)/2)
	var out []kvstore.KeyValue
	for i := 0; i+1 < len(a); i += 2 {
		if j, ok := idx[a[i]]; ok {
			out[j].Value = a[i+1]
			continue
		}
		idx[a[i]] = len(out)
		out = append(out, kvstore.KeyValue{Key: a[i], Value: a[i+1]})
	}
	return out
}

// runHSet reads the hash to count the fields that are new (kvstore's HSet does not
// tell), then writes every field: two round trips; the count is exact unless another
// writer changes the same hash between the two.
func runHSet(ctx context.Context, x *Executor, a []string) Reply {
	key, fields := a[0], hashPairs(a[1:])
	if _, err := kvstore.HashFields(key, fields[0].Key, fields[0].Value, fields[1:]); err != nil {
		return FromError(err)
	}
	before, err := x.backend.HGetAll(ctx, key)
	if err != nil {
		return FromError(err)
	}
	n := int64(0)
	for _, f := range fields {
		if _, ok := before[f.Key]; !ok {
			n++
		}
	}
	if err := x.backend.HSet(ctx, key, fields[0].Key, fields[0].Value, fields[1:]...); err != nil {
		return FromError(err)
	}
	return n
}

// runHSetNX is one atomic write holding an HSetNX: its condition tells exactly
// whether the field was set.
func runHSetNX(ctx context.Context, x *Executor, a []string) Reply {
	w := x.backend.AtomicWrite()
	w.HSetNX(a[0], a[1], a[2])
	ok, err := w.Exec(ctx)
	if err != nil {
		return FromError(err)
	}
	return boolInt(ok)
}

func atomicHSetNX(_ context.Context, _ *Executor, a []string) (atomicPlan, *Error) {
	return atomicPlan{reply: int64(1), ops: []atomicOp{userCond(func(w kvstore.AtomicWriteOperation) kvstore.AtomicWriteResult {
		return w.HSetNX(a[0], a[1], a[2])
	})}}, nil
}

func runHGet(ctx context.Context, x *Executor, a []string) Reply {
	v, err := x.backend.HGet(ctx, a[0], a[1])
	if err != nil {
		return FromError(err)
	}
	return strPtr(v)
}

func runHMGet(ctx context.Context, x *Executor, a []string) Reply {
	h, err := x.backend.HGetAll(ctx, a[0])
	if err != nil {
		return FromError(err)
	}
	out := make([]Reply, len(a)-1)
	for i, f := range a[1:] {
		if v, ok := h[f]; ok {
			out[i] = v
		}
	}
	return out
}

// runHDel reads the hash to count the fields present, then removes them (same cost
// and caveat as HSET).
func runHDel(ctx context.Context, x *Executor, a []string) Reply {
	key := a[0]
	h, err := x.backend.HGetAll(ctx, key)
	if err != nil {
		return FromError(err)
	}
	var gone []string
	for _, f := range distinct(a[1:]) {
		if _, ok := h[f]; ok {
			gone = append(gone, f)
		}
	}
	if len(gone) == 0 {
		return int64(0)
	}
	if err := x.backend.HDel(ctx, key, gone[0], gone[1:]...); err != nil {
		return FromError(err)
	}
	return int64(len(gone))
}

// flatHash returns a hash as [field, value, ...] in field order.
func flatHash(h map[string]string) Reply {
	fields := make([]string, 0, len(h))
	for f := range h {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	out := make([]Reply, 0, 2*len(h))
	for _, f := range fields {
		out = append(out, f, h[f])
	}
	return out
}

func runHGetAll(ctx context.Context, x *Executor, a []string) Reply {
	h, err := x.backend.HGetAll(ctx, a[0])
	if err != nil {
		return FromError(err)
	}
	return flatHash(h)
}

func batchHGetAll(a []string) (batchPlan, bool) {
	return batchPlan{reads: a[:1], queue: func(b kvstore.BatchOperation) func() Reply {
		r := b.HGetAll(a[0])
		return func() Reply {
			h, err := r.Result()
			if err != nil {
				return FromError(err)
			}
			return flatHash(h)
		}
	}}, true
}

func runHExists(ctx context.Context, x *Executor, a []string) Reply {
	v, err := x.backend.HGet(ctx, a[0], a[1])
	if err != nil {
		return FromError(err)
	}
	return boolInt(v != nil)
}

func runHLen(ctx context.Context, x *Executor, a []string) Reply {
	h, err := x.backend.HGetAll(ctx, a[0])
	if err != nil {
		return FromError(err)
	}
	return int64(len(h))
}
