package redis

import (
	"errors"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// mapError turns the error of a command on key into kvstore's kinds: WRONGTYPE is an
// ErrWrongType, Redis' integer errors an ErrNotInteger, a NaN score an
// ErrInvalidArgument, CROSSSLOT an ErrCrossSlot. Connection and context errors are
// wrapped (errors.Is still finds context.DeadlineExceeded).
func mapError(key string, err error) error {
	if err == nil {
		return nil
	}
	var rerr goredis.Error
	if !errors.As(err, &rerr) {
		return fmt.Errorf("kvstore/redis: %w", err)
	}
	msg := rerr.Error()
	switch {
	case strings.HasPrefix(msg, "WRONGTYPE"):
		return kvstore.WrongTypef(key)
	case strings.HasPrefix(msg, "ERR value is not an integer"),
		strings.HasPrefix(msg, "ERR increment or decrement would overflow"):
		return fmt.Errorf("%w: key %q: %s", kvstore.ErrNotInteger, truncate(key), msg)
	case strings.Contains(msg, "not a number (NaN)"):
		return fmt.Errorf("%w: key %q: %s", kvstore.ErrInvalidArgument, truncate(key), msg)
	case strings.HasPrefix(msg, "CROSSSLOT"):
		return fmt.Errorf("%w: %w: %s", kvstore.ErrInvalidArgument, ErrCrossSlot, msg)
	}
	return fmt.Errorf("kvstore/redis: key %q: %w", truncate(key), err)
}

// isNoScript reports whether err is Redis' NOSCRIPT: the script cache does not hold
// the script (first use, restart or SCRIPT FLUSH).
func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}
