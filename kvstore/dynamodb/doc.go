// Package dynamodb is the DynamoDB kvstore backend: one table, reached through the
// AWS SDK's *dynamodb.Client or a DAX client (both satisfy Client), with strongly
// consistent reads unless a view says otherwise.
//
//	client := awsdynamodb.NewFromConfig(cfg)
//	store := dynamodb.NewBackend(client, "kvstore")
//
// # Table layout
//
// Other tools (the stream function, infrastructure code, ad-hoc scripts) read this
// layout; it is part of the package's contract. Every attribute is binary (B) unless
// said otherwise.
//
//	attribute  type  meaning
//	hk         B     partition key: the key's bytes
//	rk         B     sort key: "_" (0x5F) for the key's value item; "z" + field for
//	                 a sorted-set member or sorted-hash field (the prefix keeps the
//	                 two apart and allows an empty field)
//	rk2        B     sort key of the local secondary index "rk2", on sorted members
//	                 only: the score in 8 order-preserving bytes, then the field.
//	                 bits := math.Float64bits(score); negative: ^bits, else
//	                 bits | 1<<63; big-endian. -0 is stored as 0.
//	t          B     kind of a value item: "str", "set" or "hash"
//	v          B     the string of a "str" item that is not a counter; of a sorted
//	                 member, the member when it differs from the field and is at
//	                 most 1,024 bytes
//	v          N     of a sorted member: the length of a longer member, stored in w
//	w          B     a sorted member longer than 1,024 bytes (kept out of the index)
//	n          N     the string of a "str" item that is a canonical decimal int64
//	                 (a counter), so that NIncrBy is one ADD
//	s          BS    the members of a "set" item
//	f:<field>  B     a hash field whose name is valid UTF-8, and its value
//	b:<b64>    B     a hash field that is not valid UTF-8 (standard base64 of it)
//	ver        B     8 random bytes every set or hash write replaces: lets a write
//	                 be conditional on "unchanged since read" (a hash's fields cannot
//	                 be named in a condition)
//	ttl        N     reserved: expiry, epoch seconds
//
// A sorted member with member == field (every ZAdd) has no v. A key's value and its
// sorted members are separate items, so sorted data lives beside the value as
// package kvstore describes. The index rk2 projects v and ttl only: DynamoDB counts
// an item's copy in a local secondary index toward the item's 400 KB limit, so
// projecting everything would halve the largest sorted member. Score ranges read
// small members from the index and fetch longer ones (w) with BatchGetItem.
//
// CreateTable (or CreateTableInput, for infrastructure code) makes such a table:
// on-demand billing, a stream of new and old images, which DecodeStreamRecord reads
// back in kvstore terms, and time to live on ttl.
//
// # Kinds and type checks
//
// Every write that creates or changes a value carries its type check in its own
// condition, never in an extra read: SAdd is an UpdateItem with the condition
// attribute_not_exists(hk) OR t = "set", and a failed condition returns the item
// (ReturnValuesOnConditionCheckFailure ALL_OLD) to tell ErrWrongType from the other
// reasons. SRem and HDel that empty a set or hash delete its item with a second,
// conditional request; an emptied item left behind (a "shell": the process died in
// between) reads as absent everywhere and is cleared by the next write that meets
// it.
//
// # Counters
//
// A string that is a canonical decimal int64 is stored as the Number n: Get reads
// it back as the same decimal string, and NIncrBy is one UpdateItem (ADD n) whose
// condition also refuses other kinds and results beyond int64 (ErrNotInteger). A
// counter found stored as a string in v (written by another tool) is rewritten with
// a conditional read-modify-write.
//
// # Requests
//
// Get, Set, SetNX, SetXX, SetEQ, Delete, NIncrBy, SAdd, HSet, ZAdd, ZScore, ZRem are
// one request each; SRem and HDel one, or two when they empty the key; ZIncrBy a
// read and a conditional write, retried on contention. Ranges and counts are Query
// requests (paginated, stopped at the limit); batches use BatchGetItem (100 keys)
// and BatchWriteItem (25 items) concurrently; an atomic write is one
// TransactWriteItems (plus one BatchGetItem when it holds SRem or HDel). Throttled
// requests and unprocessed batch items are retried with exponential backoff and
// full jitter until they succeed or the context ends.
package dynamodb
