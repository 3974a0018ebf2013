package users_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kvlambda/kvlambda/examples/users"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

func Example() {
	ctx := context.Background()
	store := users.New(memory.NewBackend())

	for _, u := range []*users.User{
		{Id: "1", Username: "alice", EmailAddress: "alice@example.com"},
		{Id: "2", Username: "bob", EmailAddress: "bob@example.com"},
		{Id: "3", Username: "Alice", EmailAddress: "alice2@example.com"},
		{Id: "4", Username: "carol", EmailAddress: "BOB@example.com"},
	} {
		err := store.AddUser(ctx, u)
		switch {
		case errors.Is(err, users.ErrUsernameTaken):
			fmt.Printf("%s: username taken\n", u.Username)
		case errors.Is(err, users.ErrEmailTaken):
			fmt.Printf("%s: email address taken\n", u.Username)
		case err != nil:
			fmt.Println("error:", err)
		default:
			fmt.Printf("added %s\n", u.Username)
		}
	}

	user, _ := store.GetUserById(ctx, "2")
	fmt.Printf("user 2: %s <%s>\n", user.Username, user.EmailAddress)
	missing, _ := store.GetUserById(ctx, "3")
	fmt.Println("user 3:", missing)

	found, _ := store.GetUsersByIds(ctx, "1", "3", "2")
	for _, u := range found {
		fmt.Println("found", u.Id, u.Username)
	}
	// Output:
	// added alice
	// added bob
	// Alice: username taken
	// carol: email address taken
	// user 2: bob <bob@example.com>
	// user 3: <nil>
	// found 1 alice
	// found 2 bob
}
