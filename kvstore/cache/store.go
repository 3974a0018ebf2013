package cache

import (
	"container/list"
	"sync"
	"sync/atomic"
	"time"
)

// namespace separates what a key holds beside itself: its value (string, counter,
// set or hash) and its sorted set or sorted hash. A write to one never changes the
// other, so each is invalidated on its own.
type namespace uint8

const (
	valueNS namespace = iota
	sortedNS
)

// stateKey names what a write invalidates: one namespace of one key.
type stateKey struct {
	ns  namespace
	key string
}

// mode tells strongly and eventually consistent reads apart: they are cached apart.
type mode uint8

const (
	strong mode = iota
	eventual
)

// entryKey names one cached read within a stateKey: which read, with which arguments,
// in which consistency mode.
type entryKey struct {
	mode mode
	op   op
	arg  string
}

// entry is one cached read, an element of the LRU list.
type entry struct {
	sk    stateKey
	ek    entryKey
	value any
	// exp is when the value read expires (Unix ms of the backend's clock), 0 never.
	exp int64
}

// keyState is what the store knows of one stateKey: its cached reads and the
// generation counter that keeps a read racing a write from caching a stale value.
//
// gen grows when a write starts and when it ends; writers counts the writes in
// flight. A read remembers gen when it starts and stores its result only if gen has
// not moved and no write is in flight when it ends: otherwise a write overlapped it
// and its result may predate that write. readers counts the reads in flight, which
// keep the state (and so its gen) alive.
type keyState struct {
	gen     uint64
	writers int
	readers int
	entries map[entryKey]*list.Element
}

// ticket is a read in flight.
type ticket struct {
	sk    stateKey
	st    *keyState
	gen   uint64
	epoch uint64
}

// store holds the cached reads shared by a cache and its views: an LRU list bounded
// to max entries (0: unbounded), indexed by stateKey, under one mutex. The backend is
// never called with the mutex held.
type store struct {
	mu     sync.Mutex
	max    int
	lru    list.List // of *entry, most recently used first
	states map[stateKey]*keyState
	// epoch grows with every Reset; a read that started in an earlier epoch does not
	// store its result.
	epoch uint64

	// now is the backend's clock, against which entries expire.
	now func() time.Time

	hits, misses atomic.Int64
}

func newStore(max int, now func() time.Time) *store {
	return &store{max: max, states: make(map[stateKey]*keyState), now: now}
}

func (s *store) state(sk stateKey) *keyState {
	st := s.states[sk]
	if st == nil {
		st = &keyState{}
		s.states[sk] = st
	}
	return st
}

// forget drops st when nothing refers to it any more.
func (s *store) forget(sk stateKey, st *keyState) {
	if st.writers == 0 && st.readers == 0 && len(st.entries) == 0 {
		delete(s.states, sk)
	}
}

// lookup returns the first of candidates cached under sk, marking it recently used;
// when none is, it starts a read and returns its ticket, which the caller must end
// with endRead.
func (s *store) lookup(sk stateKey, candidates ...entryKey) (any, bool, ticket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(sk)
	for _, ek := range candidates {
		if el, ok := st.entries[ek]; ok {
			if e := el.Value.(*entry); e.exp != 0 && s.now().UnixMilli() >= e.exp {
				s.lru.Remove(el) // what it read has expired
				delete(st.entries, ek)
				continue
			}
			s.lru.MoveToFront(el)
			s.hits.Add(1)
			return el.Value.(*entry).value, true, ticket{}
		}
	}
	s.misses.Add(1)
	st.readers++
	return nil, false, ticket{sk: sk, st: st, gen: st.gen, epoch: s.epoch}
}

// endRead ends a read started by lookup. With ok, it caches value under ek, until
// exp (Unix ms, 0: no end), unless a write to the key started since the read did (or
// is still running), or the cache was reset.
func (s *store) endRead(t ticket, ek entryKey, value any, exp int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := t.st
	st.readers--
	if ok && st.gen == t.gen && st.writers == 0 && s.epoch == t.epoch {
		s.put(t.sk, st, ek, value, exp)
	}
	s.forget(t.sk, st)
}

// put caches value under (sk, ek), evicting the least recently used entries beyond
// the bound.
func (s *store) put(sk stateKey, st *keyState, ek entryKey, value any, exp int64) {
	if el, ok := st.entries[ek]; ok {
		e := el.Value.(*entry)
		e.value, e.exp = value, exp
		s.lru.MoveToFront(el)
		return
	}
	if st.entries == nil {
		st.entries = make(map[entryKey]*list.Element)
	}
	st.entries[ek] = s.lru.PushFront(&entry{sk: sk, ek: ek, value: value, exp: exp})
	for s.max > 0 && s.lru.Len() > s.max {
		e := s.lru.Remove(s.lru.Back()).(*entry)
		est := s.states[e.sk]
		delete(est.entries, e.ek)
		s.forget(e.sk, est)
	}
}

// drop removes every entry of st.
func (s *store) drop(st *keyState) {
	for ek, el := range st.entries {
		s.lru.Remove(el)
		delete(st.entries, ek)
	}
}

// beginWrite invalidates what a write to keys may change and marks the write in
// flight, so that no read overlapping it caches its result. keys must not repeat.
// Every beginWrite must be followed by endWrite with the same keys.
func (s *store) beginWrite(keys ...stateKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sk := range keys {
		st := s.state(sk)
		st.gen++
		st.writers++
		s.drop(st)
	}
}

// endWrite ends a write begun by beginWrite, invalidating its keys again.
func (s *store) endWrite(keys ...stateKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sk := range keys {
		st := s.states[sk]
		st.gen++
		st.writers--
		s.drop(st)
		s.forget(sk, st)
	}
}

// reset drops every entry and makes reads in flight forget their results.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	for sk, st := range s.states {
		s.drop(st)
		s.forget(sk, st)
	}
	s.lru.Init()
}

// len returns the number of cached reads.
func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}
