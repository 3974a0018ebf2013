package kvstore

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidArgument is the kind of every error for input the API refuses: a bad
	// key, value type, score, bound or size, too many operations, or two operations on
	// one item in an atomic write. Nothing is written when it is returned.
	ErrInvalidArgument = errors.New("kvstore: invalid argument")

	// ErrWrongType is the kind of the error returned when an operation meets a key that
	// holds another kind of value (SAdd on a string, Get on a hash), as Redis' WRONGTYPE.
	ErrWrongType = errors.New("kvstore: operation against a key holding the wrong kind of value")

	// ErrNotInteger is the kind of the error NIncrBy returns when the key holds a string
	// that is not a decimal int64, or when the result would overflow.
	ErrNotInteger = errors.New("kvstore: value is not an integer or out of range")

	// ErrAtomicWriteConflict is the kind of the error an atomic write returns when it
	// lost a race with another transaction (not a failed condition): retry it.
	ErrAtomicWriteConflict = errors.New("kvstore: atomic write conflict")

	// ErrOutcomeUnknown is the kind of the error a write returns when it may or may not
	// have been applied: the request may have reached the store, but its answer was
	// lost (a connection cut after sending, a server error, a deadline while waiting).
	// Backends never send such a write again on their own when that could apply it
	// twice or change its answer (NIncrBy, ZIncrBy, conditional writes, atomic writes
	// without an idempotency token): read the data to learn what happened before
	// retrying. Context errors stay visible through errors.Is.
	ErrOutcomeUnknown = errors.New("kvstore: outcome unknown: the write may or may not have been applied")
)

// OutcomeUnknown returns err marked as ErrOutcomeUnknown (nil stays nil; an error
// already marked is returned as is).
func OutcomeUnknown(err error) error {
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
}

// IsAtomicWriteConflict reports whether err means an atomic write was refused for
// contention (DynamoDB's TransactionConflict), not for a failed condition.
func IsAtomicWriteConflict(err error) bool {
	return errors.Is(err, ErrAtomicWriteConflict)
}

// invalidf returns an ErrInvalidArgument with a message.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// InvalidArgumentf returns an error of kind ErrInvalidArgument with the message given.
func InvalidArgumentf(format string, args ...any) error { return invalidf(format, args...) }

// WrongTypef returns an error of kind ErrWrongType naming the key.
func WrongTypef(key string) error {
	return fmt.Errorf("%w: key %q", ErrWrongType, truncate(key))
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
