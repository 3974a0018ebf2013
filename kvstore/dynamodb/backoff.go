package dynamodb

import (
	"context"
	"crypto/rand"
	mrand "math/rand/v2"
	"time"
)

// delay is the attempt-th retry's wait: exponential backoff with full jitter, a
// random duration up to min(backoffMax, backoffBase·2^attempt).
func (b *Backend) delay(attempt int) time.Duration {
	ceiling := b.opts.backoffMax
	if attempt < 30 {
		if d := b.opts.backoffBase << attempt; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return time.Duration(mrand.Int64N(int64(ceiling) + 1))
}

// sleep waits before the attempt-th retry, or returns the context's error when it
// ends first.
func (b *Backend) sleep(ctx context.Context, attempt int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(b.delay(attempt))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}
