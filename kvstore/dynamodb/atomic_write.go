package dynamodb

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/kvlambda/kvlambda/kvstore"
)

// AtomicWrite implements kvstore.Backend: Exec is one TransactWriteItems of all the
// operations (DynamoDB's limit of 100 is kvstore.MaxAtomicWriteOperations), with a
// fresh client request token per attempt so that the SDK's retries are idempotent.
// Type checks ride in each item's condition; SRem and HDel first read the keys they
// touch (one BatchGetItem) so that a set or hash they empty is deleted in the same
// transaction.
func (b *Backend) AtomicWrite() kvstore.AtomicWriteOperation { return &atomicWrite{b: b} }

type atomicWrite struct {
	kvstore.AtomicWriteOps
	b *Backend
}

// txOp is one operation of a transaction and what Exec knows of its item.
type txOp struct {
	op *kvstore.AtomicWriteOp
	// state is the item as last read, for operations that need it: SRem and HDel
	// always, NIncrBy on a counter stored as a string, HSet and HDel with too many
	// fields for one update expression.
	state *value
	// needsState is true while state must be (re)read before the next attempt.
	needsState bool
	// start is when Exec started (Unix ms): SetEX's, SetNXEX's and Expire's TTLs count
	// from it.
	start int64
	// meta is the key's meta item as last read, for Expire (with sortedLive: whether
	// the key's sorted data has a live member) and ZHAddNX (whose condition lets it
	// replace a dead member); needsMeta is true while it must be (re)read.
	meta       meta
	sortedLive bool
	// arm is, for an Expire whose meta update arms a reclaim marker, the marker's
	// expiry (written before the transaction); 0 otherwise.
	arm       int64
	needsMeta bool
}

// needsRead reports whether an operation is built from its item's current state.
func needsRead(op *kvstore.AtomicWriteOp) bool {
	switch op.Kind {
	case kvstore.AtomicSRem, kvstore.AtomicHDel, kvstore.AtomicExpire:
		return true
	case kvstore.AtomicHSet:
		var e expr
		return len(hSetUpdate(&e, lastFields(op.Fields))) > maxExpressionLen
	}
	return false
}

// Exec implements kvstore.AtomicWriteOperation.
func (w *atomicWrite) Exec(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	ops, err := w.Operations()
	if err != nil || len(ops) == 0 {
		return err == nil, err
	}
	tx := make([]*txOp, len(ops))
	start := nowMillis()
	for i, op := range ops {
		op.SetConditionalFailed(false)
		tx[i] = &txOp{op: op, needsState: needsRead(op), start: start,
			needsMeta: op.Kind == kvstore.AtomicExpire || op.Kind == kvstore.AtomicZHAddNX}
	}
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := w.b.sleep(ctx, attempt-1); err != nil {
				return false, fmt.Errorf("dynamodb: atomic write: %w", err)
			}
		}
		if err := w.b.readStates(ctx, tx); err != nil {
			return false, err
		}
		items := make([]types.TransactWriteItem, 0, len(tx))
		owners := make([]*txOp, 0, len(tx))
		for _, t := range tx {
			it, err := t.item(w.b.table)
			if err != nil {
				return false, err
			}
			items, owners = append(items, it), append(owners, t)
			if extra := t.metaUpdate(w.b.table); extra != nil && t.state.present() {
				// An Expire of a key with a value and sorted data: both expire.
				items, owners = append(items, *extra), append(owners, t)
			}
		}
		if err := w.b.writeReclaimMarkers(ctx, tx); err != nil {
			return false, err
		}
		metas := w.b.readRemovalMetas(ctx, tx)
		_, err := w.b.transactWriteItems(ctx, &awsdynamodb.TransactWriteItemsInput{
			TransactItems: items, ClientRequestToken: aws.String(hex.EncodeToString(randomBytes(16))),
		})
		if err == nil {
			return true, w.b.afterAtomicRemovals(ctx, tx, metas, start)
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			if isTransactionConflict(err) {
				return false, fmt.Errorf("dynamodb: atomic write: %w: %w", kvstore.ErrAtomicWriteConflict, err)
			}
			return false, wrap("atomic write", ops[0].Key, err)
		}
		done, ok, err := w.b.cancelled(ctx, owners, items, tce)
		if done {
			return ok, err
		}
	}
}

// readStates reads the items of the operations that need their state, clearing the
// shells it finds, and checks that SRem and HDel meet the kind they remove from; then
// the meta items Expire and ZHAddNX need.
func (b *Backend) readStates(ctx context.Context, tx []*txOp) error {
	// The reads run concurrently, the value items' too: each operation's read writes
	// its own txOp's meta fields only, and readValueStates its state fields.
	p := newPool(b.opts.concurrency)
	errs := make([]error, len(tx))
	for i, t := range tx {
		if !t.needsMeta {
			continue
		}
		p.Go(func() {
			if t.op.Kind == kvstore.AtomicExpire {
				t.meta, t.sortedLive, errs[i] = b.sortedState(ctx, "atomic write", t.op.Key)
			} else {
				t.meta, errs[i] = b.readMeta(ctx, "atomic write", t.op.Key, true)
			}
			t.needsMeta = errs[i] != nil
		})
	}
	verr := b.readValueStates(ctx, tx)
	p.Wait()
	if verr != nil {
		return verr
	}
	return errors.Join(errs...)
}

// readValueStates reads the value items of the operations that need their state.
func (b *Backend) readValueStates(ctx context.Context, tx []*txOp) error {
	for attempt := 0; ; attempt++ {
		var keys []itemKey
		for _, t := range tx {
			if t.needsState {
				keys = append(keys, valueItemKey(t.op.Key))
			}
		}
		if len(keys) == 0 {
			return nil
		}
		found := make(map[itemKey]map[string]types.AttributeValue, len(keys))
		for _, c := range chunks(keys, maxBatchGet) {
			f, _, err := b.getItems(ctx, c, true)
			if err != nil {
				return wrap("atomic write", c[0].hk, err)
			}
			for k, item := range f {
				found[k] = item
			}
		}
		cleared := false
		for _, t := range tx {
			if !t.needsState {
				continue
			}
			v, err := decodeLive(found[valueItemKey(t.op.Key)])
			if err != nil {
				return corrupt(t.op.Key, err)
			}
			if v.shell() {
				if err := b.clearShell(ctx, "atomic write", t.op.Key, v); err != nil {
					return err
				}
				cleared = true
				continue
			}
			if err := t.checkState(v); err != nil {
				return err
			}
			t.state, t.needsState = v, false
		}
		if !cleared {
			return nil
		}
		if err := b.sleep(ctx, attempt); err != nil {
			return fmt.Errorf("dynamodb: atomic write: %w", err)
		}
	}
}

// checkState returns the error an operation meets on the value v, if any.
func (t *txOp) checkState(v *value) error {
	if !v.present() {
		return nil
	}
	key := t.op.Key
	switch t.op.Kind {
	case kvstore.AtomicSRem, kvstore.AtomicSAdd:
		if v.kind != kindSet {
			return kvstore.WrongTypef(key)
		}
	case kvstore.AtomicHDel, kvstore.AtomicHSet, kvstore.AtomicHSetNX:
		if v.kind != kindHash {
			return kvstore.WrongTypef(key)
		}
	case kvstore.AtomicNIncrBy:
		cur, err := counterOf(key, v)
		if err != nil {
			return err
		}
		if _, err := kvstore.AddCounter(cur, t.op.N); err != nil {
			return err
		}
	}
	return nil
}

// item builds the transaction item of an operation.
func (t *txOp) item(table *string) (types.TransactWriteItem, error) {
	op := t.op
	var e expr
	var it types.TransactWriteItem
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	put := func(item map[string]types.AttributeValue, cond string) {
		it.Put = &types.Put{TableName: table, Item: item, ReturnValuesOnConditionCheckFailure: allOld}
		if cond != "" {
			it.Put.ConditionExpression = aws.String(cond)
		}
	}
	del := func(key map[string]types.AttributeValue, cond string) {
		it.Delete = &types.Delete{TableName: table, Key: key, ReturnValuesOnConditionCheckFailure: allOld}
		if cond != "" {
			it.Delete.ConditionExpression = aws.String(cond)
		}
	}
	update := func(update, cond string) {
		it.Update = &types.Update{TableName: table, Key: valueKey(op.Key), UpdateExpression: aws.String(update),
			ConditionExpression: aws.String(cond), ReturnValuesOnConditionCheckFailure: allOld}
	}
	check := func(cond string) {
		it.ConditionCheck = &types.ConditionCheck{TableName: table, Key: valueKey(op.Key),
			ConditionExpression: aws.String(cond), ReturnValuesOnConditionCheckFailure: allOld}
	}
	absent := func() string { return absent(&e) }
	unchanged := func() string {
		if !t.state.exists {
			return absent()
		}
		cond := sameVersionCondition(&e, t.state)
		if t.state.expiry != 0 {
			cond += " AND " + live(&e) // an expiry kept must not pass meanwhile
		}
		return cond
	}
	start := t.start
	switch op.Kind {
	case kvstore.AtomicSet:
		put(stringItem(op.Key, op.Value), "")
	case kvstore.AtomicSetNX:
		put(stringItem(op.Key, op.Value), absent())
	case kvstore.AtomicSetXX:
		put(stringItem(op.Key, op.Value), presentCondition(&e))
	case kvstore.AtomicSetEQ:
		put(stringItem(op.Key, op.Value), equalCondition(&e, op.OldValue))
	case kvstore.AtomicSetEX:
		put(withExpiry(stringItem(op.Key, op.Value), start+op.TTL.Milliseconds()), "")
	case kvstore.AtomicSetNXEX:
		put(withExpiry(stringItem(op.Key, op.Value), start+op.TTL.Milliseconds()), absent())
	case kvstore.AtomicExpire:
		at := start + op.TTL.Milliseconds()
		switch {
		case t.state.present():
			x := e.name(attrExpiry)
			update("SET "+x+" = "+e.value(avN(at))+", "+e.name(attrTTL)+" = "+e.value(avN(ttlSeconds(at))), presentCondition(&e))
		case t.sortedLive:
			return *t.metaUpdate(table), nil
		default:
			check(presentCondition(&e)) // absent: the condition fails
		}
	case kvstore.AtomicDelete:
		del(valueKey(op.Key), "")
	case kvstore.AtomicDeleteXX:
		del(valueKey(op.Key), presentCondition(&e))
	case kvstore.AtomicNIncrBy:
		switch {
		case t.state != nil && t.state.present():
			// A counter stored as a string (found by an earlier attempt).
			sum, err := kvstore.AddCounter(mustCounter(t.state), op.N)
			if err != nil {
				return it, err
			}
			u, cond := rewriteUpdate(&e, t.state.str, sum)
			if op.N == 0 {
				check(cond)
			} else {
				update(u, cond)
			}
		case op.N == 0:
			check(absent() + " OR (" + e.name(attrKind) + " = " + e.value(avS(kindString)) +
				" AND attribute_exists(" + e.name(attrNumber) + ") AND " + live(&e) + ")")
		default:
			update(incrementUpdate(&e, op.N))
		}
	case kvstore.AtomicZHAdd:
		put(sortedItem(op.Key, op.Field, op.Value, op.Score), "")
	case kvstore.AtomicZHAddNX:
		cond := absent()
		if cut := t.meta.cut(nowMillis()); cut > 0 {
			// A dead member (of an incarnation that expired) counts as absent.
			wt := e.name(attrWritten)
			cond += " OR attribute_not_exists(" + wt + ") OR " + wt + " < " + e.value(avN(cut))
		}
		put(sortedItem(op.Key, op.Field, op.Value, op.Score), cond)
	case kvstore.AtomicZHRem:
		del(sortedKey(op.Key, op.Field), "")
	case kvstore.AtomicSAdd:
		update(sAddUpdate(&e, op.Members), kindCondition(&e, kindSet))
	case kvstore.AtomicSRem:
		switch remaining := removeMembers(t.state.members, op.Members); {
		case !t.state.exists:
			check(absent())
		case len(remaining) == 0:
			del(valueKey(op.Key), unchanged())
		default:
			cond := unchanged()
			update("SET "+e.name(attrVersion)+" = "+e.value(newVersion())+" DELETE "+e.name(attrMembers)+" "+
				e.value(avBS(op.Members)), cond)
		}
	case kvstore.AtomicHSet:
		fields := lastFields(op.Fields)
		if t.state == nil {
			update(hSetUpdate(&e, fields), kindCondition(&e, kindHash))
			break
		}
		h := copyFields(t.state.fields)
		for _, f := range fields {
			h[f.Field] = f.Value
		}
		if err := checkHashSize(op.Key, h); err != nil {
			return it, err
		}
		put(hashItem(op.Key, t.state, h), unchanged())
	case kvstore.AtomicHSetNX:
		f := e.name(hashFieldAttr(op.Field))
		cond := "(" + kindCondition(&e, kindHash) + ") AND attribute_not_exists(" + f + ")"
		update(hSetUpdate(&e, []kvstore.HashField{{Field: op.Field, Value: op.Value}}), cond)
	case kvstore.AtomicHDel:
		h := copyFields(t.state.fields)
		for _, f := range op.Members {
			delete(h, f)
		}
		switch {
		case !t.state.exists:
			check(absent())
		case len(h) == 0:
			del(valueKey(op.Key), unchanged())
		default:
			cond := unchanged()
			u := hDelUpdate(&e, distinct(op.Members), newVersion())
			if len(u) > maxExpressionLen {
				put(hashItem(op.Key, t.state, h), cond)
			} else {
				update(u, cond)
			}
		}
	default:
		return it, kvstore.InvalidArgumentf("unknown atomic write operation %v", op.Kind)
	}
	names, values := e.Names(), e.Values()
	switch {
	case it.Put != nil:
		if it.Put.ConditionExpression == nil {
			it.Put.ReturnValuesOnConditionCheckFailure = ""
		} else {
			it.Put.ExpressionAttributeNames, it.Put.ExpressionAttributeValues = names, values
		}
	case it.Delete != nil:
		if it.Delete.ConditionExpression == nil {
			it.Delete.ReturnValuesOnConditionCheckFailure = ""
		} else {
			it.Delete.ExpressionAttributeNames, it.Delete.ExpressionAttributeValues = names, values
		}
	case it.Update != nil:
		it.Update.ExpressionAttributeNames, it.Update.ExpressionAttributeValues = names, values
	case it.ConditionCheck != nil:
		it.ConditionCheck.ExpressionAttributeNames, it.ConditionCheck.ExpressionAttributeValues = names, values
	}
	return it, nil
}

// metaUpdate is the transaction item that sets the expiry of an Expire's sorted data,
// on condition that its meta item is unchanged, or nil when the operation needs none
// beside its own item.
func (t *txOp) metaUpdate(table *string) *types.TransactWriteItem {
	if t.op.Kind != kvstore.AtomicExpire || !t.sortedLive {
		return nil
	}
	var e expr
	at := t.start + t.op.TTL.Milliseconds()
	u, arm := metaExpireUpdate(&e, t.meta, at, nowMillis())
	t.arm = arm
	cond := metaCondition(&e, t.meta)
	return &types.TransactWriteItem{Update: &types.Update{TableName: table, Key: metaKey(t.op.Key),
		UpdateExpression: aws.String(u), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}
}

// mustCounter is the counter of a string state checkState accepted.
func mustCounter(v *value) int64 {
	n, _ := kvstore.ParseCounter(v.str)
	return n
}

func copyFields(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// removeMembers returns the members of set not in remove.
func removeMembers(set, remove []string) []string {
	var out []string
	for _, m := range set {
		if !slices.Contains(remove, m) {
			out = append(out, m)
		}
	}
	return out
}

// checkHashSize checks the size of a whole hash as kvstore counts it.
func checkHashSize(key string, h map[string]string) error {
	size := 0
	for f, x := range h {
		size += kvstore.HashFieldSize(f, len(x))
	}
	return kvstore.CheckItemSize(key, kvstore.HashItemSize(key, size))
}

// hashItem is the whole item of the hash h at key, keeping the old item's expiry.
func hashItem(key string, old *value, h map[string]string) map[string]types.AttributeValue {
	item := valueKey(key)
	if old.present() {
		withExpiry(item, old.expiry)
	}
	item[attrKind], item[attrVersion] = avS(kindHash), newVersion()
	for f, x := range h {
		item[hashFieldAttr(f)] = avS(x)
	}
	return item
}

// cancelled works out why a transaction was cancelled from its per-item reasons.
// done is false when Exec should try again (after clearing shells, or reading items
// that changed); otherwise ok and err are Exec's result: an ErrWrongType,
// ErrNotInteger or ErrInvalidArgument first, then a conflict, then the failed
// conditions (Exec returns false and exactly those operations report
// ConditionalFailed).
func (b *Backend) cancelled(ctx context.Context, tx []*txOp, items []types.TransactWriteItem, tce *types.TransactionCanceledException) (done, ok bool, err error) {
	reasons := tce.CancellationReasons
	if len(reasons) != len(tx) {
		return true, false, fmt.Errorf("dynamodb: atomic write cancelled with %d reasons for %d items: %w", len(reasons), len(tx), tce)
	}
	var hard, conflict error
	userFailed, retry, throttled := false, false, false
	var shells []func() error
	for i, r := range reasons {
		t := tx[i]
		switch code := aws.ToString(r.Code); code {
		case "", "None":
		case "ConditionalCheckFailed":
			if isMetaItem(items[i]) {
				// The meta item changed since it was read: read it again.
				t.needsMeta, t.needsState, retry = true, true, true
				continue
			}
			outcome, err := b.classify(ctx, t, r.Item)
			switch {
			case err != nil:
				if hard == nil {
					hard = err
				}
			case outcome.userFailed:
				userFailed = true
				t.op.SetConditionalFailed(true)
			case outcome.shell != nil:
				v := outcome.shell
				shells = append(shells, func() error { return b.clearShell(ctx, "atomic write", t.op.Key, v) })
				retry = true
			default:
				retry = true
			}
		case "TransactionConflict":
			if conflict == nil {
				conflict = fmt.Errorf("dynamodb: atomic write: %w: key %q: %s", kvstore.ErrAtomicWriteConflict, truncate(t.op.Key), aws.ToString(r.Message))
			}
		case "ValidationError":
			if hard == nil {
				hard = fmt.Errorf("dynamodb: atomic write %s %q: %w: %s", t.op.Kind, truncate(t.op.Key), kvstore.ErrInvalidArgument, aws.ToString(r.Message))
			}
		case "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
			throttled = true
		default:
			if hard == nil {
				hard = fmt.Errorf("dynamodb: atomic write %s %q: cancelled (%s: %s): %w", t.op.Kind, truncate(t.op.Key), code, aws.ToString(r.Message), tce)
			}
		}
	}
	switch {
	case hard != nil:
		resetFailed(tx)
		return true, false, hard
	case conflict != nil:
		resetFailed(tx)
		return true, false, conflict
	case userFailed:
		return true, false, nil
	case retry || throttled:
		for _, clear := range shells {
			if err := clear(); err != nil {
				return true, false, err
			}
		}
		return false, false, nil
	}
	return true, false, fmt.Errorf("dynamodb: atomic write cancelled for no reason given: %w", tce)
}

// readRemovalMetas starts the consistent reads of the meta items of the keys the
// transaction's ZHRems remove from, sent with the transaction (see readMetas); nil
// when it has none. A key that the transaction also expires is left out: its meta
// item is read after the transaction (afterAtomicRemovals), which changes it.
func (b *Backend) readRemovalMetas(ctx context.Context, tx []*txOp) map[string]<-chan metaResult {
	expired := make(map[string]bool)
	for _, t := range tx {
		if t.op.Kind == kvstore.AtomicExpire {
			expired[t.op.Key] = true
		}
	}
	var keys []string
	for _, t := range tx {
		if t.op.Kind == kvstore.AtomicZHRem && !expired[t.op.Key] {
			keys = append(keys, t.op.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return b.readMetas(ctx, "atomic write", keys)
}

// afterAtomicRemovals ends the expiry of sorted data whose last member the
// transaction's ZHRems removed (see endIncarnation), given their meta items' reads
// (readRemovalMetas). The write is done: an error here only means that the expiry may
// outlive the members.
func (b *Backend) afterAtomicRemovals(ctx context.Context, tx []*txOp, metas map[string]<-chan metaResult, removed int64) error {
	var later []string
	for _, t := range tx {
		if _, ok := metas[t.op.Key]; !ok && t.op.Kind == kvstore.AtomicZHRem {
			later = append(later, t.op.Key)
		}
	}
	if len(later) > 0 {
		all := make(map[string]<-chan metaResult, len(metas)+len(later))
		maps.Copy(all, metas)
		maps.Copy(all, b.readMetas(ctx, "atomic write", later))
		metas = all
	}
	if len(metas) == 0 {
		return nil
	}
	errs := b.endIncarnations(ctx, "atomic write", metas, removed)
	all := make([]error, 0, len(errs))
	for _, err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// isMetaItem reports whether a transaction item writes a meta item.
func isMetaItem(it types.TransactWriteItem) bool {
	if it.Update == nil {
		return false
	}
	rk, _ := bytesOf(it.Update.Key[attrRK])
	return string(rk) == rkMeta
}

func resetFailed(tx []*txOp) {
	for _, t := range tx {
		t.op.SetConditionalFailed(false)
	}
}

// outcome is what a failed condition of one transaction item means.
type outcome struct {
	// userFailed is true when the operation's own condition (SetNX, SetXX, SetEQ,
	// DeleteXX, ZAddNX, HSetNX) failed.
	userFailed bool
	// shell is the shell the item was: clear it and try again.
	shell *value
}

// classify explains the failed condition of t's item from the item the failure
// returned (or a fresh read when it returned none); an error is the operation's own
// (ErrWrongType, ErrNotInteger). A zero outcome means: the item changed, try again.
func (b *Backend) classify(ctx context.Context, t *txOp, item map[string]types.AttributeValue) (outcome, error) {
	op := t.op
	switch op.Kind {
	case kvstore.AtomicSetXX, kvstore.AtomicSetEQ, kvstore.AtomicDeleteXX, kvstore.AtomicZHAddNX:
		return outcome{userFailed: true}, nil
	case kvstore.AtomicExpire:
		v, err := b.failedState(ctx, "atomic write", op.Key, item)
		if err != nil {
			return outcome{}, err
		}
		if !v.present() && !t.sortedLive {
			return outcome{userFailed: true}, nil
		}
		t.needsState, t.needsMeta = true, true // it changed since it was read
		return outcome{}, nil
	}
	fromFailure := len(item) > 0
	v, err := b.failedState(ctx, "atomic write", op.Key, item)
	if err != nil {
		return outcome{}, err
	}
	if v.shell() && op.Kind != kvstore.AtomicSRem && op.Kind != kvstore.AtomicHDel && !(op.Kind == kvstore.AtomicHSet && t.state != nil) {
		return outcome{shell: v}, nil
	}
	switch op.Kind {
	case kvstore.AtomicSetNX, kvstore.AtomicSetNXEX:
		if v.present() {
			return outcome{userFailed: true}, nil
		}
	case kvstore.AtomicHSetNX:
		if err := t.checkState(v); err != nil {
			return outcome{}, err
		}
		if _, ok := v.fields[op.Field]; ok {
			return outcome{userFailed: true}, nil
		}
	case kvstore.AtomicNIncrBy:
		if err := t.checkState(v); err != nil {
			return outcome{}, err
		}
		if v.present() && !v.isNumber {
			t.state = v // a counter stored as a string: rewrite it
		} else {
			t.state = nil
		}
		if fromFailure && v.isNumber {
			return outcome{}, corrupt(op.Key, errCounterCondition)
		}
	case kvstore.AtomicSAdd, kvstore.AtomicHSet, kvstore.AtomicSRem, kvstore.AtomicHDel:
		if err := t.checkState(v); err != nil {
			return outcome{}, err
		}
		if t.state != nil || op.Kind == kvstore.AtomicSRem || op.Kind == kvstore.AtomicHDel {
			t.needsState = true // the item changed since it was read: read it again
		}
	}
	return outcome{}, nil
}
