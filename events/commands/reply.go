package commands

// Reply is a Redis reply value: nil (a null reply), int64 (an integer), string (a bulk
// string: stored bytes, scores), Status (a simple string such as OK or PONG), []Reply
// (an array) or *Error (an error reply).
type Reply = any

// Status is a simple-string reply such as OK or PONG (as opposed to a bulk string,
// which holds data).
type Status string

// OK is the status reply of successful writes such as SET and MSET.
const OK Status = "OK"

// IsError reports whether r is an error reply.
func IsError(r Reply) bool {
	_, ok := r.(*Error)
	return ok
}
