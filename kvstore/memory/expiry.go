package memory

import (
	"container/heap"
	"context"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// Expiry: each value and each sorted set holds exp, its expiry in Unix milliseconds
// (0: none). An expired key is absent to every read (which skips it under the read
// lock) and write (which reclaims it under the write lock). Each shard also keeps a
// min-heap of expiries: every write to the shard pops at most sweepPerWrite expired
// entries, and a goroutine that runs while some key has an expiry sweeps the shards
// that see no writes.

const (
	// sweepPerWrite bounds the expired keys a write reclaims besides its own.
	sweepPerWrite = 16
	// sweepPerTick bounds the expired keys the sweeper reclaims per shard and tick.
	sweepPerTick = 1024
	// sweepInterval is the sweeper's period.
	sweepInterval = time.Second
)

// expiry is a heap entry: key's value (or its sorted data) expires at exp.
type expiry struct {
	exp    int64
	key    string
	sorted bool
}

type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].exp < h[j].exp }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = expiry{}
	*h = old[:len(old)-1]
	return x
}

// nowMs returns the backend's time in Unix milliseconds.
func (b *Backend) nowMs() int64 {
	if b.clock != nil {
		return b.clock().UnixMilli()
	}
	return time.Now().UnixMilli()
}

func (b *Backend) now() time.Time {
	if b.clock != nil {
		return b.clock()
	}
	return time.Now()
}

// expired reports whether an expiry (0: none) has passed.
func (s *shard) expired(exp int64) bool {
	return exp != 0 && exp <= s.b.nowMs()
}

// lock takes the shard's write lock; unlock sweeps a few expired keys and releases it.
func (s *shard) lock() { s.mu.Lock() }

func (s *shard) unlock() {
	if len(s.expiries) > 0 {
		s.sweep(s.b.nowMs(), sweepPerWrite)
	}
	s.mu.Unlock()
}

// sweep reclaims at most max keys whose expiry has passed at now, under the write
// lock.
func (s *shard) sweep(now int64, max int) {
	h := (*expiryHeap)(&s.expiries)
	for n := 0; n < max && len(s.expiries) > 0 && s.expiries[0].exp <= now; n++ {
		e := heap.Pop(h).(expiry)
		if e.sorted {
			if z := s.sorted[e.key]; z != nil && z.exp == e.exp {
				delete(s.sorted, e.key)
			}
		} else if v := s.values[e.key]; v != nil && v.exp == e.exp {
			delete(s.values, e.key)
		}
	}
}

// track records that key's value (or sorted data) expires at exp, under the write
// lock.
func (s *shard) track(key string, exp int64, sorted bool) {
	if exp == 0 {
		return
	}
	if n := len(s.expiries); n >= 64 && n > 2*(len(s.values)+len(s.sorted)) {
		s.compact()
	}
	heap.Push((*expiryHeap)(&s.expiries), expiry{exp: exp, key: key, sorted: sorted})
	s.b.startSweeper()
}

// compact drops the heap's stale entries, so that re-expiring a key again and again
// does not grow it.
func (s *shard) compact() {
	kept := s.expiries[:0]
	for _, e := range s.expiries {
		live := false
		if e.sorted {
			z := s.sorted[e.key]
			live = z != nil && z.exp == e.exp
		} else {
			v := s.values[e.key]
			live = v != nil && v.exp == e.exp
		}
		if live {
			kept = append(kept, e)
		}
	}
	clear(s.expiries[len(kept):])
	s.expiries = kept
	heap.Init((*expiryHeap)(&s.expiries))
}

// readValue returns key's value, nil when absent or expired (under either lock), and
// records when it expires in ctx's expiry report, if any (kvstore/cache asks).
func (s *shard) readValue(ctx context.Context, key string) *value {
	v := s.get(key)
	if rep := expiryreport.FromContext(ctx); rep != nil {
		rep.Record(key, false, v.expiry())
	}
	return v
}

// expiry returns when v expires (Unix ms): 0 when it does not or v is nil.
func (v *value) expiry() int64 {
	if v == nil {
		return 0
	}
	return v.exp
}

// get returns key's value, nil when absent or expired (under either lock).
func (s *shard) get(key string) *value {
	v := s.values[key]
	if v != nil && s.expired(v.exp) {
		return nil
	}
	return v
}

// take returns key's value, nil when absent; under the write lock, it reclaims an
// expired one.
func (s *shard) take(key string) *value {
	v := s.values[key]
	if v != nil && s.expired(v.exp) {
		delete(s.values, key)
		return nil
	}
	return v
}

// zget returns key's sorted data, nil when absent or expired (under either lock).
func (s *shard) zget(key string) *zset {
	z := s.sorted[key]
	if z != nil && s.expired(z.exp) {
		return nil
	}
	return z
}

// ztake returns key's sorted data, nil when absent; under the write lock, it
// reclaims expired data.
func (s *shard) ztake(key string) *zset {
	z := s.sorted[key]
	if z != nil && s.expired(z.exp) {
		delete(s.sorted, key)
		return nil
	}
	return z
}

// startSweeper starts the sweeper unless it runs.
func (b *Backend) startSweeper() {
	if b.sweeping.CompareAndSwap(false, true) {
		go b.sweeper()
	}
}

// sweeper reclaims expired keys every sweepInterval, and exits once no key has an
// expiry left.
func (b *Backend) sweeper() {
	t := time.NewTicker(b.sweepEvery)
	defer t.Stop()
	for range t.C {
		if b.sweepAll() {
			continue
		}
		b.sweeping.Store(false)
		// A key may have gained an expiry since sweepAll looked, while sweeping was
		// still set: then go on, unless another sweeper has started.
		if !b.anyExpiries() || !b.sweeping.CompareAndSwap(false, true) {
			return
		}
	}
}

// sweepAll sweeps every shard and reports whether any expiry is left.
func (b *Backend) sweepAll() bool {
	left := false
	for i := range b.shards {
		s := &b.shards[i]
		s.mu.Lock()
		if len(s.expiries) > 0 {
			s.sweep(b.nowMs(), sweepPerTick)
			if len(s.expiries) > 0 && len(s.expiries) > 2*(len(s.values)+len(s.sorted)) {
				s.compact()
			}
			left = left || len(s.expiries) > 0
		}
		s.mu.Unlock()
	}
	return left
}

func (b *Backend) anyExpiries() bool {
	for i := range b.shards {
		s := &b.shards[i]
		s.mu.RLock()
		n := len(s.expiries)
		s.mu.RUnlock()
		if n > 0 {
			return true
		}
	}
	return false
}

// setValueExp sets key's value's expiry (0: none), under the write lock.
func (s *shard) setValueExp(key string, v *value, exp int64) {
	v.exp = exp
	s.track(key, exp, false)
}

// setKeyExp sets the expiry of key's value and sorted data, whichever exist, or
// deletes both when exp has passed at now. It reports whether the key exists.
func (s *shard) setKeyExp(key string, exp, now int64) bool {
	v, z := s.take(key), s.ztake(key)
	if v == nil && z == nil {
		return false
	}
	if exp != 0 && exp <= now {
		delete(s.values, key)
		delete(s.sorted, key)
		return true
	}
	if v != nil {
		s.setValueExp(key, v, exp)
	}
	if z != nil {
		z.exp = exp
		s.track(key, exp, true)
	}
	return true
}

// keyExp returns key's expiry as TTL sees it: the value's when it has one, else the
// sorted data's, and whether the key exists.
func (s *shard) keyExp(key string) (int64, bool) {
	if v := s.get(key); v != nil {
		return v.exp, true
	}
	if z := s.zget(key); z != nil {
		return z.exp, true
	}
	return 0, false
}

// SetArgs implements kvstore.Backend.
func (b *Backend) SetArgs(ctx context.Context, key string, val any, a kvstore.SetArgs) (kvstore.SetResult, error) {
	if err := begin(ctx, key); err != nil {
		return kvstore.SetResult{}, err
	}
	now := b.nowMs()
	exp, keep, err := kvstore.ExpiryMillis(time.UnixMilli(now), a)
	if err != nil {
		return kvstore.SetResult{}, err
	}
	str, err := stringValue(key, val)
	if err != nil {
		return kvstore.SetResult{}, err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	v := s.take(key)
	var res kvstore.SetResult
	if a.Get && v != nil {
		if v.kind != kindString {
			return kvstore.SetResult{}, kvstore.WrongTypef(key)
		}
		old := v.str
		res.Old = &old
	}
	switch {
	case a.Mode == kvstore.SetIfAbsent && v != nil, a.Mode == kvstore.SetIfPresent && v == nil:
		return res, nil
	}
	res.Done = true
	if keep && v != nil {
		exp = v.exp
	}
	if exp != 0 && exp <= now {
		delete(s.values, key)
		return res, nil
	}
	nv := &value{kind: kindString, str: str}
	s.put(key, nv)
	s.setValueExp(key, nv, exp)
	return res, nil
}

// SetEX implements kvstore.Backend.
func (b *Backend) SetEX(ctx context.Context, key string, val any, ttl time.Duration) error {
	if _, err := kvstore.TTLMillis(ttl); err != nil {
		return err
	}
	_, err := b.SetArgs(ctx, key, val, kvstore.SetArgs{TTL: ttl})
	return err
}

// SetNXEX implements kvstore.Backend.
func (b *Backend) SetNXEX(ctx context.Context, key string, val any, ttl time.Duration) (bool, error) {
	if _, err := kvstore.TTLMillis(ttl); err != nil {
		return false, err
	}
	r, err := b.SetArgs(ctx, key, val, kvstore.SetArgs{Mode: kvstore.SetIfAbsent, TTL: ttl})
	return r.Done, err
}

// GetEx implements kvstore.Backend.
func (b *Backend) GetEx(ctx context.Context, key string, a kvstore.GetExArgs) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	n := 0
	if a.TTL != 0 {
		n++
	}
	if !a.ExpireAt.IsZero() {
		n++
	}
	if a.Persist {
		n++
	}
	if n > 1 {
		return nil, kvstore.InvalidArgumentf("GetEx: at most one of TTL, ExpireAt and Persist")
	}
	now := b.nowMs()
	var exp int64
	switch {
	case a.TTL != 0:
		ms, err := kvstore.TTLMillis(a.TTL)
		if err != nil {
			return nil, err
		}
		exp = now + ms
	case !a.ExpireAt.IsZero():
		exp = a.ExpireAt.UnixMilli()
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	v := s.take(key)
	if v == nil {
		return nil, nil
	}
	if v.kind != kindString {
		return nil, kvstore.WrongTypef(key)
	}
	out := v.str
	switch {
	case n == 0:
	case exp != 0 && exp <= now:
		delete(s.values, key)
	default:
		s.setValueExp(key, v, exp) // Persist: exp is 0
	}
	return &out, nil
}

// GetDel implements kvstore.Backend.
func (b *Backend) GetDel(ctx context.Context, key string) (*string, error) {
	if err := begin(ctx, key); err != nil {
		return nil, err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	v := s.take(key)
	if v == nil {
		return nil, nil
	}
	if v.kind != kindString {
		return nil, kvstore.WrongTypef(key)
	}
	out := v.str
	delete(s.values, key)
	return &out, nil
}

// Expire implements kvstore.Backend.
func (b *Backend) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	now := b.nowMs()
	return b.expireAt(ctx, key, now+ttl.Milliseconds(), now, kvstore.ExpireAlways)
}

// ExpireAt implements kvstore.Backend.
func (b *Backend) ExpireAt(ctx context.Context, key string, at time.Time) (bool, error) {
	return b.expireAt(ctx, key, at.UnixMilli(), b.nowMs(), kvstore.ExpireAlways)
}

// ExpireAtIf implements kvstore.Backend.
func (b *Backend) ExpireAtIf(ctx context.Context, key string, at time.Time, cond kvstore.ExpireCondition) (bool, error) {
	if cond < kvstore.ExpireAlways || cond > kvstore.ExpireLT {
		return false, kvstore.InvalidArgumentf("unknown expire condition %d", int(cond))
	}
	return b.expireAt(ctx, key, at.UnixMilli(), b.nowMs(), cond)
}

// expireAt makes key expire at exp (Unix ms; at or before now deletes it) when cond
// allows, and reports whether it did.
func (b *Backend) expireAt(ctx context.Context, key string, exp, now int64, cond kvstore.ExpireCondition) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	if exp < 1 {
		exp = 1 // long passed, but not 0, which means no expiry
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	cur, ok := s.keyExp(key)
	if !ok || !kvstore.ExpireAllowed(cond, cur, exp) {
		return false, nil
	}
	return s.setKeyExp(key, exp, now), nil
}

// Persist implements kvstore.Backend.
func (b *Backend) Persist(ctx context.Context, key string) (bool, error) {
	if err := begin(ctx, key); err != nil {
		return false, err
	}
	s := b.shard(key)
	s.lock()
	defer s.unlock()
	v, z := s.take(key), s.ztake(key)
	had := false
	if v != nil && v.exp != 0 {
		v.exp, had = 0, true
	}
	if z != nil && z.exp != 0 {
		z.exp, had = 0, true
	}
	return had, nil
}

// TTL implements kvstore.Backend.
func (b *Backend) TTL(ctx context.Context, key string) (time.Duration, error) {
	if err := begin(ctx, key); err != nil {
		return 0, err
	}
	s := b.shard(key)
	s.mu.RLock()
	exp, ok := s.keyExp(key)
	s.mu.RUnlock()
	if !ok {
		return kvstore.KeyAbsent, nil
	}
	return kvstore.RemainingTTL(b.now(), exp), nil
}

// Now returns the backend's time: WithClock's, or time.Now. A read cache
// (kvstore/cache) compares the expiries the backend reports against it.
func (b *Backend) Now() time.Time { return b.now() }
