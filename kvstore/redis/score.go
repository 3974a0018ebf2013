package redis

import (
	"fmt"
	"math"
	"strconv"

	"github.com/kvlambda/kvlambda/kvstore"
)

// formatScore writes a score so that Redis parses it back exactly: the shortest
// decimal that round-trips, or "+inf"/"-inf". Redis replies with 17 significant
// digits, which parseScore reads back to the same float64.
func formatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// parseScore reads a score Redis wrote, folding -0 into 0.
func parseScore(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("kvstore/redis: bad score %q from Redis: %w", s, err)
	}
	return normalize(f), nil
}

// normalize folds -0 into 0.
func normalize(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// scoreBounds validates and formats a score range's bounds: NaN is refused.
func scoreBounds(min, max float64) (string, string, error) {
	if math.IsNaN(min) || math.IsNaN(max) {
		return "", "", kvstore.InvalidArgumentf("score range bound is NaN")
	}
	return formatScore(min), formatScore(max), nil
}
