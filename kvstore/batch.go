package kvstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// BatchOperation queues operations that Exec runs in as few round trips as the
// backend allows. A batch is for fewer round trips, not atomicity. Any number of
// operations may be queued; several writes to one key take effect in the order they
// were queued. Whether a read sees a write queued in the same batch is unspecified.
// Each result's Result is valid after Exec.
type BatchOperation interface {
	Get(key string) GetResult
	Set(key string, value any) ErrorResult
	Delete(key string) ErrorResult
	SMembers(key string) SMembersResult
	SAdd(key string, member any, members ...any) ErrorResult
	SRem(key string, member any, members ...any) ErrorResult
	ZAdd(key string, member any, score float64) ErrorResult
	ZRem(key string, member any) ErrorResult
	ZScore(key string, member any) ZScoreResult
	HGetAll(key string) HGetAllResult
	// Exec runs the queued operations. It returns an error when any operation failed
	// (each result then holds its own); when any operation was invalid it runs none
	// and returns an ErrInvalidArgument.
	Exec(ctx context.Context) error
}

// GetResult is a batched Get's result.
type GetResult interface{ Result() (*string, error) }

// ErrorResult is a batched write's result.
type ErrorResult interface{ Result() error }

// SMembersResult is a batched SMembers' result.
type SMembersResult interface{ Result() ([]string, error) }

// ZScoreResult is a batched ZScore's result.
type ZScoreResult interface{ Result() (*float64, error) }

// HGetAllResult is a batched HGetAll's result.
type HGetAllResult interface {
	Result() (map[string]string, error)
}

// BatchOpKind names the kind of a queued batch operation.
type BatchOpKind int

// The kinds of batch operations.
const (
	BatchGet BatchOpKind = iota + 1
	BatchSet
	BatchDelete
	BatchSMembers
	BatchSAdd
	BatchSRem
	BatchZAdd
	BatchZRem
	BatchZScore
	BatchHGetAll
)

var batchOpNames = [...]string{"", "Get", "Set", "Delete", "SMembers", "SAdd", "SRem", "ZAdd", "ZRem", "ZScore", "HGetAll"}

// String returns the operation's method name.
func (k BatchOpKind) String() string {
	if k > 0 && int(k) < len(batchOpNames) {
		return batchOpNames[k]
	}
	return fmt.Sprintf("BatchOpKind(%d)", int(k))
}

// IsWrite reports whether the operation writes.
func (k BatchOpKind) IsWrite() bool {
	switch k {
	case BatchSet, BatchDelete, BatchSAdd, BatchSRem, BatchZAdd, BatchZRem:
		return true
	}
	return false
}

// BatchOp is one validated batch operation as BatchOps records it, with the result
// fields its backend's Exec fills in.
type BatchOp struct {
	Kind BatchOpKind
	Key  string
	// Value is Set's value.
	Value string
	// Members are SAdd's and SRem's members; ZAdd, ZRem and ZScore use Members[0].
	Members []string
	// Score is ZAdd's score.
	Score float64

	// Err is the operation's error.
	Err error
	// String is Get's result.
	String *string
	// Strings is SMembers' result.
	Strings []string
	// Float is ZScore's result.
	Float *float64
	// Map is HGetAll's result.
	Map map[string]string
}

type (
	getResult      struct{ op *BatchOp }
	errorResult    struct{ op *BatchOp }
	sMembersResult struct{ op *BatchOp }
	zScoreResult   struct{ op *BatchOp }
	hGetAllResult  struct{ op *BatchOp }
)

func (r getResult) Result() (*string, error)               { return r.op.String, r.op.Err }
func (r errorResult) Result() error                        { return r.op.Err }
func (r sMembersResult) Result() ([]string, error)         { return r.op.Strings, r.op.Err }
func (r zScoreResult) Result() (*float64, error)           { return r.op.Float, r.op.Err }
func (r hGetAllResult) Result() (map[string]string, error) { return r.op.Map, r.op.Err }

// BatchOps records and validates batch operations. A backend embeds it and adds
// Exec, which calls Operations.
type BatchOps struct {
	ops     []*BatchOp
	invalid bool
}

func (b *BatchOps) add(op *BatchOp, err error) *BatchOp {
	if err == nil {
		err = ValidateKey(op.Key)
	}
	if err != nil {
		op.Err = fmt.Errorf("batch %s: %w", op.Kind, err)
		b.invalid = true
	}
	b.ops = append(b.ops, op)
	return op
}

// Get queues a Get.
func (b *BatchOps) Get(key string) GetResult {
	return getResult{b.add(&BatchOp{Kind: BatchGet, Key: key}, nil)}
}

// Set queues a Set.
func (b *BatchOps) Set(key string, value any) ErrorResult {
	s, err := ToString(value)
	if err == nil {
		err = CheckItemSize(key, StringItemSize(key, len(s)))
	}
	return errorResult{b.add(&BatchOp{Kind: BatchSet, Key: key, Value: s}, err)}
}

// Delete queues a Delete.
func (b *BatchOps) Delete(key string) ErrorResult {
	return errorResult{b.add(&BatchOp{Kind: BatchDelete, Key: key}, nil)}
}

// SMembers queues an SMembers.
func (b *BatchOps) SMembers(key string) SMembersResult {
	return sMembersResult{b.add(&BatchOp{Kind: BatchSMembers, Key: key}, nil)}
}

func (b *BatchOps) setMembers(kind BatchOpKind, key string, member any, members []any) *BatchOp {
	ms, err := SetMembers(key, member, members)
	return b.add(&BatchOp{Kind: kind, Key: key, Members: ms}, err)
}

// SAdd queues an SAdd.
func (b *BatchOps) SAdd(key string, member any, members ...any) ErrorResult {
	return errorResult{b.setMembers(BatchSAdd, key, member, members)}
}

// SRem queues an SRem.
func (b *BatchOps) SRem(key string, member any, members ...any) ErrorResult {
	return errorResult{b.setMembers(BatchSRem, key, member, members)}
}

func (b *BatchOps) sorted(kind BatchOpKind, key string, member any, score float64) *BatchOp {
	m, err := SortedField(member)
	if err == nil && kind == BatchZAdd {
		m, score, err = SortedEntry(key, m, m, score)
	}
	return b.add(&BatchOp{Kind: kind, Key: key, Members: []string{m}, Score: score}, err)
}

// ZAdd queues a ZAdd.
func (b *BatchOps) ZAdd(key string, member any, score float64) ErrorResult {
	return errorResult{b.sorted(BatchZAdd, key, member, score)}
}

// ZRem queues a ZRem.
func (b *BatchOps) ZRem(key string, member any) ErrorResult {
	return errorResult{b.sorted(BatchZRem, key, member, 0)}
}

// ZScore queues a ZScore.
func (b *BatchOps) ZScore(key string, member any) ZScoreResult {
	return zScoreResult{b.sorted(BatchZScore, key, member, 0)}
}

// HGetAll queues an HGetAll.
func (b *BatchOps) HGetAll(key string) HGetAllResult {
	return hGetAllResult{b.add(&BatchOp{Kind: BatchHGetAll, Key: key}, nil)}
}

// Operations returns the queued operations. When any of them is invalid it returns an
// ErrInvalidArgument and marks every valid operation as not run, so that nothing of
// the batch is written.
func (b *BatchOps) Operations() ([]*BatchOp, error) {
	if !b.invalid {
		return b.ops, nil
	}
	var first error
	for _, op := range b.ops {
		if op.Err != nil && first == nil {
			first = op.Err
		}
	}
	for _, op := range b.ops {
		if op.Err == nil {
			op.Err = fmt.Errorf("%w: batch not run: %v", ErrInvalidArgument, first)
		}
	}
	return nil, first
}

// BatchError returns nil when no operation failed, or an error that joins the first
// few operations' errors.
func BatchError(ops []*BatchOp) error {
	var errs []error
	failed := 0
	for _, op := range ops {
		if op.Err != nil {
			failed++
			if len(errs) < 3 {
				errs = append(errs, op.Err)
			}
		}
	}
	if failed == 0 {
		return nil
	}
	return fmt.Errorf("batch: %d of %d operations failed: %w", failed, len(ops), errors.Join(errs...))
}

// DefaultFallbackConcurrency is how many keys a fallback batch works on at once.
const DefaultFallbackConcurrency = 16

// NewFallbackBatch returns a batch that any backend can use: Exec runs each
// operation through the backend's own methods, the operations on one key in the
// order they were queued and different keys concurrently, up to
// DefaultFallbackConcurrency at a time.
func NewFallbackBatch(b Backend) BatchOperation {
	return &fallbackBatch{backend: b}
}

type fallbackBatch struct {
	BatchOps
	backend Backend
}

func (f *fallbackBatch) Exec(ctx context.Context) error {
	ops, err := f.Operations()
	if err != nil {
		return err
	}
	ExecBatchOpsByKey(ctx, ops, DefaultFallbackConcurrency, func(ctx context.Context, op *BatchOp) {
		ExecBatchOp(ctx, f.backend, op)
	})
	return BatchError(ops)
}

// ExecBatchOpsByKey calls run for every operation: those on one key one after the
// other in queue order, different keys concurrently, at most concurrency at a time.
// A concurrency below 2 runs everything in order on the caller's goroutine.
func ExecBatchOpsByKey(ctx context.Context, ops []*BatchOp, concurrency int, run func(context.Context, *BatchOp)) {
	if concurrency < 2 || len(ops) < 2 {
		for _, op := range ops {
			run(ctx, op)
		}
		return
	}
	groups := make(map[string][]*BatchOp)
	var order []string
	for _, op := range ops {
		if _, ok := groups[op.Key]; !ok {
			order = append(order, op.Key)
		}
		groups[op.Key] = append(groups[op.Key], op)
	}
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for _, key := range order {
		group := groups[key]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			for _, op := range group {
				run(ctx, op)
			}
		}()
	}
	wg.Wait()
}

// ExecBatchOp runs one batch operation through a backend's single-operation methods,
// filling in its result.
func ExecBatchOp(ctx context.Context, b Backend, op *BatchOp) {
	if err := ctx.Err(); err != nil {
		op.Err = err
		return
	}
	switch op.Kind {
	case BatchGet:
		op.String, op.Err = b.Get(ctx, op.Key)
	case BatchSet:
		op.Err = b.Set(ctx, op.Key, op.Value)
	case BatchDelete:
		_, op.Err = b.Delete(ctx, op.Key)
	case BatchSMembers:
		op.Strings, op.Err = b.SMembers(ctx, op.Key)
	case BatchSAdd:
		op.Err = b.SAdd(ctx, op.Key, op.Members[0], stringsToAny(op.Members[1:])...)
	case BatchSRem:
		op.Err = b.SRem(ctx, op.Key, op.Members[0], stringsToAny(op.Members[1:])...)
	case BatchZAdd:
		op.Err = b.ZAdd(ctx, op.Key, op.Members[0], op.Score)
	case BatchZRem:
		op.Err = b.ZRem(ctx, op.Key, op.Members[0])
	case BatchZScore:
		op.Float, op.Err = b.ZScore(ctx, op.Key, op.Members[0])
	case BatchHGetAll:
		op.Map, op.Err = b.HGetAll(ctx, op.Key)
	default:
		op.Err = invalidf("unknown batch operation %v", op.Kind)
	}
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
