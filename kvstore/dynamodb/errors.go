package dynamodb

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/kvlambda/kvlambda/kvstore"
)

// isThrottle reports whether err is DynamoDB refusing a request for throughput:
// worth retrying after a backoff.
func isThrottle(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
		return true
	}
	return false
}

// isTransactionConflict reports whether err is DynamoDB refusing a write to an item
// that a transaction in progress holds.
func isTransactionConflict(err error) bool {
	var tc *types.TransactionConflictException
	return errors.As(err, &tc)
}

// conditionFailed reports whether err is a failed condition and returns the item as
// it was then (ReturnValuesOnConditionCheckFailure ALL_OLD; empty when absent).
func conditionFailed(err error) (map[string]types.AttributeValue, bool) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ccf.Item, true
	}
	return nil, false
}

// isValidation reports whether err is DynamoDB refusing a request as invalid: for
// requests kvstore validated already, a state-dependent limit such as an item grown
// past 400 KB.
func isValidation(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationException"
}

// wrap adds the operation and key to a request's error (errors.Is and errors.As
// still see the SDK's error and the context's). A ValidationException also matches
// ErrInvalidArgument; kvstore's own errors pass through unchanged.
func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, kvstore.ErrInvalidArgument), errors.Is(err, kvstore.ErrWrongType),
		errors.Is(err, kvstore.ErrNotInteger):
		return err
	case isValidation(err):
		return fmt.Errorf("dynamodb: %s %q: %w: %w", op, truncate(key), kvstore.ErrInvalidArgument, err)
	}
	return fmt.Errorf("dynamodb: %s %q: %w", op, truncate(key), err)
}

// corrupt is the error for an item kvstore cannot decode.
func corrupt(key string, err error) error {
	return fmt.Errorf("dynamodb: key %q holds an item kvstore cannot read: %w", truncate(key), err)
}

var (
	errNoCounter        = errors.New("UpdateItem returned no counter")
	errCounterCondition = errors.New("the increment's condition failed on a counter it accepts")
)
