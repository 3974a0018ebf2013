// Package bus applies kvstore.command events from EventBridge: the logic of the bus
// function (functions/bus), which only wires it to Lambda.
//
// An event of detail-type "kvstore.command" carries write commands in the data API's
// dialect (package commands):
//
//	{"commands": [["SET","k","v"], ["INCR","visits"]]}
//
// Handler applies them as ONE kvstore atomic write together with a marker item keyed
// by the event's id (MarkerKey: "kvlambda:event:<id>", set only if absent), so that
// EventBridge's at-least-once delivery has an exactly-once effect: the first delivery
// that reaches the store decides the event's outcome, and every later delivery of the
// same id finds the marker and changes nothing.
//
// Outcomes (Outcome):
//
//   - Applied: every command was written, with the marker {"outcome":"applied"}.
//   - ConditionFailed: a command's own condition failed (SET NX on a taken key, with
//     or without EX or PX, SET IFEQ on another value, SETNX, HSETNX, ZADD NX on a
//     present member): nothing of
//     the event was written, and the marker alone is then written with
//     {"outcome":"condition_failed"}, so a redelivery cannot apply the event later,
//     when the condition might hold. The event is acknowledged (no error): it was
//     well formed and its outcome is final.
//   - Duplicate: the marker was already there; nothing is written and the event is
//     acknowledged.
//
// A malformed event (another detail-type, no id, detail that is not
// {"commands": [[...], ...]}, no commands or more than MaxCommands, an unknown
// command, a wrong number of arguments, a read, a write that cannot be part of an
// atomic write, a key under MarkerPrefix) and an event the store refuses (a
// syntax error, WRONGTYPE, a value that is not an integer, an item too large) make
// Handle return an error that names the event id and what is wrong, with nothing
// written and no marker: Lambda and EventBridge retry it and then hand it to the
// dead-letter queue. ErrMalformed matches those errors; a failure of the store
// itself does not match it (retrying may succeed).
//
// Keys starting with MarkerPrefix ("kvlambda:event:") are reserved for the markers:
// commands on them are refused here, and the stream function never publishes their
// changes. Markers are small (the key and about 60 bytes) and are never deleted, nor
// do they expire: a marker gone would let a late redelivery apply its event again.
//
// Expiry commands that fit in an atomic write are accepted: SET with EX or PX (alone
// or with NX, the lock idiom), SETEX, PSETEX, and EXPIRE or PEXPIRE without options
// (see commands.AtomicWriteSupported).
package bus
