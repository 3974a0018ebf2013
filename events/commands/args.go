package commands

import (
	"math"
	"strconv"
	"strings"

	"github.com/kvlambda/kvlambda/kvstore"
)

// parseInt parses an integer argument as Redis does: a canonical decimal int64.
func parseInt(s string) (int64, *Error) {
	n, err := kvstore.ParseCounter(s)
	if err != nil {
		return 0, errNotInteger
	}
	return n, nil
}

// parseFloat parses a float argument as Redis' strtod-based parsing does: decimal
// or hexadecimal notation, "inf", "+inf", "-inf"; no spaces, no NaN, no overflow.
func parseFloat(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, " \t\r\n\v\f_") {
		return 0, false
	}
	if isHex(s) && !strings.ContainsAny(s, "pP") {
		s += "p0" // strtod reads hexadecimal without an exponent; ParseFloat wants one
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func isHex(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
}

// scoreBound is a parsed score range bound: "1.5", "(1.5" (exclusive), "-inf", "+inf".
type scoreBound struct {
	value     float64
	exclusive bool
}

func parseScoreBound(s string) (scoreBound, *Error) {
	b := scoreBound{}
	if strings.HasPrefix(s, "(") {
		b.exclusive = true
		s = s[1:]
	}
	f, ok := parseFloat(s)
	if !ok {
		return b, &Error{Msg: msgRangeFloat}
	}
	b.value = f
	return b, nil
}

// scoreRange turns two bounds into kvstore's inclusive range. Scores are float64, so
// an exclusive bound is the next float64 inward. ok is false when the range is empty
// whatever the data (an exclusive +inf minimum, an exclusive -inf maximum).
func scoreRange(lo, hi scoreBound) (min, max float64, ok bool) {
	min, max = lo.value, hi.value
	if lo.exclusive {
		if math.IsInf(min, 1) {
			return 0, 0, false
		}
		min = math.Nextafter(min, math.Inf(1))
	}
	if hi.exclusive {
		if math.IsInf(max, -1) {
			return 0, 0, false
		}
		max = math.Nextafter(max, math.Inf(-1))
	}
	return min, max, min <= max
}

func parseScoreRange(minArg, maxArg string) (min, max float64, ok bool, e *Error) {
	lo, e := parseScoreBound(minArg)
	if e != nil {
		return 0, 0, false, e
	}
	hi, e := parseScoreBound(maxArg)
	if e != nil {
		return 0, 0, false, e
	}
	min, max, ok = scoreRange(lo, hi)
	return min, max, ok, nil
}

func parseLexRange(minArg, maxArg string) *Error {
	if _, _, err := kvstore.ParseLexRange(minArg, maxArg); err != nil {
		return &Error{Msg: msgRangeLex}
	}
	return nil
}

// limitArgs is a parsed LIMIT offset count.
type limitArgs struct {
	set           bool
	offset, count int64
}

// fetch returns the kvstore limit that covers the requested window (0: no limit)
// and whether the window is empty.
func (l limitArgs) fetch() (limit int, empty bool) {
	if !l.set {
		return 0, false
	}
	if l.offset < 0 || l.count == 0 {
		return 0, true
	}
	if l.count < 0 {
		return 0, false
	}
	total := l.offset + l.count
	if total < 0 || total > math.MaxInt32 {
		return 0, false
	}
	return int(total), false
}

// apply cuts the window out of a result fetched with fetch's limit.
func applyLimit[T any](l limitArgs, items []T) []T {
	if !l.set {
		return items
	}
	if l.offset >= int64(len(items)) {
		return items[:0]
	}
	items = items[l.offset:]
	if l.count >= 0 && l.count < int64(len(items)) {
		items = items[:l.count]
	}
	return items
}
