// Package users is the user store of the original keyvaluestore README, written for
// kvstore: users stored as JSON under "user:<id>", with unique usernames and email
// addresses claimed in the same atomic write. It runs unchanged on every backend.
package users

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kvlambda/kvlambda/kvstore"
)

var (
	// ErrUsernameTaken is returned by AddUser when another user has the username
	// (compared case-insensitively).
	ErrUsernameTaken = errors.New("users: username taken")
	// ErrEmailTaken is returned by AddUser when another user has the email address
	// (compared case-insensitively).
	ErrEmailTaken = errors.New("users: email address taken")
	// ErrIdTaken is returned by AddUser when a user with the id exists.
	ErrIdTaken = errors.New("users: id taken")
	// ErrInvalidUser is returned by AddUser for a user without a username or email
	// address.
	ErrInvalidUser = errors.New("users: invalid user")
)

// User is a user of the store, stored as JSON.
type User struct {
	Id           string `json:"id"`
	Username     string `json:"username"`
	EmailAddress string `json:"email_address"`
}

// MarshalBinary encodes the user as JSON, so that a *User is a value kvstore accepts.
func (u *User) MarshalBinary() ([]byte, error) { return json.Marshal(u) }

// Store keeps users in a kvstore backend.
type Store struct {
	Backend kvstore.Backend
}

// New returns a Store over b.
func New(b kvstore.Backend) *Store { return &Store{Backend: b} }

func userKey(id string) string           { return "user:" + id }
func usernameKey(username string) string { return "username:" + strings.ToLower(username) }
func emailKey(address string) string     { return "email:" + strings.ToLower(address) }

// maxAttempts bounds how often AddUser retries an atomic write that lost a race
// (kvstore.IsAtomicWriteConflict) before returning its error.
const maxAttempts = 10

// AddUser stores a new user, giving it a random Id when it has none. In one atomic
// write it stores the user and claims the username and email address, so two users
// can never share either. When a claim fails nothing is written and the error
// matches ErrUsernameTaken, ErrEmailTaken or ErrIdTaken (errors.Is), each that
// applies.
func (s *Store) AddUser(ctx context.Context, user *User) error {
	if user.Username == "" || user.EmailAddress == "" {
		return fmt.Errorf("%w: a user needs a username and an email address", ErrInvalidUser)
	}
	if user.Id == "" {
		user.Id = newId()
	}
	for attempt := 1; ; attempt++ {
		tx := s.Backend.AtomicWrite()
		idSet := tx.SetNX(userKey(user.Id), user)
		usernameSet := tx.SetNX(usernameKey(user.Username), user.Id)
		emailSet := tx.SetNX(emailKey(user.EmailAddress), user.Id)
		ok, err := tx.Exec(ctx)
		if kvstore.IsAtomicWriteConflict(err) && attempt < maxAttempts {
			if err := sleep(ctx, attempt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("users: add user %q: %w", user.Id, err)
		}
		if ok {
			return nil
		}
		var taken []error
		if usernameSet.ConditionalFailed() {
			taken = append(taken, ErrUsernameTaken)
		}
		if emailSet.ConditionalFailed() {
			taken = append(taken, ErrEmailTaken)
		}
		if idSet.ConditionalFailed() {
			taken = append(taken, ErrIdTaken)
		}
		return errors.Join(taken...)
	}
}

// GetUserById returns the user with the id, or nil, nil when there is none.
func (s *Store) GetUserById(ctx context.Context, id string) (*User, error) {
	v, err := s.Backend.Get(ctx, userKey(id))
	if err != nil || v == nil {
		return nil, err
	}
	return decode(*v)
}

// GetUserByUsername returns the user with the username (compared
// case-insensitively), or nil, nil when there is none.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (*User, error) {
	id, err := s.Backend.Get(ctx, usernameKey(username))
	if err != nil || id == nil {
		return nil, err
	}
	return s.GetUserById(ctx, *id)
}

// GetUsersByIds returns the users with the ids, in the order of ids, reading them in
// one batch. Ids without a user are skipped, so the result may be shorter than ids.
func (s *Store) GetUsersByIds(ctx context.Context, ids ...string) ([]*User, error) {
	batch := s.Backend.Batch()
	gets := make([]kvstore.GetResult, len(ids))
	for i, id := range ids {
		gets[i] = batch.Get(userKey(id))
	}
	if err := batch.Exec(ctx); err != nil {
		return nil, err
	}
	users := make([]*User, 0, len(ids))
	for _, get := range gets {
		v, err := get.Result()
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		user, err := decode(*v)
		if err != nil {
			return nil, err
		}
		users = append(users, user)
	}
	return users, nil
}

func decode(v string) (*User, error) {
	var user User
	if err := json.Unmarshal([]byte(v), &user); err != nil {
		return nil, fmt.Errorf("users: decode user: %w", err)
	}
	return &user, nil
}

// newId returns a random id (128 bits, base32).
func newId() string { return crand.Text() }

// sleep waits before retry attempt+1: a few random milliseconds, more after each
// attempt, bounded by ctx.
func sleep(ctx context.Context, attempt int) error {
	d := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	t := time.NewTimer(d/2 + rand.N(d))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
