package commands_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/kvlambda/kvlambda/events/commands"
)

// TestFormatScore checks FormatScore against JavaScript's Number.prototype.toString
// (expected values printed by node's String(x)).
func TestFormatScore(t *testing.T) {
	cases := []struct {
		x    float64
		want string
	}{
		{0.1, "0.1"}, {1e21, "1e+21"}, {1.5e-7, "1.5e-7"}, {1e-7, "1e-7"}, {1e-6, "0.000001"},
		{1.5e-6, "0.0000015"}, {123.456, "123.456"}, {-1.5, "-1.5"}, {5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {1e20, "100000000000000000000"},
		{123456789012345680000, "123456789012345680000"}, {0.30000000000000004, "0.30000000000000004"},
		{1 << 53, "9007199254740992"}, {-1e-7, "-1e-7"}, {100, "100"}, {1.0 / 3, "0.3333333333333333"},
		{0, "0"}, {math.Copysign(0, -1), "0"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
		{-2.5e-300, "-2.5e-300"}, {1.25e25, "1.25e+25"},
	}
	for _, tc := range cases {
		if got := commands.FormatScore(tc.x); got != tc.want {
			t.Errorf("FormatScore(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

// FuzzFormatScore checks that every formatted score reads back as the same float64.
func FuzzFormatScore(f *testing.F) {
	for _, x := range []float64{0, 1, -1, 0.1, 1e21, 1e-7, 5e-324, math.MaxFloat64} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) {
			return
		}
		s := commands.FormatScore(x)
		if math.IsInf(x, 0) {
			return
		}
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != x {
			t.Fatalf("FormatScore(%v) = %q reads back as %v, %v", x, s, back, err)
		}
	})
}
