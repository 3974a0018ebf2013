package kvstore

// The argument checks every backend makes, here once so that every backend refuses
// exactly the same inputs before it sends anything.

// SetMembers converts and validates the members of an SAdd or SRem: each a valid set
// member, together small enough for one item (a removal of more than an item can hold
// is refused as an addition would be).
func SetMembers(key string, member any, members []any) ([]string, error) {
	ms, err := ToStrings(member, members...)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, m := range ms {
		if err := ValidateSetMember(m); err != nil {
			return nil, err
		}
		total += len(m)
	}
	return ms, CheckItemSize(key, SetItemSize(key, total))
}

// SortedEntry converts and validates a ZHAdd's member and score for field: the field
// within MaxSortedMemberSize, the score not NaN (-0 becomes 0), the whole within one
// item. It returns the member and the normalized score.
func SortedEntry(key, field string, member any, score float64) (string, float64, error) {
	m, err := ToString(member)
	if err != nil {
		return "", 0, err
	}
	if err := ValidateSortedMember(field); err != nil {
		return "", 0, err
	}
	if score, err = NormalizeScore(score); err != nil {
		return "", 0, err
	}
	return m, score, CheckItemSize(key, SortedItemSize(key, field, len(m)))
}

// SortedField converts and validates a sorted-set member used as a field (ZScore,
// ZRem).
func SortedField(member any) (string, error) {
	m, err := ToString(member)
	if err != nil {
		return "", err
	}
	return m, ValidateSortedMember(m)
}
