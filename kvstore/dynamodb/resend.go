package dynamodb

import (
	"context"
	"errors"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/kvlambda/kvlambda/kvstore"
)

// The SDK's default retryer sends a request again after a connection error or a 5xx,
// even when the request may have reached DynamoDB and been applied. That is harmless
// for reads, for batch writes (idempotent puts and deletes) and for
// TransactWriteItems (its client request token makes a resend a no-op), but not for
// single-item writes: a resent ADD (NIncrBy) or conditional put (ZIncrBy) applies
// twice, and a resent SetNX, SetEQ or Delete answers as if another writer had won.
// So single-item writes are sent through once: the SDK may still retry what cannot
// have reached DynamoDB (a refused dial, a 4xx such as a throttling error), and any
// other failure is returned as kvstore.ErrOutcomeUnknown. (DAX's client retries only
// throttling and its own retryable error codes, and ignores the SDK's retryer.)

// once adapts a single-item write so that the SDK never resends it after it may
// have reached DynamoDB, and marks the failures whose outcome is unknown.
func once[I, O any](call func(context.Context, *I, ...func(*awsdynamodb.Options)) (*O, error)) func(context.Context, *I, ...func(*awsdynamodb.Options)) (*O, error) {
	return func(ctx context.Context, in *I, opts ...func(*awsdynamodb.Options)) (*O, error) {
		out, err := call(ctx, in, append(opts, guardResend)...)
		return out, markUnknown(err)
	}
}

// marked adapts a write the SDK may resend safely (TransactWriteItems with its
// token) so that a failure after which it may have been applied is marked
// kvstore.ErrOutcomeUnknown.
func marked[I, O any](call func(context.Context, *I, ...func(*awsdynamodb.Options)) (*O, error)) func(context.Context, *I, ...func(*awsdynamodb.Options)) (*O, error) {
	return func(ctx context.Context, in *I, opts ...func(*awsdynamodb.Options)) (*O, error) {
		out, err := call(ctx, in, opts...)
		return out, markUnknown(err)
	}
}

// guardResend wraps the request's retryer in resendGuard.
func guardResend(o *awsdynamodb.Options) {
	if o.Retryer != nil {
		o.Retryer = resendGuard{o.Retryer}
	}
}

// resendGuard is a retryer that refuses to retry an error after which the request
// may have been applied.
type resendGuard struct{ aws.Retryer }

// IsErrorRetryable implements aws.Retryer.
func (r resendGuard) IsErrorRetryable(err error) bool {
	return notApplied(err) && r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken implements aws.RetryerV2.
func (r resendGuard) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}

// notApplied reports whether err proves that DynamoDB did not apply the request: it
// answered with a 4xx (a throttling error, a failed condition, a validation error,
// a transaction conflict) or the connection was never made.
func notApplied(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if s := re.HTTPStatusCode(); s >= 400 && s < 500 {
			return true
		}
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// markUnknown marks err as kvstore.ErrOutcomeUnknown unless it proves the request
// was not applied.
func markUnknown(err error) error {
	if err == nil || notApplied(err) {
		return err
	}
	return kvstore.OutcomeUnknown(err)
}
