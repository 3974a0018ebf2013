package stream

import (
	"context"
	"errors"
	"sync"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// Reclaimer reclaims the storage of a key's expired sorted data: on DynamoDB, the
// members an expiry killed stay stored until reclaimed (*kvdynamodb.Backend
// implements it; see its ReclaimExpired).
type Reclaimer interface {
	// ReclaimExpired reclaims what the expiry x (Unix ms) of key's sorted data
	// killed, and returns how many items it reclaimed.
	ReclaimExpired(ctx context.Context, key string, x int64) (int, error)
}

// reclaimConcurrency bounds the reclaims in flight for one batch.
const reclaimConcurrency = 4

// reclaimAll calls the Reclaimer for each expired change of sorted data (Kind
// KindSorted) in the batch's decoded records, a few at a time. A record whose reclaim
// fails with an error worth retrying (throttling, a server or network error, the
// invocation's time running out) is marked failed, so that Lambda delivers it again
// (its events are published then); any other error is logged, and the record goes on.
func (h *Handler) reclaimAll(ctx context.Context, recs []lambdaevents.DynamoDBEventRecord, decoded [][]kvdynamodb.Change, failed []bool) {
	if h.reclaim == nil {
		return
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, reclaimConcurrency)
	for i, changes := range decoded {
		for _, c := range changes {
			if c.Op != kvdynamodb.OpExpired || c.Kind != kvdynamodb.KindSorted {
				continue
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				n, err := h.reclaim.ReclaimExpired(ctx, c.Key, c.Expiry)
				rec := recs[i]
				switch {
				case err == nil:
					if n > 0 {
						h.log.InfoContext(ctx, "expired sorted data reclaimed", "sequence_number", rec.Change.SequenceNumber,
							"expiry_ms", c.Expiry, "members", n)
					}
				case retryable(ctx, err):
					mu.Lock()
					failed[i] = true
					mu.Unlock()
					h.log.ErrorContext(ctx, "expired sorted data not reclaimed: record retried", "sequence_number", rec.Change.SequenceNumber,
						"event_id", rec.EventID, "expiry_ms", c.Expiry, "members", n, "error", err.Error())
				default:
					h.log.ErrorContext(ctx, "expired sorted data not reclaimed", "sequence_number", rec.Change.SequenceNumber,
						"event_id", rec.EventID, "expiry_ms", c.Expiry, "members", n, "error", err.Error())
				}
			})
		}
	}
	wg.Wait()
}

// retryable reports whether a reclaim's error is worth retrying the record for: the
// context ending (the invocation's time ran out), or an error the AWS SDK retries
// (throttling, server errors, connection errors).
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}
