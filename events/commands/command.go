package commands

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Command is one parsed Redis command: its name (upper case) and its arguments
// (everything after the name, as sent). A Command returned by Parse names a known
// command with a valid number of arguments.
type Command struct {
	// Name is the command's name in upper case, such as "SET".
	Name string
	// Args are the command's arguments, without the name.
	Args []string
	spec *spec
}

// IsWrite reports whether the command may write (SET, INCR, ZADD, ...). Reads (GET,
// ZRANGE, PING, ...) are allowed with a read-only token; writes are not.
func (c Command) IsWrite() bool { return c.spec != nil && c.spec.write }

// Atomic reports whether the command can be part of an atomic write (ExecAtomic): a
// write whose reply is known exactly without reading outside the atomic write.
func (c Command) Atomic() bool { return c.spec != nil && c.spec.canAtomic(c.Args) }

// Parse parses a command given as its name followed by its arguments. An empty list,
// an unknown command or a wrong number of arguments is an error reply with Redis' text.
func Parse(args []string) (Command, *Error) {
	if len(args) == 0 {
		return Command{}, Errorf("ERR empty command")
	}
	name := strings.ToUpper(args[0])
	sp := specs[name]
	if sp == nil {
		return Command{}, Errorf("ERR unknown command '%s'", printable(args[0]))
	}
	n := len(args)
	if (sp.arity > 0 && n != sp.arity) || (sp.arity < 0 && n < -sp.arity) || (sp.maxArgs > 0 && n > sp.maxArgs) {
		return Command{}, errWrongArgs(sp.name)
	}
	if sp.pairs > 0 && (n-sp.pairsFrom)%sp.pairs != 0 {
		return Command{}, errWrongArgs(sp.name)
	}
	c := Command{Name: name, Args: args[1:], spec: sp}
	for _, k := range c.WriteKeys() {
		if strings.HasPrefix(k, ReservedPrefix) {
			return Command{}, Errorf("ERR %s writes %q, under the reserved prefix %q", name, printable(k), ReservedPrefix)
		}
	}
	return c, nil
}

// ReservedPrefix starts the keys kvlambda keeps for itself: the bus function's event
// markers. Parse refuses every write to a key under it, so neither the data API nor
// an EventBridge command can forge or remove a marker; reads are allowed.
const ReservedPrefix = "kvlambda:event:"

// WriteKeys returns the keys a write command writes (every other argument of MSET,
// every argument of DEL, the first argument of every other write), or nil for a read.
func (c Command) WriteKeys() []string {
	if !c.IsWrite() || len(c.Args) == 0 {
		return nil
	}
	switch c.Name {
	case "MSET":
		keys := make([]string, 0, (len(c.Args)+1)/2)
		for i := 0; i < len(c.Args); i += 2 {
			keys = append(keys, c.Args[i])
		}
		return keys
	case "DEL":
		return c.Args
	}
	return c.Args[:1]
}

// printable shortens and cleans a client-supplied name for an error text.
func printable(s string) string {
	if len(s) > 128 {
		s = s[:128]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\'' {
			return '?'
		}
		return r
	}, s)
}

// DecodeJSON parses one command from a JSON array such as ["SET","k","v","NX"].
// Arguments may be strings, numbers (kept as their original text, so 0.1 stays
// "0.1") or booleans ("true", "false"); null, objects and nested arrays are an error.
func DecodeJSON(data []byte) (Command, *Error) {
	if args, ok := plainStrings(data); ok {
		return Parse(args)
	}
	var raw []json.RawMessage
	if err := unmarshal(data, &raw); err != nil {
		return Command{}, Errorf("ERR request body must be a JSON array of strings: [\"SET\",\"key\",\"value\"]")
	}
	args, e := Args(raw)
	if e != nil {
		return Command{}, e
	}
	return Parse(args)
}

// plainStrings is DecodeJSON's fast path: it decodes a non-empty JSON array of
// strings without escapes, control characters or invalid UTF-8 (the usual request),
// whose JSON decoding is the bytes between the quotes. For anything else it returns
// false, and DecodeJSON takes encoding/json's path, which gives the same result for
// every input this accepts.
func plainStrings(data []byte) ([]string, bool) {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '[' {
		return nil, false
	}
	// The commas bound the element count: one allocation for a usual command, and
	// at most 32 strings' room for a body full of commas.
	args := make([]string, 0, min(bytes.Count(data, []byte{','})+1, 32))
	i++
	for {
		i = skipSpace(data, i)
		if i == len(data) || data[i] != '"' {
			return nil, false
		}
		i++
		start, ascii := i, true
		for ; i < len(data); i++ {
			c := data[i]
			if c == '"' {
				break
			}
			if c == '\\' || c < 0x20 {
				return nil, false
			}
			if c >= utf8.RuneSelf {
				ascii = false
			}
		}
		if i == len(data) || (!ascii && !utf8.Valid(data[start:i])) {
			return nil, false
		}
		args = append(args, string(data[start:i]))
		i = skipSpace(data, i+1)
		if i == len(data) {
			return nil, false
		}
		switch data[i] {
		case ',':
			i++
			continue
		case ']':
			if skipSpace(data, i+1) != len(data) {
				return nil, false
			}
			return args, true
		}
		return nil, false
	}
}

// skipSpace returns the index of the first byte from i on that is not JSON
// whitespace.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// Args converts a command's JSON elements to strings as DecodeJSON does.
func Args(raw []json.RawMessage) ([]string, *Error) {
	args := make([]string, len(raw))
	for i, r := range raw {
		r = bytes.TrimSpace(r)
		if len(r) == 0 {
			return nil, errBadArgument
		}
		switch r[0] {
		case '"':
			if err := json.Unmarshal(r, &args[i]); err != nil {
				return nil, errBadArgument
			}
		case 't', 'f':
			var b bool
			if err := json.Unmarshal(r, &b); err != nil {
				return nil, errBadArgument
			}
			args[i] = string(r)
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			var n json.Number
			if err := unmarshal(r, &n); err != nil {
				return nil, errBadArgument
			}
			args[i] = n.String()
		default:
			return nil, errBadArgument
		}
	}
	return args, nil
}

var errBadArgument = Errorf("ERR command arguments must be strings, numbers or booleans")

// unmarshal decodes JSON keeping numbers as their text and refusing trailing data.
func unmarshal(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(data[d.InputOffset():])) != 0 {
		return errSyntax
	}
	return nil
}
