package stream

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/kvlambda/kvlambda/events/commands"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// Detail is the detail of a kvstore.change event: one change, as the design's table
// lists them. Strings are UTF-8, or, when any of the change's strings is not valid
// UTF-8, all of them are standard base64 and Base64 is true. Scores are strings
// formatted as the data API formats them (commands.FormatScore).
type Detail struct {
	Op  string `json:"op"`
	Key string `json:"key"`
	// Value is the string written by a set; nil otherwise.
	Value *string `json:"value,omitempty"`
	// Members are the set members of sadd and srem.
	Members []string `json:"members,omitempty"`
	// Fields are hset's fields and values (a JSON object) or hdel's field names (an
	// array).
	Fields any `json:"fields,omitempty"`
	// Field is the sorted-hash field of zhadd and zhrem (and of an expired one).
	Field *string `json:"field,omitempty"`
	// Member is the sorted-set member of zadd and zrem, or the member zhadd writes.
	Member *string `json:"member,omitempty"`
	// Score is the score zadd and zhadd write.
	Score string `json:"score,omitempty"`
	// Base64 says that every key, value, member and field above is base64.
	Base64 bool `json:"base64,omitempty"`
	// Truncated says that the value or member was left out: with it the event would
	// exceed EventBridge's size limit. Read it from the store.
	Truncated bool `json:"truncated,omitempty"`
}

// details returns the change's event details, each encoding to at most maxBytes:
// usually one; a sadd, srem, hset or hdel too large for one event is split into
// several of the same op, and a value or member too large for any is left out
// (Truncated). A change of an unknown op yields none and false.
func details(c kvdynamodb.Change, maxBytes int) ([][]byte, bool) {
	enc := newEncoder(c)
	d := Detail{Op: string(c.Op), Key: enc.str(c.Key), Base64: enc.b64}
	switch c.Op {
	case kvdynamodb.OpSet:
		d.Value = enc.ptr(c.Value)
	case kvdynamodb.OpDel:
	case kvdynamodb.OpExpired:
		switch c.Kind {
		case kvdynamodb.KindSortedSet:
			d.Member = enc.ptr(c.Member)
		case kvdynamodb.KindSortedHash:
			d.Field = enc.ptr(c.Field)
		}
	case kvdynamodb.OpSAdd, kvdynamodb.OpSRem:
		return split(d, enc.strs(c.Members), maxBytes,
			func(d *Detail, part []string) { d.Members = part },
			func(d *Detail, _ []string) { d.Members = nil }), true
	case kvdynamodb.OpHSet:
		names := slices.Sorted(maps.Keys(c.Fields))
		return split(d, names, maxBytes, func(d *Detail, part []string) {
			m := make(map[string]string, len(part))
			for _, f := range part {
				m[enc.str(f)] = enc.str(c.Fields[f])
			}
			d.Fields = m
		}, func(d *Detail, part []string) {
			d.Fields = map[string]*string{enc.str(part[0]): nil} // the field, without its value
		}), true
	case kvdynamodb.OpHDel:
		return split(d, enc.strs(c.FieldNames), maxBytes,
			func(d *Detail, part []string) { d.Fields = part },
			func(d *Detail, _ []string) { d.Fields = nil }), true
	case kvdynamodb.OpZAdd, kvdynamodb.OpZRem:
		d.Member = enc.ptr(c.Member)
		if c.Op == kvdynamodb.OpZAdd {
			d.Score = commands.FormatScore(c.Score)
		}
	case kvdynamodb.OpZHAdd:
		d.Field, d.Member, d.Score = enc.ptr(c.Field), enc.ptr(c.Member), commands.FormatScore(c.Score)
	case kvdynamodb.OpZHRem:
		d.Field = enc.ptr(c.Field)
	default:
		return nil, false
	}
	b := marshal(d)
	if len(b) > maxBytes && (d.Value != nil || d.Member != nil) {
		d.Value, d.Truncated = nil, true
		if c.Op == kvdynamodb.OpZHAdd {
			d.Member = nil
		}
		b = marshal(d)
	}
	return [][]byte{b}, true
}

// split encodes d with the parts of items that fill sets, as few details of at most
// maxBytes as it can. An item too large for a detail of its own is left out by
// shrink, and the detail says Truncated.
func split(d Detail, items []string, maxBytes int, fill, shrink func(*Detail, []string)) [][]byte {
	fill(&d, items)
	b := marshal(d)
	switch {
	case len(b) <= maxBytes:
		return [][]byte{b}
	case len(items) == 1:
		shrink(&d, items)
		d.Truncated = true
		return [][]byte{marshal(d)}
	}
	half := len(items) / 2
	return append(split(d, items[:half], maxBytes, fill, shrink), split(d, items[half:], maxBytes, fill, shrink)...)
}

// marshal encodes a detail without escaping <, > and & (json.Marshal would).
func marshal(d Detail) []byte {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	_ = e.Encode(d) // strings, slices and maps of strings: cannot fail
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// encoder writes a change's strings as they are or, when one of them is not valid
// UTF-8, all of them in base64.
type encoder struct{ b64 bool }

func newEncoder(c kvdynamodb.Change) encoder {
	ok := utf8.ValidString(c.Key) && utf8.ValidString(c.Value) && utf8.ValidString(c.Field) && utf8.ValidString(c.Member)
	for _, m := range c.Members {
		ok = ok && utf8.ValidString(m)
	}
	for _, f := range c.FieldNames {
		ok = ok && utf8.ValidString(f)
	}
	for f, v := range c.Fields {
		ok = ok && utf8.ValidString(f) && utf8.ValidString(v)
	}
	return encoder{b64: !ok}
}

func (e encoder) str(s string) string {
	if e.b64 {
		return base64.StdEncoding.EncodeToString([]byte(s))
	}
	return s
}

func (e encoder) ptr(s string) *string {
	s = e.str(s)
	return &s
}

func (e encoder) strs(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = e.str(s)
	}
	return out
}
