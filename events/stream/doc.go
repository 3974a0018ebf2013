// Package stream publishes the changes of a kvstore table's DynamoDB stream to
// EventBridge: the logic of the stream function (functions/stream), which only wires
// it to Lambda.
//
// Handler.Handle decodes every record of a batch with the DynamoDB backend's decoder
// (kvstore/dynamodb.DecodeStreamRecord) and publishes one event per change, source
// Source ("kvlambda"), detail-type DetailType ("kvstore.change"), with a Detail such
// as {"op":"set","key":"k","value":"v"} (see Detail and the design's table).
// Changes of the bus function's markers (keys under bus.MarkerPrefix) are not
// published.
//
// Events go out with PutEvents, at most MaxEntriesPerCall entries and MaxCallBytes a
// call. Entries that fail with a retryable code (ThrottlingException,
// InternalFailure), or whose whole call failed, are tried again with exponential
// backoff, a bounded number of times and never past the invocation's deadline. The
// response's batch item failures list every record that could not be decoded or
// whose events were not all published; Lambda retries from the first of them, so
// delivery is at least once.
package stream
