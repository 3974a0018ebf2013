package memory

import (
	"math"

	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/tidwall/btree"
)

// zentry is one sorted-hash field (a sorted-set member is a field whose member is
// itself). It takes 32 bytes: the member is kept only when it differs from the field.
type zentry struct {
	score float64
	field string
	other *string // the member, when it is not the field
}

func newZentry(score float64, field, member string) *zentry {
	e := &zentry{score: score, field: field}
	if member != field {
		m := member
		e.other = &m
	}
	return e
}

// member returns the entry's member.
func (e *zentry) member() string {
	if e.other != nil {
		return *e.other
	}
	return e.field
}

// zset is a sorted hash: one B-tree ordered by (score, field) for score ranges and
// one ordered by field for lookups and lex ranges. Both hold the same entries, which
// are never changed in place (rescoring replaces the entry).
type zset struct {
	byScore *btree.BTreeG[*zentry]
	byField *btree.BTreeG[*zentry]
	// exp is the sorted data's expiry in Unix milliseconds, 0 for none.
	exp int64
}

func lessScore(a, b *zentry) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.field < b.field
}

func lessField(a, b *zentry) bool { return a.field < b.field }

var treeOptions = btree.Options{NoLocks: true}

func newZset() *zset {
	return &zset{
		byScore: btree.NewBTreeGOptions(lessScore, treeOptions),
		byField: btree.NewBTreeGOptions(lessField, treeOptions),
	}
}

func (z *zset) len() int { return z.byField.Len() }

func (z *zset) get(field string) *zentry {
	e, _ := z.byField.Get(&zentry{field: field})
	return e
}

// put adds or replaces the entry for e.field.
func (z *zset) put(e *zentry) {
	if old, ok := z.byField.Set(e); ok {
		z.byScore.Delete(old)
	}
	z.byScore.Set(e)
}

// remove deletes field and reports whether it was there.
func (z *zset) remove(field string) bool {
	old, ok := z.byField.Delete(&zentry{field: field})
	if ok {
		z.byScore.Delete(old)
	}
	return ok
}

// rank returns how many entries of tr come before the first one for which below is
// false; below must be true for a prefix of the tree's order. O(log² n).
func rank(tr *btree.BTreeG[*zentry], below func(*zentry) bool) int {
	lo, hi := 0, tr.Len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		e, _ := tr.GetAt(mid)
		if below(e) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func (z *zset) countScore(min, max float64) int {
	if min > max {
		return 0
	}
	hi := rank(z.byScore, func(e *zentry) bool { return e.score <= max })
	lo := rank(z.byScore, func(e *zentry) bool { return e.score < min })
	return hi - lo
}

func (z *zset) countLex(lo, hi kvstore.LexBound) int {
	n := rank(z.byField, func(e *zentry) bool { return hi.BelowMax(e.field) }) - rank(z.byField, func(e *zentry) bool { return !lo.AboveMin(e.field) })
	if n < 0 {
		return 0
	}
	return n
}

// rangeScore calls f on the entries with min <= score <= max, ascending or
// descending, until f returns false.
func (z *zset) rangeScore(min, max float64, rev bool, f func(*zentry) bool) {
	if min > max {
		return
	}
	if !rev {
		z.byScore.Ascend(&zentry{score: min}, func(e *zentry) bool {
			return e.score <= max && f(e)
		})
		return
	}
	iter := func(e *zentry) bool {
		if e.score > max {
			return true
		}
		return e.score >= min && f(e)
	}
	if math.IsInf(max, 1) {
		z.byScore.Reverse(iter)
		return
	}
	// Every entry with score <= max sorts before (next score above max, "").
	z.byScore.Descend(&zentry{score: math.Nextafter(max, math.Inf(1))}, iter)
}

// rangeLex calls f on the entries whose fields lie between lo and hi, in field order
// or its reverse, until f returns false.
func (z *zset) rangeLex(lo, hi kvstore.LexBound, rev bool, f func(*zentry) bool) {
	if !rev {
		iter := func(e *zentry) bool {
			if !lo.AboveMin(e.field) {
				return true
			}
			return hi.BelowMax(e.field) && f(e)
		}
		if lo.Min || lo.Max {
			z.byField.Scan(iter)
		} else {
			z.byField.Ascend(&zentry{field: lo.Value}, iter)
		}
		return
	}
	iter := func(e *zentry) bool {
		if !hi.BelowMax(e.field) {
			return true
		}
		return lo.AboveMin(e.field) && f(e)
	}
	if hi.Min || hi.Max {
		z.byField.Reverse(iter)
	} else {
		z.byField.Descend(&zentry{field: hi.Value}, iter)
	}
}
