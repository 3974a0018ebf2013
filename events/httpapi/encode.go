package httpapi

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"

	"github.com/kvlambda/kvlambda/events/commands"
)

// appendReply appends {"result":...} or {"error":"..."} for one reply.
func appendReply(b []byte, r commands.Reply, b64 bool) []byte {
	if e, ok := r.(*commands.Error); ok {
		b = append(b, `{"error":`...)
		b = appendString(b, e.Msg)
		return append(b, '}')
	}
	b = append(b, `{"result":`...)
	b = appendValue(b, r, b64)
	return append(b, '}')
}

// appendValue appends a reply value: null, an integer, a string (base64 of its bytes
// when b64, except the status OK) or an array of them.
func appendValue(b []byte, r commands.Reply, b64 bool) []byte {
	switch v := r.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case string:
		return appendData(b, v, b64)
	case commands.Status:
		if v == commands.OK {
			return appendString(b, string(v))
		}
		return appendData(b, string(v), b64)
	case []commands.Reply:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e, b64)
		}
		return append(b, ']')
	case *commands.Error:
		// Errors do not nest in arrays; kept as a string for safety.
		return appendString(b, v.Msg)
	}
	return append(b, "null"...)
}

func appendData(b []byte, s string, b64 bool) []byte {
	if !b64 {
		return appendString(b, s)
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, []byte(s))
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does (send Upstash-Encoding: base64 to get bytes back unchanged).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
