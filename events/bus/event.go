package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/kvstore"
)

// DetailType is the detail-type of the events the bus applies.
const DetailType = "kvstore.command"

// MaxCommands is the most commands one event may carry: an atomic write holds
// kvstore.MaxAtomicWriteOperations operations and the marker takes one. Commands that
// write several items (MSET, DEL k1 k2) take one operation per item.
const MaxCommands = kvstore.MaxAtomicWriteOperations - 1

// ErrMalformed matches the errors of events that can never be applied as they are: a
// malformed event, or commands the store refuses. Retrying them changes nothing.
var ErrMalformed = errors.New("malformed kvstore.command event")

// malformed returns an ErrMalformed error naming the event.
func malformed(id, format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrMalformed, id, fmt.Sprintf(format, args...))
}

// detail is the detail of a kvstore.command event.
type detail struct {
	Commands []json.RawMessage `json:"commands"`
}

// Decode checks a kvstore.command event and parses its commands. Every error matches
// ErrMalformed and names the event's id and what is wrong.
func Decode(ev lambdaevents.EventBridgeEvent) ([]commands.Command, error) {
	id := ev.ID
	if id == "" {
		return nil, malformed(id, "the event has no id")
	}
	if err := kvstore.ValidateKey(MarkerKey(id)); err != nil {
		return nil, malformed(id, "the event id is too long to key its marker (%d bytes)", len(id))
	}
	if ev.DetailType != DetailType {
		return nil, malformed(id, "detail-type is %q, not %q", printable(ev.DetailType), DetailType)
	}
	raw := bytes.TrimSpace(ev.Detail)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, malformed(id, `no detail: want {"commands": [["SET","k","v"], ...]}`)
	}
	var d detail
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, malformed(id, `detail is not {"commands": [["SET","k","v"], ...]}: %v`, err)
	}
	if dec.More() {
		return nil, malformed(id, "detail has data after its JSON object")
	}
	switch {
	case len(d.Commands) == 0:
		return nil, malformed(id, `no commands: want {"commands": [["SET","k","v"], ...]}`)
	case len(d.Commands) > MaxCommands:
		return nil, malformed(id, "%d commands: at most %d fit in one atomic write with the event's marker", len(d.Commands), MaxCommands)
	}
	cmds := make([]commands.Command, len(d.Commands))
	for i, r := range d.Commands {
		c, e := commands.DecodeJSON(r)
		if e != nil {
			return nil, malformed(id, "command %d: %s", i+1, e.Msg)
		}
		switch {
		case !c.IsWrite():
			return nil, malformed(id, "command %d: %s is not a write command", i+1, c.Name)
		case !c.Atomic():
			return nil, malformed(id, "command %d: %s cannot be part of an atomic write (supported: %s)", i+1, c.Name, commands.AtomicWriteSupported)
		}
		cmds[i] = c
	}
	return cmds, nil
}

// printable shortens and cleans an event-supplied text for an error message.
func printable(s string) string {
	if len(s) > 128 {
		s = s[:128] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}
