package dynamodb

import (
	"bytes"
	"cmp"
	"math"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// FuzzScoreEncoding checks the sort-key encoding of sorted members on any two scores
// and fields: a score decodes to exactly its bits, and the byte order of
// sortedRK2(field, score) is the order kvstore sorts by (score, then field bytes),
// so DynamoDB's range queries return members in kvstore's order.
func FuzzScoreEncoding(f *testing.F) {
	seeds := []float64{math.Inf(-1), -math.MaxFloat64, -1e300, -1, -math.SmallestNonzeroFloat64, 0,
		math.Copysign(0, -1), math.SmallestNonzeroFloat64, 0.1, 1, 1e300, math.MaxFloat64, math.Inf(1)}
	for i, a := range seeds {
		b := seeds[(i+1)%len(seeds)]
		f.Add(a, b, "a", "b")
		f.Add(a, a, "", "\x00")
		f.Add(b, a, "\xff", "\xfe\xff")
	}
	f.Fuzz(func(t *testing.T, a, b float64, fa, fb string) {
		if math.IsNaN(a) || math.IsNaN(b) {
			return // refused by every backend before encoding
		}
		for _, s := range []float64{a, b} {
			got, err := decodeScore(encodeScore(nil, s))
			if err != nil || math.Float64bits(got) != math.Float64bits(s) {
				t.Fatalf("decodeScore(encodeScore(%v)) = %v, %v", s, got, err)
			}
		}
		// kvstore stores -0 as 0 before encoding.
		na, _ := kvstore.NormalizeScore(a)
		nb, _ := kvstore.NormalizeScore(b)
		want := cmp.Or(cmp.Compare(na, nb), strings.Compare(fa, fb))
		got := bytes.Compare(sortedRK2(fa, na), sortedRK2(fb, nb))
		if got != want {
			t.Fatalf("(%v, %q) vs (%v, %q): encodings compare %d, want %d", na, fa, nb, fb, got, want)
		}
	})
}

// FuzzLexRange checks lexRange, the sort-key range of a lex range query, against
// kvstore's own bounds (ParseLexRange, AboveMin, BelowMax) on any bounds and field:
// the field is in the key range exactly when it is between the bounds.
func FuzzLexRange(f *testing.F) {
	for _, s := range [][3]string{{"-", "+", "a"}, {"[a", "(b", "a"}, {"(a", "[b", "a\x00"}, {"[\xff", "+", "\xff\xff"},
		{"(a\x00", "(a\x01", "a\x00\x00"}, {"[", "(", ""}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, lo, hi, field string) {
		if len(field) > maxField || kvstore.ValidateSortedMember(field) != nil {
			return // no such field can be stored
		}
		min, max, err := kvstore.ParseLexRange(lo, hi)
		if err != nil {
			return // refused before any query
		}
		r, ok := lexRange(min, max)
		want := min.AboveMin(field) && max.BelowMax(field)
		rk := sortedRK(field)
		got := ok && bytes.Compare(r.lo, rk) <= 0 && bytes.Compare(rk, r.hi) <= 0
		if got != want {
			t.Fatalf("range %q..%q: field %q in key range = %v, want %v", lo, hi, field, got, want)
		}
	})
}
