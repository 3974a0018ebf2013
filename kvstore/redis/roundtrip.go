package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
)

// roundTrip sends cmds in one round trip (the command alone, or a pipeline of all
// of them) and waits for the replies, which the caller then reads from cmds. It
// returns an error only when ctx ended first (or had ended already): the commands may
// still reach Redis then, their replies are dropped, and the caller must not read
// cmds.
//
// A single write is never resent by go-redis once it may have reached Redis, and
// its error, or the context's when it ended while the write was in flight, is then
// marked kvstore.ErrOutcomeUnknown (see resend.go).
func (b *Backend) roundTrip(ctx context.Context, cmds ...goredis.Cmder) error {
	if len(cmds) == 1 && !readOnly(cmds[0]) {
		if err := ctx.Err(); err != nil {
			return err
		}
		cmd := cmds[0]
		err := b.call(ctx, cmds, func(ctx context.Context) {
			_ = b.client.Process(ctx, noRetry{cmd})
		})
		if err != nil {
			return kvstore.OutcomeUnknown(err)
		}
		if err := cmd.Err(); mayHaveApplied(err) {
			cmd.SetErr(kvstore.OutcomeUnknown(err))
		}
		return nil
	}
	return b.call(ctx, cmds, func(ctx context.Context) {
		if len(cmds) == 1 {
			_ = b.client.Process(ctx, cmds[0])
			return
		}
		pipe := b.client.Pipeline()
		_ = pipe.BatchProcess(ctx, cmds...)
		_, _ = pipe.Exec(ctx)
	})
}

// call runs send, which issues cmds and waits for their replies, so that the caller
// returns when ctx ends even if the client does not honour ctx deadlines itself
// (go-redis bounds socket reads by its ReadTimeout unless ContextTimeoutEnabled is
// set, and never watches cancellation). It reports the round trip to the profiler.
//
// When the client has ContextTimeoutEnabled and ctx has a deadline (as a Lambda
// invocation's has), go-redis itself stops at the deadline, and send runs on the
// caller's goroutine: a watcher goroutine would cost a quarter of a Get's time
// (make bench: "Get, context with a deadline"). A context canceled before its
// deadline is then noticed when the round trip ends, at the latest at the deadline.
func (b *Backend) call(ctx context.Context, cmds []goredis.Cmder, send func(context.Context)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var names []string
	var start time.Time
	if b.profiler != nil {
		names = make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = c.Name()
		}
		start = time.Now()
	}
	var err error
	if ctx.Done() == nil {
		send(ctx)
	} else if deadline, ok := ctx.Deadline(); ok && b.shared.ctxDeadlines {
		send(ctx)
		// The round trip may have been cut by the deadline: go-redis' socket deadline
		// can fire a moment before the context's timer marks it done.
		if err = ctx.Err(); err == nil && !time.Now().Before(deadline) {
			err = context.DeadlineExceeded
		}
	} else {
		done := make(chan struct{})
		go func() {
			defer close(done)
			send(ctx)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if b.profiler != nil {
		reported := err
		if reported == nil {
			reported = firstError(cmds)
		}
		b.profiler.ProfileRedisRoundTrip(names, time.Since(start), reported)
	}
	return err
}

// firstError returns the first error among cmds other than goredis.Nil (which only
// says a key or field is absent).
func firstError(cmds []goredis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, goredis.Nil) {
			return err
		}
	}
	return nil
}
