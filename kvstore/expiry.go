package kvstore

import (
	"context"
	"time"
)

// TTL's answers for keys without a remaining time, as go-redis gives them.
const (
	// NoExpiry is TTL's answer for a key that exists and does not expire.
	NoExpiry time.Duration = -1
	// KeyAbsent is TTL's answer for a key that does not exist (or has expired).
	KeyAbsent time.Duration = -2
)

// SetMode is SetArgs' condition.
type SetMode string

// The SetArgs conditions.
const (
	// SetAlways sets the key whatever it holds.
	SetAlways SetMode = ""
	// SetIfAbsent (NX) sets the key only if it is absent.
	SetIfAbsent SetMode = "NX"
	// SetIfPresent (XX) sets the key only if it is present.
	SetIfPresent SetMode = "XX"
)

// SetArgs are the options of Backend.SetArgs, after go-redis' SetArgs. At most one of
// TTL, ExpireAt and KeepTTL may be set; none means the key does not expire.
type SetArgs struct {
	// Mode is the condition: SetAlways, SetIfAbsent or SetIfPresent.
	Mode SetMode
	// TTL, when positive, expires the key TTL from now (whole milliseconds; less than
	// one is an ErrInvalidArgument, as is a negative TTL).
	TTL time.Duration
	// ExpireAt, when not zero, expires the key at that time (whole milliseconds). A
	// time that has passed sets a key that is absent at once.
	ExpireAt time.Time
	// KeepTTL keeps the key's current expiry; without it the value set does not expire
	// (unless TTL or ExpireAt says so).
	KeepTTL bool
	// Get asks for the key's string before the call (SetResult.Old). A key holding
	// another kind is then an ErrWrongType, and nothing is written.
	Get bool
}

// SetResult is what Backend.SetArgs reports.
type SetResult struct {
	// Done reports whether the value was written: false when Mode's condition failed.
	Done bool
	// Old is, when SetArgs.Get was set, the key's string before the call (nil when
	// the key was absent).
	Old *string
}

// GetExArgs are the options of Backend.GetEx: at most one of TTL, ExpireAt and
// Persist; none only reads.
type GetExArgs struct {
	// TTL, when positive, expires the key TTL from now.
	TTL time.Duration
	// ExpireAt, when not zero, expires the key then (a passed time deletes it).
	ExpireAt time.Time
	// Persist removes the key's expiry.
	Persist bool
}

// ExpireCondition is ExpireAtIf's condition, as Redis' EXPIRE options.
type ExpireCondition int

// The ExpireAtIf conditions. GT and LT count a key without expiry as expiring never.
const (
	// ExpireAlways sets the expiry whatever the key's current one.
	ExpireAlways ExpireCondition = iota
	// ExpireNX sets it only when the key has no expiry.
	ExpireNX
	// ExpireXX sets it only when the key has an expiry.
	ExpireXX
	// ExpireGT sets it only when the new expiry is later than the current one.
	ExpireGT
	// ExpireLT sets it only when the new expiry is earlier than the current one.
	ExpireLT
)

// Expirer is the expiry part of Backend: every backend and wrapper implements it.
type Expirer interface {
	// SetArgs stores value at key with a condition, an expiry and optionally the old
	// string back; see SetArgs.
	SetArgs(ctx context.Context, key string, value any, a SetArgs) (SetResult, error)
	// SetEX stores value at key, expiring ttl from now (SET key value PX ttl).
	SetEX(ctx context.Context, key string, value any, ttl time.Duration) error
	// SetNXEX stores value at key, expiring ttl from now, only if key is absent, and
	// reports whether it did: the lock idiom.
	SetNXEX(ctx context.Context, key string, value any, ttl time.Duration) (bool, error)
	// GetEx returns the string at key (nil when absent) and changes its expiry as a
	// says.
	GetEx(ctx context.Context, key string, a GetExArgs) (*string, error)
	// GetDel returns the string at key (nil when absent) and deletes it.
	GetDel(ctx context.Context, key string) (*string, error)
	// Expire makes key expire ttl from now and reports whether key exists; a ttl of
	// zero or less deletes it.
	Expire(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// ExpireAt makes key expire at a time and reports whether key exists; a time that
	// has passed deletes it.
	ExpireAt(ctx context.Context, key string, at time.Time) (bool, error)
	// ExpireAtIf is ExpireAt under a condition on the key's current expiry, and
	// reports whether it set the expiry (false for an absent key or a failed
	// condition).
	ExpireAtIf(ctx context.Context, key string, at time.Time, cond ExpireCondition) (bool, error)
	// Persist removes key's expiry and reports whether it had one.
	Persist(ctx context.Context, key string) (bool, error)
	// TTL returns the time key has left (whole milliseconds), NoExpiry, or KeyAbsent.
	TTL(ctx context.Context, key string) (time.Duration, error)
}

// ExpiryMillis returns the Unix milliseconds at which a key set with a expires, given
// the current time: 0 with keep false for no expiry, 0 with keep true for KeepTTL. It
// returns an ErrInvalidArgument for a negative or sub-millisecond TTL, more than one
// of TTL, ExpireAt and KeepTTL, or an unknown Mode. Backends call it before sending
// anything.
func ExpiryMillis(now time.Time, a SetArgs) (at int64, keep bool, err error) {
	switch a.Mode {
	case SetAlways, SetIfAbsent, SetIfPresent:
	default:
		return 0, false, InvalidArgumentf("set mode %q: want \"\", \"NX\" or \"XX\"", string(a.Mode))
	}
	n := 0
	if a.TTL != 0 {
		n++
	}
	if !a.ExpireAt.IsZero() {
		n++
	}
	if a.KeepTTL {
		n++
	}
	if n > 1 {
		return 0, false, InvalidArgumentf("at most one of TTL, ExpireAt and KeepTTL")
	}
	switch {
	case a.TTL != 0:
		ms, err := TTLMillis(a.TTL)
		if err != nil {
			return 0, false, err
		}
		return now.UnixMilli() + ms, false, nil
	case !a.ExpireAt.IsZero():
		return a.ExpireAt.UnixMilli(), false, nil
	}
	return 0, a.KeepTTL, nil
}

// TTLMillis returns ttl in whole milliseconds, or an ErrInvalidArgument when it is
// less than one millisecond (Redis: "invalid expire time").
func TTLMillis(ttl time.Duration) (int64, error) {
	ms := ttl.Milliseconds()
	if ms < 1 {
		return 0, InvalidArgumentf("invalid expire time %v: want at least 1ms", ttl)
	}
	return ms, nil
}

// RemainingTTL turns an expiry in Unix milliseconds (0: none) into TTL's answer at
// now, for a key that exists: NoExpiry, or the time left (at least a millisecond).
func RemainingTTL(now time.Time, atMillis int64) time.Duration {
	if atMillis == 0 {
		return NoExpiry
	}
	left := atMillis - now.UnixMilli()
	if left < 1 {
		left = 1 // not expired yet as the caller saw it
	}
	return time.Duration(left) * time.Millisecond
}

// ExpireAllowed reports whether ExpireAtIf's condition allows replacing the current
// expiry (Unix ms, 0: none) by at.
func ExpireAllowed(cond ExpireCondition, current, at int64) bool {
	switch cond {
	case ExpireNX:
		return current == 0
	case ExpireXX:
		return current != 0
	case ExpireGT:
		return current != 0 && at > current
	case ExpireLT:
		return current == 0 || at < current
	}
	return true
}
