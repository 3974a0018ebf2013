package kvstore

// LexBound is a parsed lexicographic range bound: "-" (below everything), "+" (above
// everything), "[x" (x inclusive) or "(x" (x exclusive).
type LexBound struct {
	// Value is the bound's string, without its prefix.
	Value string
	// Inclusive is true for "[x".
	Inclusive bool
	// Min is true for "-", the lowest bound.
	Min bool
	// Max is true for "+", the highest bound.
	Max bool
}

// ParseLexBound parses a lex bound as Redis' ZRANGEBYLEX does.
func ParseLexBound(s string) (LexBound, error) {
	switch {
	case s == "-":
		return LexBound{Min: true}, nil
	case s == "+":
		return LexBound{Max: true}, nil
	case len(s) > 0 && s[0] == '[':
		return LexBound{Value: s[1:], Inclusive: true}, nil
	case len(s) > 0 && s[0] == '(':
		return LexBound{Value: s[1:]}, nil
	}
	return LexBound{}, invalidf("lex bound %q must be -, +, [value or (value", truncate(s))
}

// AboveMin reports whether x is at or above the bound taken as a range's minimum.
func (b LexBound) AboveMin(x string) bool {
	switch {
	case b.Min:
		return true
	case b.Max:
		return false
	case b.Inclusive:
		return x >= b.Value
	}
	return x > b.Value
}

// BelowMax reports whether x is at or below the bound taken as a range's maximum.
func (b LexBound) BelowMax(x string) bool {
	switch {
	case b.Max:
		return true
	case b.Min:
		return false
	case b.Inclusive:
		return x <= b.Value
	}
	return x < b.Value
}

// ParseLexRange parses a range's two bounds.
func ParseLexRange(min, max string) (LexBound, LexBound, error) {
	lo, err := ParseLexBound(min)
	if err != nil {
		return LexBound{}, LexBound{}, err
	}
	hi, err := ParseLexBound(max)
	if err != nil {
		return LexBound{}, LexBound{}, err
	}
	return lo, hi, nil
}

// ValidateLimit refuses a negative range limit.
func ValidateLimit(limit int) error {
	if limit < 0 {
		return invalidf("negative limit %d", limit)
	}
	return nil
}
