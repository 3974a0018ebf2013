package kvstore

import (
	"fmt"
	"math"
	"strconv"
)

// ParseCounter parses a stored string as a counter: a canonical decimal int64 (no
// "+", no leading zeros, no spaces, "-0" refused), as Redis' INCR accepts. Anything
// else is an ErrNotInteger.
func ParseCounter(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("%w: %q", ErrNotInteger, truncate(s))
	}
	return n, nil
}

// AddCounter returns n + delta, or an ErrNotInteger when the sum overflows int64.
func AddCounter(n, delta int64) (int64, error) {
	if (delta > 0 && n > math.MaxInt64-delta) || (delta < 0 && n < math.MinInt64-delta) {
		return 0, fmt.Errorf("%w: increment would overflow", ErrNotInteger)
	}
	return n + delta, nil
}

// AddScore returns score + delta, or an ErrInvalidArgument when the result is NaN
// (+Inf plus -Inf), with -0 folded into 0.
func AddScore(score, delta float64) (float64, error) {
	if math.IsNaN(delta) {
		return 0, invalidf("increment is NaN")
	}
	r := score + delta
	if math.IsNaN(r) {
		return 0, invalidf("resulting score is not a number (NaN)")
	}
	return NormalizeScore(r)
}
