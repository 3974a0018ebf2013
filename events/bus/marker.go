package bus

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/kvlambda/kvlambda/events/commands"
)

// MarkerPrefix starts the key of every event marker: MarkerKey(id) is MarkerPrefix+id.
// Keys under it are reserved: the command layer refuses writes to them (so neither an
// event nor the data API can forge or remove a marker) and the stream function does
// not publish their changes.
const MarkerPrefix = commands.ReservedPrefix

// MarkerKey returns the key of the marker of the event with id.
func MarkerKey(id string) string { return MarkerPrefix + id }

// IsMarkerKey reports whether key is in the markers' reserved namespace.
func IsMarkerKey(key string) bool { return strings.HasPrefix(key, MarkerPrefix) }

// The outcomes a marker records.
const (
	markerApplied         = "applied"
	markerConditionFailed = "condition_failed"
)

// Marker is the value of an event's marker: a JSON object such as
// {"outcome":"applied","at":"2025-01-02T03:04:05.123Z","commands":2}.
type Marker struct {
	// Outcome is "applied" or "condition_failed".
	Outcome string `json:"outcome"`
	// At is when the bus function decided the event's outcome.
	At time.Time `json:"at"`
	// Commands is how many commands the event carried.
	Commands int `json:"commands"`
}

// markerValue encodes a marker.
func markerValue(outcome string, at time.Time, commands int) string {
	b, _ := json.Marshal(Marker{Outcome: outcome, At: at.UTC(), Commands: commands}) // cannot fail
	return string(b)
}

// ParseMarker decodes a marker's value.
func ParseMarker(value string) (Marker, error) {
	var m Marker
	err := json.Unmarshal([]byte(value), &m)
	return m, err
}
