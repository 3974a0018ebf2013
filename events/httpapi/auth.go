package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// access is what a request's token allows.
type access int

const (
	accessNone access = iota
	accessReadOnly
	accessFull
)

// tokens holds the SHA-256 of the configured tokens, so that comparisons take the
// same time whatever the token's length or content.
type tokens struct {
	full, readOnly [sha256.Size]byte
	hasReadOnly    bool
}

func newTokens(full, readOnly string) tokens {
	t := tokens{full: sha256.Sum256([]byte(full))}
	if readOnly != "" {
		t.readOnly, t.hasReadOnly = sha256.Sum256([]byte(readOnly)), true
	}
	return t
}

// check returns what the Authorization header's bearer token allows. Both tokens are
// always compared, in constant time.
func (t tokens) check(authorization string) access {
	scheme, token, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return accessNone
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	full := subtle.ConstantTimeCompare(sum[:], t.full[:])
	ro := subtle.ConstantTimeCompare(sum[:], t.readOnly[:])
	switch {
	case full == 1:
		return accessFull
	case ro == 1 && t.hasReadOnly:
		return accessReadOnly
	}
	return accessNone
}
