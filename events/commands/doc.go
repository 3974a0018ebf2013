// Package commands is kvlambda's Redis command layer: it parses Redis commands (as the
// JSON arrays of the Upstash REST protocol carry them), classifies them as reads or
// writes, runs them against any kvstore.Backend and turns the results into Redis
// reply values.
//
// One implementation serves every entry point: the HTTP data API (package
// events/httpapi) runs single commands with Executor.Exec and pipelines with
// Executor.ExecPipeline (which groups batchable commands into kvstore batches); the
// EventBridge consumer runs a list of write commands as one kvstore atomic write with
// Executor.ExecAtomic, adding its own marker operation to the same write.
//
// Replies are plain Go values (see Reply): nil, int64, string (a bulk string),
// Status (a simple string such as OK), []Reply and *Error. Errors carry Redis' error
// texts (ERR ..., WRONGTYPE ..., EXECABORT ...); an internal error's detail is kept
// for the log (errors.Unwrap) and never shown in its text.
package commands
