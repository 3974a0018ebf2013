package users_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kvlambda/kvlambda/examples/users"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoretest"
)

// RunStoreTests runs the user store's scenarios on backends from newBackend, which
// it calls once per scenario: each backend's test (memory, Redis, DynamoDB) calls it.
// Names and ids carry a random suffix, so a shared backend works too.
func RunStoreTests(t *testing.T, newBackend func(t *testing.T) kvstore.Backend) {
	// user returns a user whose names are unique to the test.
	user := func(t *testing.T, name string) *users.User {
		suffix := strings.TrimPrefix(kvstoretest.RandomKey(t), "kvstoretest:")
		return &users.User{
			Id:           name + "-" + suffix,
			Username:     name + "-" + suffix,
			EmailAddress: name + "-" + suffix + "@example.com",
		}
	}

	t.Run("AddAndGet", func(t *testing.T) {
		ctx, s := t.Context(), users.New(newBackend(t))
		alice := user(t, "Alice")
		if err := s.AddUser(ctx, alice); err != nil {
			t.Fatalf("AddUser: %v", err)
		}
		got, err := s.GetUserById(ctx, alice.Id)
		if err != nil || got == nil || *got != *alice {
			t.Errorf("GetUserById = %+v, %v; want %+v", got, err, alice)
		}
		got, err = s.GetUserByUsername(ctx, strings.ToUpper(alice.Username))
		if err != nil || got == nil || *got != *alice {
			t.Errorf("GetUserByUsername in upper case = %+v, %v; want %+v", got, err, alice)
		}
		if got, err := s.GetUserById(ctx, alice.Id+"-absent"); got != nil || err != nil {
			t.Errorf("GetUserById of an absent id = %+v, %v; want nil, nil", got, err)
		}
		if got, err := s.GetUserByUsername(ctx, alice.Username+"-absent"); got != nil || err != nil {
			t.Errorf("GetUserByUsername of an absent name = %+v, %v; want nil, nil", got, err)
		}

		anon := user(t, "anon")
		anon.Id = ""
		if err := s.AddUser(ctx, anon); err != nil {
			t.Fatalf("AddUser without an id: %v", err)
		}
		if anon.Id == "" {
			t.Fatal("AddUser gave no id to a user without one")
		}
		if got, err := s.GetUserByUsername(ctx, anon.Username); err != nil || got == nil || got.Id != anon.Id {
			t.Errorf("GetUserByUsername of a user without an id = %+v, %v; want id %q", got, err, anon.Id)
		}
	})

	t.Run("Taken", func(t *testing.T) {
		ctx, s := t.Context(), users.New(newBackend(t))
		alice := user(t, "alice")
		if err := s.AddUser(ctx, alice); err != nil {
			t.Fatalf("AddUser: %v", err)
		}
		for _, c := range []struct {
			name   string
			change func(u *users.User)
			want   []error
		}{
			{"username in another case", func(u *users.User) { u.Username = strings.ToUpper(alice.Username) },
				[]error{users.ErrUsernameTaken}},
			{"email address in another case", func(u *users.User) { u.EmailAddress = strings.ToUpper(alice.EmailAddress) },
				[]error{users.ErrEmailTaken}},
			{"username and email address", func(u *users.User) { u.Username, u.EmailAddress = alice.Username, alice.EmailAddress },
				[]error{users.ErrUsernameTaken, users.ErrEmailTaken}},
			{"id", func(u *users.User) { u.Id = alice.Id }, []error{users.ErrIdTaken}},
		} {
			bob := user(t, "bob")
			c.change(bob)
			err := s.AddUser(ctx, bob)
			for _, target := range []error{users.ErrUsernameTaken, users.ErrEmailTaken, users.ErrIdTaken} {
				want := false
				for _, w := range c.want {
					want = want || w == target
				}
				if errors.Is(err, target) != want {
					t.Errorf("AddUser with a taken %s: error %v; matches %v: %v, want %v", c.name, err, target, !want, want)
				}
			}
			// Nothing of the refused user was written: its other claims are free.
			if c.name != "id" {
				if got, err := s.GetUserById(ctx, bob.Id); got != nil || err != nil {
					t.Errorf("GetUserById of a refused user = %+v, %v; want nil, nil", got, err)
				}
			}
			retry := user(t, "carol")
			if bob.Username != alice.Username && !strings.EqualFold(bob.Username, alice.Username) {
				retry.Username = bob.Username
			}
			if !strings.EqualFold(bob.EmailAddress, alice.EmailAddress) {
				retry.EmailAddress = bob.EmailAddress
			}
			if err := s.AddUser(ctx, retry); err != nil {
				t.Errorf("AddUser with what a refused user left unclaimed (%s): %v", c.name, err)
			}
		}
		got, err := s.GetUserById(ctx, alice.Id)
		if err != nil || got == nil || *got != *alice {
			t.Errorf("GetUserById of the first user = %+v, %v; want %+v", got, err, alice)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		ctx, s := t.Context(), users.New(newBackend(t))
		for _, u := range []*users.User{{Id: "x", EmailAddress: "x@example.com"}, {Id: "y", Username: "y"}} {
			if err := s.AddUser(ctx, u); !errors.Is(err, users.ErrInvalidUser) {
				t.Errorf("AddUser(%+v) = %v, want ErrInvalidUser", u, err)
			}
		}
		long := &users.User{Username: strings.Repeat("u", kvstore.MaxKeySize), EmailAddress: "long@example.com"}
		if err := s.AddUser(ctx, long); !errors.Is(err, kvstore.ErrInvalidArgument) {
			t.Errorf("AddUser with a username too long for a key = %v, want ErrInvalidArgument", err)
		}
		if got, err := s.GetUserById(ctx, long.Id); got != nil || err != nil {
			t.Errorf("GetUserById of a refused user = %+v, %v; want nil, nil", got, err)
		}
	})

	t.Run("GetUsersByIds", func(t *testing.T) {
		ctx, s := t.Context(), users.New(newBackend(t))
		var all []*users.User
		var ids []string
		for i := range 110 {
			u := user(t, fmt.Sprint("user", i))
			if err := s.AddUser(ctx, u); err != nil {
				t.Fatalf("AddUser: %v", err)
			}
			all = append(all, u)
			ids = append(ids, u.Id)
		}
		got, err := s.GetUsersByIds(ctx, ids[2], "absent", ids[0], ids[1]+"-absent", ids[1])
		if err != nil || len(got) != 3 || *got[0] != *all[2] || *got[1] != *all[0] || *got[2] != *all[1] {
			t.Errorf("GetUsersByIds = %+v, %v; want users 2, 0 and 1", got, err)
		}
		got, err = s.GetUsersByIds(ctx, ids...)
		if err != nil || len(got) != len(all) {
			t.Fatalf("GetUsersByIds of 110 users = %d users, %v", len(got), err)
		}
		for i := range got {
			if *got[i] != *all[i] {
				t.Errorf("GetUsersByIds user %d = %+v, want %+v", i, got[i], all[i])
			}
		}
		if got, err := s.GetUsersByIds(ctx); err != nil || len(got) != 0 {
			t.Errorf("GetUsersByIds() = %+v, %v; want none", got, err)
		}
	})

	t.Run("ConcurrentSameUsername", func(t *testing.T) {
		ctx, s := t.Context(), users.New(newBackend(t))
		name := user(t, "popular").Username
		const n = 10
		errs := make([]error, n)
		added := make([]*users.User, n)
		var wg sync.WaitGroup
		for i := range n {
			added[i] = user(t, fmt.Sprint("racer", i))
			added[i].Username = name
			wg.Go(func() { errs[i] = s.AddUser(ctx, added[i]) })
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("users %d and %d both got username %q", winner, i, name)
			case err == nil:
				winner = i
			case !errors.Is(err, users.ErrUsernameTaken) || errors.Is(err, users.ErrEmailTaken):
				t.Errorf("AddUser %d: %v, want only ErrUsernameTaken", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no AddUser succeeded")
		}
		got, err := s.GetUserByUsername(ctx, name)
		if err != nil || got == nil || *got != *added[winner] {
			t.Errorf("GetUserByUsername = %+v, %v; want the winner %+v", got, err, added[winner])
		}
		for i, u := range added {
			got, err := s.GetUserById(ctx, u.Id)
			if err != nil || (got != nil) != (i == winner) {
				t.Errorf("GetUserById of racer %d = %+v, %v; want a user only for the winner", i, got, err)
			}
		}
	})
}
