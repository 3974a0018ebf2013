// Package httpapi serves kvlambda's data API: Redis commands over HTTP in the Upstash
// REST protocol (see the design document http-api.md), so that @upstash/redis and
// curl work unchanged.
//
// Routes: POST / (one command as a JSON array), POST /pipeline (an array of commands,
// run in order, not atomically, with one result each) and POST /multi-exec (an array
// of write commands applied as one kvstore atomic write). Every request carries
// "Authorization: Bearer <token>"; a read-only token may run reads only. Responses are
// {"result": ...} or {"error": "ERR ..."}, with strings base64-encoded when the request
// has "Upstash-Encoding: base64".
//
// Handler.Serve is transport-neutral (the Lambda function feeds it API Gateway
// events); Handler.ServeHTTP serves the same protocol over net/http.
package httpapi
