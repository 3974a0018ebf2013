package dynamodb

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// Batch implements kvstore.Backend. Exec reads with BatchGetItem (100 keys a
// request) and writes Set, Delete, ZAdd and ZRem with BatchWriteItem (25 items a
// request); SAdd and SRem, which need an UpdateItem with a type check, are single
// requests. Requests run concurrently, at most WithConcurrency at a time, and what
// DynamoDB leaves unprocessed is retried with backoff until done or the context ends;
// an item that could not be read or written is an error on its result, never a
// silent absence.
//
// Several writes to one item take effect in queue order: when they are all puts and
// deletes only the last is sent (the others' results are the last one's); otherwise
// they run one after the other as single requests.
func (b *Backend) Batch() kvstore.BatchOperation { return &batch{b: b} }

type batch struct {
	kvstore.BatchOps
	b *Backend
}

// batchItem is one item a batch reads or writes, with the operations on it in queue
// order.
type batchItem struct {
	key itemKey
	ops []*kvstore.BatchOp
}

// itemOf returns the item a batch operation works on.
func itemOf(op *kvstore.BatchOp) itemKey {
	switch op.Kind {
	case kvstore.BatchZAdd, kvstore.BatchZRem, kvstore.BatchZScore:
		return sortedItemKey(op.Key, op.Members[0])
	}
	return valueItemKey(op.Key)
}

// isPlainWrite reports whether a batch write is a whole-item put or delete that
// BatchWriteItem can carry.
func isPlainWrite(op *kvstore.BatchOp) bool {
	switch op.Kind {
	case kvstore.BatchSet, kvstore.BatchDelete, kvstore.BatchZAdd, kvstore.BatchZRem:
		return true
	}
	return false
}

// writeRequest is the BatchWriteItem request of a plain write.
func writeRequest(op *kvstore.BatchOp) types.WriteRequest {
	switch op.Kind {
	case kvstore.BatchSet:
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: stringItem(op.Key, op.Value)}}
	case kvstore.BatchZAdd:
		m := op.Members[0]
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: sortedItem(op.Key, m, m, op.Score)}}
	}
	return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: itemOf(op).attributes()}}
}

// group collects operations by item, in order of first appearance.
func group(ops []*kvstore.BatchOp) []*batchItem {
	idx := make(map[itemKey]*batchItem)
	var out []*batchItem
	for _, op := range ops {
		k := itemOf(op)
		it, ok := idx[k]
		if !ok {
			it = &batchItem{key: k}
			idx[k] = it
			out = append(out, it)
		}
		it.ops = append(it.ops, op)
	}
	return out
}

// Exec implements kvstore.BatchOperation.
func (bt *batch) Exec(ctx context.Context) error {
	ops, err := bt.Operations()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		for _, op := range ops {
			op.Err = err
		}
		return kvstore.BatchError(ops)
	}
	start := nowMillis()
	var reads, writes []*kvstore.BatchOp
	for _, op := range ops {
		if op.Kind.IsWrite() {
			writes = append(writes, op)
		} else {
			reads = append(reads, op)
		}
	}
	// The meta items of the keys with a ZRem are read with the writes (see
	// afterRemovals).
	var remKeys []string
	for _, op := range writes {
		if op.Kind == kvstore.BatchZRem {
			remKeys = append(remKeys, op.Key)
		}
	}
	var metas map[string]<-chan metaResult
	if len(remKeys) > 0 {
		metas = bt.b.readMetas(ctx, "batch ZRem", remKeys)
	}
	p := newPool(bt.b.opts.concurrency)
	var plain []*batchItem
	for _, it := range group(writes) {
		if allPlain(it.ops) {
			plain = append(plain, it)
			continue
		}
		p.Go(func() {
			for _, op := range it.ops {
				kvstore.ExecBatchOp(ctx, bt.b, op)
			}
		})
	}
	for _, c := range chunks(plain, maxBatchWrite) {
		p.Go(func() { bt.b.execWrites(ctx, c) })
	}
	var mu sync.Mutex
	scores := make(map[*kvstore.BatchOp]int64)
	for _, c := range chunks(group(reads), maxBatchGet) {
		p.Go(func() {
			bt.b.execReads(ctx, c, func(op *kvstore.BatchOp, written int64) {
				mu.Lock()
				defer mu.Unlock()
				scores[op] = written
			})
		})
	}
	p.Wait()
	bt.b.dropDeadScores(ctx, scores)
	bt.b.afterRemovals(ctx, writes, metas, start)
	return kvstore.BatchError(ops)
}

// afterRemovals ends the expiry of sorted data whose last member the batch's ZRems
// removed (see endIncarnation), given metas, the consistent GetItems of those keys'
// meta items that Exec sent with the writes (one per key, in the same round trip):
// only keys whose meta item has an unexpired x cost more. A failure is reported on
// that key's ZRems.
func (b *Backend) afterRemovals(ctx context.Context, writes []*kvstore.BatchOp, metas map[string]<-chan metaResult, removed int64) {
	if len(metas) == 0 {
		return
	}
	done := make(map[string]<-chan metaResult, len(metas))
	for _, op := range writes {
		if op.Kind == kvstore.BatchZRem && op.Err == nil {
			done[op.Key] = metas[op.Key]
		}
	}
	errs := b.endIncarnations(ctx, "batch ZRem", done, removed)
	for _, op := range writes {
		if err, ok := errs[op.Key]; ok && op.Kind == kvstore.BatchZRem && op.Err == nil {
			op.Err = err
		}
	}
}

// dropDeadScores reads the meta items of the keys whose members ZScore found (their
// write times in scores), BatchGetItem requests run concurrently, and turns the
// members that are dead into absent ones. Batches without ZScore cost nothing more.
// With an expiryreport.Report in ctx, scores holds every ZScore (see execReads), and
// each key's sorted data's expiry is recorded.
func (b *Backend) dropDeadScores(ctx context.Context, scores map[*kvstore.BatchOp]int64) {
	if len(scores) == 0 {
		return
	}
	seen := make(map[itemKey]bool)
	var keys []itemKey
	for op := range scores {
		if k := metaItemKey(op.Key); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var mu sync.Mutex
	metas := make(map[itemKey]map[string]types.AttributeValue)
	failed := make(map[itemKey]error)
	p := newPool(b.opts.concurrency)
	for _, c := range chunks(keys, maxBatchGet) {
		p.Go(func() {
			found, pending, err := b.getItems(ctx, c, b.consistent)
			mu.Lock()
			defer mu.Unlock()
			for k, item := range found {
				metas[k] = item
			}
			for _, k := range pending {
				failed[k] = err
			}
		})
	}
	p.Wait()
	now := nowMillis()
	report := expiryreport.FromContext(ctx)
	for op, written := range scores {
		k := metaItemKey(op.Key)
		if err, ok := failed[k]; ok {
			op.Float, op.Err = nil, wrap("batch ZScore", op.Key, fmt.Errorf("meta item not read: %w", err))
			continue
		}
		m, err := decodeMeta(metas[k])
		if err != nil {
			op.Float, op.Err = nil, corrupt(op.Key, err)
			continue
		}
		report.Record(op.Key, true, m.expiry(now))
		if written < m.cut(now) {
			op.Float = nil
		}
	}
}

func allPlain(ops []*kvstore.BatchOp) bool {
	for _, op := range ops {
		if !isPlainWrite(op) {
			return false
		}
	}
	return true
}

// execWrites sends one BatchWriteItem of the last write to each item and sets every
// operation's result.
func (b *Backend) execWrites(ctx context.Context, items []*batchItem) {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = writeRequest(it.ops[len(it.ops)-1])
	}
	pending, err := b.writeItems(ctx, reqs)
	if err == nil {
		return
	}
	failed := make(map[itemKey]bool, len(pending))
	for _, k := range pending {
		failed[k] = true
	}
	for _, it := range items {
		if failed[it.key] {
			for _, op := range it.ops {
				op.Err = wrap("batch "+op.Kind.String(), op.Key, fmt.Errorf("not written: %w", err))
			}
		}
	}
}

// execReads sends one BatchGetItem for the items and sets every read's result,
// passing the write time of each member ZScore found to score; with an
// expiryreport.Report in ctx, every ZScore (0 when its member is absent), so that its
// meta item is read too.
func (b *Backend) execReads(ctx context.Context, items []*batchItem, score func(op *kvstore.BatchOp, written int64)) {
	keys := make([]itemKey, len(items))
	for i, it := range items {
		keys[i] = it.key
	}
	found, pending, err := b.getItems(ctx, keys, b.consistent)
	report := expiryreport.FromContext(ctx)
	unread := make(map[itemKey]bool, len(pending))
	for _, k := range pending {
		unread[k] = true
	}
	for _, it := range items {
		for _, op := range it.ops {
			if unread[it.key] {
				op.Err = wrap("batch "+op.Kind.String(), op.Key, fmt.Errorf("not read: %w", err))
				continue
			}
			if w, ok := readResult(ctx, op, found[it.key]); ok || (report != nil && op.Kind == kvstore.BatchZScore && op.Err == nil) {
				score(op, w)
			}
		}
	}
}

// readResult decodes a batch read's result from its item (nil when absent); for a
// ZScore that found its member, it also returns the member's write time and true.
// A value read's expiry goes to the context's expiryreport.Report, if any.
func readResult(ctx context.Context, op *kvstore.BatchOp, item map[string]types.AttributeValue) (int64, bool) {
	if op.Kind == kvstore.BatchZScore {
		if len(item) == 0 {
			return 0, false
		}
		m, err := decodeSorted(item)
		if err != nil {
			op.Err = corrupt(op.Key, err)
			return 0, false
		}
		s := m.score
		op.Float = &s
		return m.written, true
	}
	v, err := decodeLive(item)
	if err != nil {
		op.Err = corrupt(op.Key, err)
		return 0, false
	}
	reportValue(ctx, op.Key, v)
	switch op.Kind {
	case kvstore.BatchGet:
		op.String, op.Err = stringOf(op.Key, v)
	case kvstore.BatchSMembers:
		op.Strings, op.Err = membersOf(op.Key, v)
	case kvstore.BatchHGetAll:
		op.Map, op.Err = fieldsOf(op.Key, v)
	default:
		op.Err = kvstore.InvalidArgumentf("unknown batch read %v", op.Kind)
	}
	return 0, false
}
