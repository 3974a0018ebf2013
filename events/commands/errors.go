package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kvlambda/kvlambda/kvstore"
)

// Error is an error reply: Msg is the Redis error text sent to the client
// ("ERR syntax error", "WRONGTYPE ..."). An internal error's cause is kept for the log
// only (Unwrap) and its Msg is "ERR internal error".
type Error struct {
	// Msg is the text the client sees, starting with the error code (ERR, WRONGTYPE,
	// EXECABORT, NOPERM).
	Msg string
	// Internal is true when the error is the server's fault (a backend failure), not
	// the request's.
	Internal bool
	cause    error
}

// Error returns the Redis error text.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the error behind an internal error, for the log.
func (e *Error) Unwrap() error { return e.cause }

// Errorf returns an error reply with a formatted text, which must start with a Redis
// error code such as ERR.
func Errorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// The Redis error texts used in more than one place.
const (
	msgSyntax      = "ERR syntax error"
	msgNotInteger  = "ERR value is not an integer or out of range"
	msgNotFloat    = "ERR value is not a valid float"
	msgWrongType   = "WRONGTYPE Operation against a key holding the wrong kind of value"
	msgRangeFloat  = "ERR min or max is not a float"
	msgRangeLex    = "ERR min or max not valid string range item"
	msgInternal    = "ERR internal error"
	msgTimeout     = "ERR request cancelled or timed out"
	msgConflict    = "ERR transaction conflict with a concurrent write, retry"
	msgExecAbort   = "EXECABORT Transaction discarded because a condition failed"
	msgExecAbortOf = "EXECABORT Transaction discarded because of: "
)

var (
	errSyntax = &Error{Msg: msgSyntax}
	// errIFEQExpiry answers SET IFEQ with an expiry option: kvstore's compare-and-set
	// (SetEQ) does not set an expiry, and a syntax error would send the user looking
	// for a typo.
	errIFEQExpiry = &Error{Msg: "ERR IFEQ cannot be combined with EX, PX, EXAT, PXAT or KEEPTTL in kvlambda"}
	errNotInteger = &Error{Msg: msgNotInteger}
	errNotFloat   = &Error{Msg: msgNotFloat}
	errWrongType  = &Error{Msg: msgWrongType}
)

func errWrongArgs(name string) *Error {
	return Errorf("ERR wrong number of arguments for '%s' command", strings.ToLower(name))
}

// FromError maps an error returned by a kvstore backend to an error reply:
// ErrWrongType to WRONGTYPE, ErrNotInteger to "ERR value is not an integer or out of
// range", ErrInvalidArgument to "ERR invalid argument: ..." (the validation message,
// which describes the request), cancellation to a timeout text, and anything else to
// "ERR internal error" with the cause kept for the log.
func FromError(err error) *Error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	case errors.Is(err, kvstore.ErrWrongType):
		return errWrongType
	case errors.Is(err, kvstore.ErrNotInteger):
		return errNotInteger
	case errors.Is(err, kvstore.ErrInvalidArgument):
		msg := err.Error()
		const marker = "invalid argument"
		if i := strings.Index(msg, marker); i >= 0 {
			msg = msg[i:]
		}
		return &Error{Msg: "ERR " + msg}
	case kvstore.IsAtomicWriteConflict(err):
		return &Error{Msg: msgConflict, Internal: true, cause: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Error{Msg: msgTimeout, Internal: true, cause: err}
	}
	return &Error{Msg: msgInternal, Internal: true, cause: err}
}
