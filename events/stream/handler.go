package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/kvlambda/kvlambda/events/bus"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// The source and detail-type of the events the stream function publishes.
const (
	Source     = "kvlambda"
	DetailType = "kvstore.change"
)

// Config configures a Handler.
type Config struct {
	// Client publishes the events (*eventbridge.Client).
	Client PutEventsAPI
	// EventBus is the name or ARN of the bus; empty is the account's default bus.
	EventBus string
	// Logger receives one line per batch and one per failed record; nil discards
	// them.
	Logger *slog.Logger
	// Attempts is how many times an entry is tried before its record is reported as
	// failed (default 5); retries stop earlier when the invocation's time runs out.
	Attempts int
	// BackoffBase and BackoffMax bound the exponential backoff with full jitter
	// between attempts (defaults 100 ms and 2 s).
	BackoffBase, BackoffMax time.Duration
	// Concurrency is how many PutEvents calls are in flight at once (default 4).
	Concurrency int
	// Reserve is the time kept at the end of the invocation to answer Lambda
	// (default 1 s, at most half of what is left).
	Reserve time.Duration
	// DryRun logs each event instead of publishing it (local invokes without
	// EventBridge).
	DryRun bool
	// Reclaimer, when set, reclaims the storage of expired sorted data (see
	// Reclaimer); nil leaves it.
	Reclaimer Reclaimer
}

// Handler publishes the changes of a DynamoDB stream batch. It is safe for
// concurrent use.
type Handler struct {
	pub      publisher
	bus      *string
	log      *slog.Logger
	reserve  time.Duration
	dryRun   bool
	maxBytes int
	reclaim  Reclaimer
}

// New returns a Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Client == nil && !cfg.DryRun {
		return nil, errors.New("stream: no EventBridge client")
	}
	h := &Handler{
		pub: publisher{client: cfg.Client, attempts: cfg.Attempts, backoffBase: cfg.BackoffBase,
			backoffMax: cfg.BackoffMax, concurrency: cfg.Concurrency},
		log: cfg.Logger, reserve: cfg.Reserve, dryRun: cfg.DryRun, reclaim: cfg.Reclaimer,
		maxBytes: MaxCallBytes - entrySize(&types.PutEventsRequestEntry{Time: &time.Time{}, Source: aws.String(Source), DetailType: aws.String(DetailType)}),
	}
	if cfg.EventBus != "" {
		h.bus = aws.String(cfg.EventBus)
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.pub.attempts <= 0 {
		h.pub.attempts = 5
	}
	if h.pub.backoffBase <= 0 {
		h.pub.backoffBase = 100 * time.Millisecond
	}
	if h.pub.backoffMax < h.pub.backoffBase {
		h.pub.backoffMax = max(2*time.Second, h.pub.backoffBase)
	}
	if h.pub.concurrency <= 0 {
		h.pub.concurrency = 4
	}
	if h.reserve <= 0 {
		h.reserve = time.Second
	}
	return h, nil
}

// Handle is the Lambda handler: it decodes every record, publishes one
// kvstore.change event per change (except those of the bus function's markers) and
// reports the records whose events were not all published, by sequence number, so
// that Lambda retries from the first of them. With a Reclaimer, it first reclaims
// the expired sorted data of the batch (see reclaimAll). It never returns an error: a
// failure is a record's.
func (h *Handler) Handle(ctx context.Context, ev lambdaevents.DynamoDBEvent) (lambdaevents.DynamoDBEventResponse, error) {
	start := time.Now()
	ctx, cancel := h.publishContext(ctx)
	defer cancel()

	failed := make([]bool, len(ev.Records))
	decoded := make([][]kvdynamodb.Change, len(ev.Records))
	for i, rec := range ev.Records {
		changes, err := kvdynamodb.DecodeStreamRecord(rec)
		if err != nil {
			failed[i] = true
			h.log.ErrorContext(ctx, "stream record cannot be decoded", "sequence_number", rec.Change.SequenceNumber,
				"event_id", rec.EventID, "event_name", rec.EventName, "error", err.Error())
			continue
		}
		decoded[i] = changes
	}
	h.reclaimAll(ctx, ev.Records, decoded, failed)
	var entries []*entry
	skipped := 0
	for i, rec := range ev.Records {
		if failed[i] {
			continue
		}
		changes := decoded[i]
		recEntries, markers, err := h.recordEntries(i, rec, changes)
		if err != nil {
			failed[i] = true
			h.log.ErrorContext(ctx, "stream record cannot be published", "sequence_number", rec.Change.SequenceNumber,
				"event_id", rec.EventID, "error", err.Error())
			continue
		}
		entries, skipped = append(entries, recEntries...), skipped+markers
	}

	var unpublished []*entry
	if h.dryRun {
		bus := aws.ToString(h.bus)
		if bus == "" {
			bus = "default"
		}
		for _, e := range entries {
			h.log.InfoContext(ctx, "dry run: event not published", "source", Source, "detail-type", DetailType,
				"event_bus", bus, "detail", aws.ToString(e.req.Detail))
		}
	} else {
		unpublished = h.pub.publish(ctx, entries)
	}
	for _, e := range unpublished {
		if !failed[e.record] {
			failed[e.record] = true
			rec := ev.Records[e.record]
			h.log.ErrorContext(ctx, "stream record's events not published", "sequence_number", rec.Change.SequenceNumber,
				"event_id", rec.EventID, "error", e.lastErr)
		}
	}

	resp := lambdaevents.DynamoDBEventResponse{BatchItemFailures: []lambdaevents.DynamoDBBatchItemFailure{}}
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures,
				lambdaevents.DynamoDBBatchItemFailure{ItemIdentifier: ev.Records[i].Change.SequenceNumber})
		}
	}
	level := slog.LevelInfo
	if len(resp.BatchItemFailures) > 0 {
		level = slog.LevelWarn
	}
	h.log.Log(ctx, level, "stream batch done", "records", len(ev.Records), "events", len(entries)-len(unpublished),
		"events_failed", len(unpublished), "marker_changes_skipped", skipped,
		"records_failed", len(resp.BatchItemFailures), "dry_run", h.dryRun, "duration_ms", ms(time.Since(start)))
	return resp, nil
}

// recordEntries returns the entries of record i's changes, and how many changes of
// markers it left out.
func (h *Handler) recordEntries(i int, rec lambdaevents.DynamoDBEventRecord, changes []kvdynamodb.Change) ([]*entry, int, error) {
	var out []*entry
	markers := 0
	for _, c := range changes {
		if bus.IsMarkerKey(c.Key) {
			markers++
			continue
		}
		ds, ok := details(c, h.maxBytes)
		if !ok {
			return nil, 0, fmt.Errorf("a change of unknown op %q", c.Op)
		}
		for _, d := range ds {
			out = append(out, h.entry(i, rec, d))
		}
	}
	return out, markers, nil
}

// entry builds the PutEvents entry of one detail of record i.
func (h *Handler) entry(i int, rec lambdaevents.DynamoDBEventRecord, detail []byte) *entry {
	e := &entry{record: i, req: types.PutEventsRequestEntry{
		Source: aws.String(Source), DetailType: aws.String(DetailType),
		Detail: aws.String(string(detail)), EventBusName: h.bus,
	}}
	if t := rec.Change.ApproximateCreationDateTime.Time; !t.IsZero() {
		e.req.Time = aws.Time(t.UTC())
	}
	e.size = entrySize(&e.req)
	return e
}

// publishContext is ctx ending Reserve before the invocation's deadline (at most half
// the time left), so that the handler answers Lambda in time.
func (h *Handler) publishContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := min(h.reserve, time.Until(dl)/2)
	return context.WithDeadline(ctx, dl.Add(-reserve))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
