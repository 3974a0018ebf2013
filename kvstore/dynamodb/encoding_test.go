package dynamodb

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

func TestScoreEncodingKeepsOrder(t *testing.T) {
	scores := []float64{math.Inf(-1), -math.MaxFloat64, -1e300, -2.5, -1, -math.SmallestNonzeroFloat64,
		0, math.SmallestNonzeroFloat64, 1e-300, 0.1, 1, 1.5, 2, 1e300, math.MaxFloat64, math.Inf(1)}
	for i := 0; i < 2000; i++ {
		scores = append(scores, math.Float64frombits(rand.Uint64()))
	}
	scores = slices.DeleteFunc(scores, math.IsNaN)
	slices.Sort(scores)
	var prev []byte
	for i, s := range scores {
		enc := encodeScore(nil, s)
		got, err := decodeScore(enc)
		if err != nil || math.Float64bits(got) != math.Float64bits(s) {
			t.Fatalf("decodeScore(encodeScore(%v)) = %v, %v", s, got, err)
		}
		if i > 0 && scores[i-1] < s && bytes.Compare(prev, enc) >= 0 {
			t.Fatalf("encodeScore(%v) does not sort after encodeScore(%v)", s, scores[i-1])
		}
		prev = enc
	}
	if _, err := decodeScore([]byte{1, 2, 3}); err == nil {
		t.Error("decodeScore of 3 bytes did not fail")
	}
}

// TestLexRangeIsExact checks lexRange's key-condition bounds against
// kvstore.LexBound on every short field over an alphabet with the extreme bytes.
func TestLexRangeIsExact(t *testing.T) {
	alphabet := []string{"\x00", "\x01", "a", "b", "\xfe", "\xff"}
	fields := []string{""}
	for n := 1; n <= 3; n++ {
		var next []string
		for _, f := range fields {
			if len(f) == n-1 {
				for _, c := range alphabet {
					next = append(next, f+c)
				}
			}
		}
		fields = append(fields, next...)
	}
	long := strings.Repeat("a", maxField) // fields here are all shorter
	values := append(slices.Clone(fields[:60]), long, long+"a", long[:maxField-1]+"b", long+"\x00")
	var bounds []string
	for _, v := range values {
		bounds = append(bounds, "["+v, "("+v)
	}
	bounds = append(bounds, "-", "+")
	all := append(slices.Clone(fields), long, long[:maxField-1]+"b")
	for _, lo := range bounds {
		for _, hi := range bounds {
			min, max, err := kvstore.ParseLexRange(lo, hi)
			if err != nil {
				t.Fatal(err)
			}
			r, ok := lexRange(min, max)
			for _, f := range all {
				want := min.AboveMin(f) && max.BelowMax(f)
				rk := sortedRK(f)
				got := ok && bytes.Compare(r.lo, rk) <= 0 && bytes.Compare(rk, r.hi) <= 0
				if got != want {
					t.Fatalf("range %q..%q: field %q in key range = %v, want %v", trim(lo), trim(hi), trim(f), got, want)
				}
			}
			if ok && (len(r.lo) > 1024 || len(r.hi) > 1024) {
				t.Fatalf("range %q..%q: bound longer than a sort key", trim(lo), trim(hi))
			}
		}
	}
}

func trim(s string) string {
	if len(s) > 12 {
		return s[:6] + "..." + s[len(s)-3:]
	}
	return s
}

func TestScoreRangeIsExact(t *testing.T) {
	fields := []string{"", "a", strings.Repeat("\xff", maxField)}
	scores := []float64{math.Inf(-1), -1, 0, 1, 2, math.Inf(1)}
	for _, min := range scores {
		for _, max := range scores {
			r, ok := scoreRange(min, max)
			for _, s := range scores {
				for _, f := range fields {
					rk2 := sortedRK2(f, s)
					got := ok && bytes.Compare(r.lo, rk2) <= 0 && bytes.Compare(rk2, r.hi) <= 0
					if want := min <= s && s <= max; got != want {
						t.Fatalf("range [%v, %v]: score %v field of %d bytes in range = %v, want %v", min, max, s, len(f), got, want)
					}
				}
			}
		}
	}
	if _, ok := scoreRange(math.NaN(), 1); ok {
		t.Error("a NaN bound gave a range")
	}
	if r, ok := scoreRange(math.Copysign(0, -1), 0); !ok || !bytes.Equal(r.lo, encodeScore(nil, 0)) {
		t.Error("-0 is not folded into 0")
	}
}

func TestSortedItemStoresMembersBySize(t *testing.T) {
	for _, c := range []struct {
		field, member string
	}{{"f", "f"}, {"f", ""}, {"f", strings.Repeat("m", inlineMemberMax)}, {"", strings.Repeat("m", inlineMemberMax+1)}} {
		m, err := decodeSorted(sortedItem("k", c.field, c.member, 2.5))
		if err != nil || m.field != c.field || m.member != c.member || m.score != 2.5 || m.missing {
			t.Errorf("field %q member of %d bytes: decoded %+v, %v", c.field, len(c.member), m, err)
		}
	}
	item := sortedItem("k", "f", strings.Repeat("m", inlineMemberMax+1), 1)
	delete(item, attrMember) // as the rk2 index returns it
	if m, err := decodeSorted(item); err != nil || !m.missing {
		t.Errorf("large member read from the index: %+v, %v; want missing", m, err)
	}
}

func TestStringItemStoresCountersAsNumbers(t *testing.T) {
	for s, number := range map[string]bool{"42": true, "-7": true, "0": true, "9223372036854775807": true,
		"-9223372036854775808": true, "9223372036854775808": false, "-0": false, "007": false, "+1": false, "": false, "x": false} {
		item := stringItem("k", s)
		if _, ok := item[attrNumber]; ok != number {
			t.Errorf("%q stored as a Number: %v, want %v", s, ok, number)
		}
		v, err := decodeValue(item)
		if err != nil || !v.present() || v.str != s {
			t.Errorf("%q decoded as %q, %v", s, v.str, err)
		}
	}
}
