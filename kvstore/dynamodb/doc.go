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
//	                 two apart and allows an empty field); "y" for the meta item of
//	                 the key's sorted data (its expiry; see Expiry)
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
//	x          N     of a value item: its exact expiry, Unix milliseconds (none: it
//	                 does not expire); of a meta item: the sorted data's expiry
//	ttl        N     of a value item with x: ceil(x / 1000), Unix seconds, for
//	                 DynamoDB's time to live (which deletes days late at best:
//	                 correctness never depends on it); meta items have none
//	wt         N     of a sorted member: its write time, Unix milliseconds (every
//	                 ZAdd, ZHAdd, ZIncrBy and batched or atomic ZAdd sets it)
//	dead       N     of a meta item: the expiry of the sorted data's last
//	                 incarnation that passed (see Expiry)
//
// A sorted member with member == field (every ZAdd) has no v. A key's value and its
// sorted members are separate items, so sorted data lives beside the value as
// package kvstore describes. The index rk2 projects v and wt only: DynamoDB counts
// an item's copy in a local secondary index toward the item's 400 KB limit, so
// projecting everything would halve the largest sorted member. Score ranges read
// small members from the index and fetch longer ones (w) with BatchGetItem. A table
// created before wt was projected still works: a range over a key whose sorted data
// once expired then makes DynamoDB fetch wt from the table for each index entry read.
//
// (The design note called the write time w; w already holds long sorted members, so
// it is wt.)
//
// CreateTable (or CreateTableInput, for infrastructure code) makes such a table:
// on-demand billing, a stream of new and old images, which DecodeStreamRecord reads
// back in kvstore terms, and time to live on ttl.
//
// # Kinds and type checks
//
// Every write that creates or changes a value carries its type check in its own
// condition, never in an extra read: SAdd is an UpdateItem with the condition
// attribute_not_exists(hk) OR (t = "set" AND the item has not expired), and a failed condition returns the item
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
// # Expiry
//
// Times come from the client's clock (Lambda's is NTP-disciplined): an item is
// expired from the millisecond its x is <= now, and from then on it is absent to
// every read (filtered client-side, at no cost) and every condition: "absent" is
// attribute_not_exists(hk) OR x <= :now, "present" adds attribute_not_exists(x) OR
// x > :now, and writes that merge into a value (SAdd's ADD, HSet, NIncrBy's ADD,
// SRem, HDel) carry the latter, so they never revive an expired item. When such a
// condition fails on an expired item, the writer deletes it on condition that x is
// unchanged (as it clears shells) and writes again: the first write after expiry
// costs two requests more, and the new value has no expiry. The stream shows that
// deletion as a del. Set (a PutItem of the whole item) clears the expiry; SetArgs
// with KeepTTL reads x first.
//
// Sorted data expires without touching its members: its meta item (rk "y") holds x
// and dead, and each member its write time wt. Let cut be x once x has passed, else
// dead: a member is live iff wt >= cut. Expire of a sorted set of any size is one
// UpdateItem of the meta item (an x that has passed becomes dead). Members written
// after the expiry (ZAdd on an expired key) are live: a new incarnation, without
// expiry. Keys whose sorted data never had an expiry have no meta item. Dead members
// stay stored, skipped by reads (which pay for reading them), until reclaimed: sorted
// data with an expiry has one armed reclaim marker (rk "x" + its expiry; the meta
// item's mk names it), written by the Expire that finds none armed; DynamoDB's TTL
// deletes it some time after its expiry; the stream function, on that deletion (an
// expired change of Kind KindSorted), calls ReclaimExpired, which tags the dead
// members with ttl (1 WCU each) so that DynamoDB's TTL deletes them, for free, and
// arms the next marker when the expiry was moved later. Member writes are whole-item
// PutItems, which clear a tag.
//
// With an expiryreport.Report in the context (the read cache puts one there), every
// read records the expiry of what it read: a value read the item's x, which it reads
// anyway; a sorted read (ZScore, ranges, counts) the meta item's, which it reads
// anyway, except a batch ZScore whose member is absent, which then reads the meta item
// too. Without a report, reads cost nothing more.
//
// Costs of expiry (requests; R = one round trip):
//
//	SetEX, SetNXEX, SetArgs   1 PutItem (KeepTTL: + 1 GetItem before it)
//	GetEx                     1 UpdateItem (a passed time: 1 DeleteItem); no options: 1 GetItem
//	GetDel                    1 DeleteItem
//	Expire, ExpireAt(If)      1R: UpdateItem (or DeleteItem) of the value and one
//	                          consistent Query from rk "y" (the meta item and the first
//	                          member); + 1R: 1 UpdateItem of the meta item when the key
//	                          has sorted data (1 WCU, whatever its size). So 2 requests
//	                          without sorted data, 3 with; when no reclaim marker is
//	                          armed, + 1R: its PutItem (1 WCU) before the meta update
//	Persist                   as Expire
//	TTL                       1 GetItem; without a value, + 1R: the Query
//	first write after expiry  + 1 DeleteItem and the write again
//	ranges, counts            + 1 GetItem of the meta item, concurrent with the Query
//	                          (0.5 RCU). Only when the meta item has a cut (an expiry
//	                          passed once): ranges drop dead members from the first
//	                          page, and the next pages carry FilterExpression wt >= cut
//	                          (the rk2 index projects wt), evaluating growing pages
//	                          until limit live members; counts run again, filtered on
//	                          wt (+ 1R). Dead members cost their reads until reclaimed
//	ZScore                    1 BatchGetItem of the member and the meta item
//	ZIncrBy                   its read becomes a BatchGetItem with the meta item
//	ZRem, ZHRem               1R: DeleteItem and a consistent GetItem (meta): 2
//	                          requests, 1 RCU, 2 WCU; only when the sorted data has an
//	                          unexpired x, + 1R: Query (meta, first member) and, if
//	                          no live member is left, 1 UpdateItem: the expiry ends
//	                          with the last member
//	batch ZScore              + 1 BatchGetItem per 100 keys whose members were found
//	                          (with an expiry report: per 100 keys with a ZScore)
//	batch ZRem, atomic ZRem   1 consistent GetItem (meta) per key, sent with the
//	                          writes; then as ZRem (an atomic write that also expires
//	                          the key reads its meta item after the transaction)
//	atomic Expire             + 1 Query (meta, first member) per Expire, all
//	                          concurrent, before the transaction; an Expire of a key with
//	                          a value and sorted data takes two of its items; + 1 PutItem
//	                          (reclaim marker) per sorted data with none armed, before it
//	ReclaimExpired            1 GetItem (meta); when the expiry passed: Query of the key's
//	                          members (keys only, reads them all), 1 UpdateItem per dead
//	                          one; then 1 UpdateItem of the meta item (+ 1 PutItem of the
//	                          next marker when the expiry was moved later)
//	atomic ZAddNX             + 1 GetItem (meta) before the transaction
//
// # Requests
//
// Get, Set, SetNX, SetXX, SetEQ, Delete, NIncrBy, SAdd, HSet, ZAdd, ZScore are
// one request each (see Expiry for ZRem and the expiry operations); SRem and HDel one, or two when they empty the key; ZIncrBy a
// read and a conditional write, retried on contention. Ranges and counts are Query
// requests (paginated, stopped at the limit); batches use BatchGetItem (100 keys)
// and BatchWriteItem (25 items) concurrently; an atomic write is one
// TransactWriteItems (plus one BatchGetItem when it holds SRem or HDel). Throttled
// requests and unprocessed batch items are retried with exponential backoff and
// full jitter until they succeed or the context ends.
package dynamodb
