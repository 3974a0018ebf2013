// Package kvstoreurl opens a kvstore backend described by a URL, as the Lambda
// functions do from the environment variable KVSTORE_URL:
//
//	URL                                                      backend
//	memory:// (also when KVSTORE_URL is unset or empty)      memory
//	redis://[user:pass@]host:port[/db], rediss:// for TLS    Redis
//	dynamodb:///TABLE[?endpoint=URL&region=REGION]           DynamoDB (endpoint: DynamoDB Local)
//	dax://HOST[:PORT]/TABLE[?region=REGION], daxs:// for TLS DynamoDB through DAX
//
// Every URL also takes these query parameters, which wrap the backend:
//
//	cache=N    a read cache (package cache) of at most N entries; Reset it at the
//	           start of each invocation (cache.WrapHandler does)
//	profile=1  a profiling wrapper (package profile); profile.Of(b) returns its
//	           Profiler, to Flush at the end of each invocation
//
// Redis URLs also take go-redis' own options (dial_timeout, pool_size, ...; see
// goredis.ParseURL). The client bounds each command by the context's deadline
// (ContextTimeoutEnabled), so that a Lambda invocation's deadline stops a stalled
// command without a watcher goroutine per call. AWS clients use the standard
// configuration chain (config.LoadDefaultConfig: AWS_REGION, credentials from the
// environment, the Lambda role, ...; see package awsconfig); region overrides its region, and endpoint
// (dynamodb only) sets the client's base endpoint, for DynamoDB Local.
//
// Two build tags make a smaller program, as kvlambda's functions are built for
// deploy: kvstore_nodax leaves the DAX client out (Open then refuses dax:// and
// daxs:// URLs, saying so), and kvstore_awsenv reads the AWS configuration from the
// environment only (awsconfig.FromEnv: no profiles, SSO, web identity or IMDS).
// Without them, as by default, every backend and the whole chain are there.
//
// A malformed URL, an unknown scheme or an unknown parameter is an error naming the
// variable, such as `KVSTORE_URL: unknown scheme "foo"`, that matches
// kvstore.ErrInvalidArgument. Errors never repeat the URL's password.
package kvstoreurl
