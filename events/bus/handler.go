package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/kvstore"
)

// Outcome is what applying an event did.
type Outcome int

// The outcomes of Apply.
const (
	// Applied: the event's commands were written, with its marker.
	Applied Outcome = iota + 1
	// ConditionFailed: a command's own condition failed; nothing of the event was
	// written and its marker records that outcome.
	ConditionFailed
	// Duplicate: the event's marker was already there; nothing was written.
	Duplicate
)

var outcomeNames = [...]string{"", "applied", "condition_failed", "duplicate"}

// String returns the outcome's name as logged: applied, condition_failed, duplicate.
func (o Outcome) String() string {
	if o > 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is the outcome of one event.
type Result struct {
	Outcome Outcome
	// Replies are the commands' Redis replies when Applied (for the log and tests).
	Replies []commands.Reply
	// ConditionFailed lists, when the outcome is ConditionFailed, the 1-based numbers of
	// the commands whose condition failed.
	ConditionFailed []int
}

// Config configures a Handler.
type Config struct {
	// Backend is the store the commands write to.
	Backend kvstore.Backend
	// Logger receives one line per event; nil discards them.
	Logger *slog.Logger
	// Now returns the time recorded in markers (default time.Now).
	Now func() time.Time
}

// Handler applies kvstore.command events. It is safe for concurrent use.
type Handler struct {
	backend kvstore.Backend
	exec    *commands.Executor
	log     *slog.Logger
	now     func() time.Time
}

// New returns a Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Backend == nil {
		return nil, errors.New("bus: no backend")
	}
	h := &Handler{backend: cfg.Backend, exec: commands.NewExecutor(cfg.Backend), log: cfg.Logger, now: cfg.Now}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h, nil
}

// Handle is the Lambda handler: it applies ev and returns nil when its outcome is
// final (applied, condition failed or duplicate), or an error naming the event when
// it was refused (ErrMalformed) or the store failed.
func (h *Handler) Handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
	_, err := h.Apply(ctx, ev)
	return err
}

// Apply applies ev once (see the package documentation) and logs the outcome.
func (h *Handler) Apply(ctx context.Context, ev lambdaevents.EventBridgeEvent) (Result, error) {
	start := time.Now()
	log := h.log.With("event_id", ev.ID, "source", ev.Source)
	cmds, err := Decode(ev)
	if err != nil {
		log.ErrorContext(ctx, "event refused", "error", err.Error())
		return Result{}, err
	}
	res, err := h.apply(ctx, ev.ID, cmds)
	elapsed := time.Since(start)
	switch {
	case err != nil && errors.Is(err, ErrMalformed):
		log.ErrorContext(ctx, "event refused", "commands", len(cmds), "error", err.Error())
	case err != nil:
		log.ErrorContext(ctx, "event not applied, to be retried", "commands", len(cmds), "error", err.Error())
	case res.Outcome == ConditionFailed:
		log.InfoContext(ctx, "event discarded: a condition failed", "outcome", res.Outcome.String(),
			"commands", len(cmds), "failed_commands", res.ConditionFailed, "duration_ms", ms(elapsed))
	case res.Outcome == Duplicate:
		log.InfoContext(ctx, "event already handled: duplicate delivery ignored", "outcome", res.Outcome.String(),
			"commands", len(cmds), "duration_ms", ms(elapsed))
	default:
		log.InfoContext(ctx, "event applied", "outcome", res.Outcome.String(),
			"commands", len(cmds), "duration_ms", ms(elapsed))
	}
	return res, err
}

// apply runs the commands and the marker as one atomic write.
func (h *Handler) apply(ctx context.Context, id string, cmds []commands.Command) (Result, error) {
	key := MarkerKey(id)
	applied := markerValue(markerApplied, h.now(), len(cmds))
	var marker kvstore.AtomicWriteResult
	res, e := h.exec.ExecAtomic(ctx, cmds, func(w kvstore.AtomicWriteOperation) {
		marker = w.SetNX(key, applied)
	})
	if e != nil {
		return h.refused(ctx, id, e)
	}
	if res.Committed {
		return Result{Outcome: Applied, Replies: res.Replies}, nil
	}
	if marker != nil && marker.ConditionalFailed() {
		return Result{Outcome: Duplicate}, nil
	}
	var failed []int
	for i, f := range res.ConditionFailed {
		if f {
			failed = append(failed, i+1)
		}
	}
	if len(failed) == 0 {
		return Result{}, fmt.Errorf("event %q: the atomic write was not applied and reported no failed condition", id)
	}
	// The outcome is decided: record it, so that a later delivery cannot apply the
	// event once the condition holds. A concurrent delivery may have decided first.
	ok, err := h.backend.SetNX(ctx, key, markerValue(markerConditionFailed, h.now(), len(cmds)))
	if err != nil {
		return Result{}, fmt.Errorf("event %q: recording its outcome (a condition failed): %w", id, err)
	}
	if !ok {
		return Result{Outcome: Duplicate}, nil
	}
	return Result{Outcome: ConditionFailed, ConditionFailed: failed}, nil
}

// refused turns ExecAtomic's error into the event's error. A delivery whose commands
// the store refuses (WRONGTYPE, say) may be a redelivery of an event applied when the
// data was different: when its marker is there, it is a duplicate, not an error.
func (h *Handler) refused(ctx context.Context, id string, e *commands.Error) (Result, error) {
	if e.Internal {
		if cause := e.Unwrap(); cause != nil {
			return Result{}, fmt.Errorf("event %q: %s: %w", id, e.Msg, cause)
		}
		return Result{}, fmt.Errorf("event %q: %s", id, e.Msg)
	}
	m, err := h.backend.Get(ctx, MarkerKey(id))
	switch {
	case err != nil:
		return Result{}, fmt.Errorf("event %q: %s; reading its marker: %w", id, e.Msg, err)
	case m != nil:
		return Result{Outcome: Duplicate}, nil
	}
	return Result{}, malformed(id, "%s", e.Msg)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
