package redis

import (
	"errors"
	"net"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// go-redis sends a command again when the connection breaks after sending it
// (Options.MaxRetries, 3 by default). That is harmless for reads and for batches
// (pipelines of writes that may be applied twice), but a resent INCRBY, ZINCRBY or
// write script would apply twice, and a resent SET NX, SetEQ or Delete would answer
// as if another writer had won. So every single write is sent as a command go-redis
// never resends once it may have reached Redis (its NoRetry, honoured since go-redis
// v9.18: a failure before the command was written is still retried), and a failure
// after which it may have been applied is returned as kvstore.ErrOutcomeUnknown.

// noRetry is a command go-redis must not send twice.
type noRetry struct{ goredis.Cmder }

// NoRetry implements goredis.Cmder.
func (noRetry) NoRetry() bool { return true }

// readOnly reports whether a single command only reads (or, as SCRIPT LOAD, may run
// twice), so that go-redis may resend it: the reads the backend sends alone, and the
// range script.
func readOnly(cmd goredis.Cmder) bool {
	switch cmd.Name() {
	case "get", "hget", "hgetall", "smembers", "zscore", "zcount", "zlexcount", "exists", "ping", "script":
		return true
	case "evalsha", "eval":
		args := cmd.Args()
		if len(args) < 2 {
			return false
		}
		s, _ := args[1].(string)
		return s == rangeScript.Hash() || s == rangeLua
	}
	return false
}

// mayHaveApplied reports whether a write's error leaves its outcome unknown: any
// error but a reply from Redis, a connection that was never made, or a client that
// was closed or had no free connection.
func mayHaveApplied(err error) bool {
	if err == nil || errors.Is(err, goredis.Nil) {
		return false
	}
	var rerr goredis.Error
	if errors.As(err, &rerr) {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	return !errors.Is(err, goredis.ErrClosed) && !errors.Is(err, goredis.ErrPoolTimeout) &&
		!errors.Is(err, goredis.ErrPoolExhausted)
}

// markUnknown marks err as kvstore.ErrOutcomeUnknown when it leaves a write's
// outcome unknown.
func markUnknown(err error) error {
	if mayHaveApplied(err) {
		return kvstore.OutcomeUnknown(err)
	}
	return err
}
