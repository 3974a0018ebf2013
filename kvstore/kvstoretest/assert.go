package kvstoretest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// The checks below take what a call returns, so that a case reads as
//
//	eq(t, "SetNX on an absent key", true)(b.SetNX(ctx, k, "v"))
//
// They report with t.Errorf and let the case go on; must stops it.

// must stops the case when a call that prepares it fails.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// noErr reports an unexpected error.
func noErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: unexpected error: %v", what, err)
	}
}

// errIs reports unless errors.Is(err, target).
func errIs(t testing.TB, what string, err, target error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", what, target)
	} else if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want one that matches %v", what, err, target)
	}
}

// failsWith checks that a call returning a value fails with target.
func failsWith[T any](t testing.TB, what string, target error) func(T, error) {
	t.Helper()
	return func(_ T, err error) {
		t.Helper()
		errIs(t, what, err, target)
	}
}

// eq checks a comparable result.
func eq[T comparable](t testing.TB, what string, want T) func(T, error) {
	t.Helper()
	return func(got T, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error: %v", what, err)
		} else if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
}

// eqFloat checks a float64 result bit for bit (so -0 differs from 0).
func eqFloat(t testing.TB, what string, want float64) func(float64, error) {
	t.Helper()
	return func(got float64, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error: %v", what, err)
		} else if math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s = %v (bits %#x), want %v (bits %#x)", what, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
}

// str returns a pointer to s, for the results of Get and HGet.
func str(s string) *string { return &s }

// num returns a pointer to f, for the results of ZScore.
func num(f float64) *float64 { return &f }

func showString(s *string) string {
	if s == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", *s)
}

func showFloat(f *float64) string {
	if f == nil {
		return "nil"
	}
	return fmt.Sprintf("%v (bits %#x)", *f, math.Float64bits(*f))
}

// eqStr checks a *string result; want nil means absent.
func eqStr(t testing.TB, what string, want *string) func(*string, error) {
	t.Helper()
	return func(got *string, err error) {
		t.Helper()
		switch {
		case err != nil:
			t.Errorf("%s: unexpected error: %v", what, err)
		case (got == nil) != (want == nil) || (got != nil && *got != *want):
			t.Errorf("%s = %s, want %s", what, showString(got), showString(want))
		}
	}
}

// eqScore checks a *float64 result bit for bit; want nil means absent.
func eqScore(t testing.TB, what string, want *float64) func(*float64, error) {
	t.Helper()
	return func(got *float64, err error) {
		t.Helper()
		switch {
		case err != nil:
			t.Errorf("%s: unexpected error: %v", what, err)
		case (got == nil) != (want == nil) || (got != nil && math.Float64bits(*got) != math.Float64bits(*want)):
			t.Errorf("%s = %s, want %s", what, showFloat(got), showFloat(want))
		}
	}
}

// eqList checks an ordered []string result; nil and empty are the same.
func eqList(t testing.TB, what string, want ...string) func([]string, error) {
	t.Helper()
	return func(got []string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error: %v", what, err)
		} else if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
}

// eqSet checks an unordered []string result such as SMembers'.
func eqSet(t testing.TB, what string, want ...string) func([]string, error) {
	t.Helper()
	return func(got []string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error: %v", what, err)
			return
		}
		g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		if !slices.Equal(g, w) {
			t.Errorf("%s = %q, want %q (in any order)", what, g, w)
		}
	}
}

// eqMap checks a map result such as HGetAll's; nil and empty are the same.
func eqMap(t testing.TB, what string, want map[string]string) func(map[string]string, error) {
	t.Helper()
	return func(got map[string]string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error: %v", what, err)
		} else if !maps.Equal(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
}

// sm is a ScoredMember for expectations.
func sm(value string, score float64) kvstore.ScoredMember {
	return kvstore.ScoredMember{Score: score, Value: value}
}

// eqScored checks a ScoredMembers result: values, order and scores bit for bit.
func eqScored(t testing.TB, what string, want ...kvstore.ScoredMember) func(kvstore.ScoredMembers, error) {
	t.Helper()
	return func(got kvstore.ScoredMembers, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error: %v", what, err)
			return
		}
		same := len(got) == len(want)
		for i := 0; same && i < len(got); i++ {
			same = got[i] != nil && got[i].Value == want[i].Value &&
				math.Float64bits(got[i].Score) == math.Float64bits(want[i].Score)
		}
		if !same {
			t.Errorf("%s = %s, want %s", what, showScored(got), showScored(scoredPtrs(want)))
		}
		if vs := got.Values(); len(vs) != len(got) {
			t.Errorf("%s: Values() has %d members, want %d", what, len(vs), len(got))
		}
	}
}

func scoredPtrs(ms []kvstore.ScoredMember) kvstore.ScoredMembers {
	out := make(kvstore.ScoredMembers, len(ms))
	for i := range ms {
		out[i] = &ms[i]
	}
	return out
}

func showScored(ms kvstore.ScoredMembers) string {
	s := "["
	for i, m := range ms {
		if i > 0 {
			s += " "
		}
		if m == nil {
			s += "nil"
		} else {
			s += fmt.Sprintf("%q:%v", m.Value, m.Score)
		}
	}
	return s + "]"
}

// The state checks below read a key with the backend's single operations.

// checkString checks that key holds the string want.
func checkString(t testing.TB, ctx context.Context, b kvstore.Backend, key, want string) {
	t.Helper()
	eqStr(t, fmt.Sprintf("Get(%q)", key), &want)(b.Get(ctx, key))
}

// checkAbsent checks that key holds no string, set or hash.
func checkAbsent(t testing.TB, ctx context.Context, b kvstore.Backend, key string) {
	t.Helper()
	eqStr(t, fmt.Sprintf("Get(%q)", key), nil)(b.Get(ctx, key))
}

// checkMembers checks the members of the set at key.
func checkMembers(t testing.TB, ctx context.Context, b kvstore.Backend, key string, want ...string) {
	t.Helper()
	eqSet(t, fmt.Sprintf("SMembers(%q)", key), want...)(b.SMembers(ctx, key))
}

// checkHash checks the fields of the hash at key.
func checkHash(t testing.TB, ctx context.Context, b kvstore.Backend, key string, want map[string]string) {
	t.Helper()
	eqMap(t, fmt.Sprintf("HGetAll(%q)", key), want)(b.HGetAll(ctx, key))
}

// checkSorted checks every member of the sorted set or hash at key, with scores, in order.
func checkSorted(t testing.TB, ctx context.Context, b kvstore.Backend, key string, want ...kvstore.ScoredMember) {
	t.Helper()
	eqScored(t, fmt.Sprintf("ZHRangeByScoreWithScores(%q, -inf, +inf)", key), want...)(
		b.ZHRangeByScoreWithScores(ctx, key, math.Inf(-1), math.Inf(1), 0))
}

// checkAbsentAll checks in one batch that the keys key(name) hold no string.
func checkAbsentAll(t testing.TB, ctx context.Context, b kvstore.Backend, key func(string) string, names ...string) {
	t.Helper()
	batch := b.Batch()
	gets := make([]kvstore.GetResult, len(names))
	for i, name := range names {
		gets[i] = batch.Get(key(name))
	}
	if err := batch.Exec(ctx); err != nil {
		t.Errorf("Exec of a batch of Gets: %v", err)
		return
	}
	for i, r := range gets {
		eqStr(t, fmt.Sprintf("Get(%q)", names[i]), nil)(r.Result())
	}
}
