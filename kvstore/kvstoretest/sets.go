package kvstoretest

import (
	"fmt"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// testSets covers SAdd, SRem and SMembers.
func testSets(t *testing.T, b kvstore.Backend) {
	t.Run("AddRemove", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("s")
		checkMembers(t, ctx, b, k)
		must(t, "SAdd with a duplicate", b.SAdd(ctx, k, "a", "b", "a", "c"))
		checkMembers(t, ctx, b, k, "a", "b", "c")
		must(t, "SAdd of a present and a new member", b.SAdd(ctx, k, "c", "d"))
		checkMembers(t, ctx, b, k, "a", "b", "c", "d")
		must(t, "SAdd of a present member", b.SAdd(ctx, k, "a"))
		checkMembers(t, ctx, b, k, "a", "b", "c", "d")
		must(t, "SRem of a member and an absent one", b.SRem(ctx, k, "a", "x"))
		checkMembers(t, ctx, b, k, "b", "c", "d")
		must(t, "SRem of an absent member", b.SRem(ctx, k, "x"))
		checkMembers(t, ctx, b, k, "b", "c", "d")
		must(t, "SRem of the rest", b.SRem(ctx, k, "b", "c", "d", "d"))
		checkMembers(t, ctx, b, k)
		// The set is gone with its last member.
		eqStr(t, "Get of an emptied set", nil)(b.Get(ctx, k))
		eq(t, "Delete of an emptied set", false)(b.Delete(ctx, k))
		eq(t, "SetNX of an emptied set", true)(b.SetNX(ctx, k, "string"))
		checkString(t, ctx, b, k, "string")

		must(t, "SRem from an absent key", b.SRem(ctx, key("absent"), "a"))
		checkMembers(t, ctx, b, key("absent"))
		checkAbsent(t, ctx, b, key("absent"))
	})

	t.Run("Members", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		k := key("s")
		want := make([]string, 0, 100)
		args := make([]any, 0, 99)
		for i := range 100 {
			want = append(want, fmt.Sprintf("member-%03d", i))
			if i > 0 {
				args = append(args, want[i])
			}
		}
		must(t, "SAdd of 100 members", b.SAdd(ctx, k, want[0], args...))
		checkMembers(t, ctx, b, k, want...)
		must(t, "SAdd of similar members", b.SAdd(ctx, key("similar"), "a", "A", "a ", " a", "aa"))
		checkMembers(t, ctx, b, key("similar"), "a", "A", "a ", " a", "aa")
		must(t, "SRem of one of similar members", b.SRem(ctx, key("similar"), "a"))
		checkMembers(t, ctx, b, key("similar"), "A", "a ", " a", "aa")
	})

	t.Run("EmptyMember", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		errIs(t, "SAdd of an empty member", b.SAdd(ctx, key("s"), ""), kvstore.ErrInvalidArgument)
		errIs(t, "SAdd of a member and an empty one", b.SAdd(ctx, key("s"), "a", ""), kvstore.ErrInvalidArgument)
		errIs(t, "SAdd of an empty []byte", b.SAdd(ctx, key("s"), []byte{}), kvstore.ErrInvalidArgument)
		checkMembers(t, ctx, b, key("s"))
		checkAbsent(t, ctx, b, key("s"))
		must(t, "SAdd", b.SAdd(ctx, key("t"), "a"))
		errIs(t, "SAdd of an empty member to a set", b.SAdd(ctx, key("t"), "b", ""), kvstore.ErrInvalidArgument)
		errIs(t, "SRem of an empty member", b.SRem(ctx, key("t"), "a", ""), kvstore.ErrInvalidArgument)
		checkMembers(t, ctx, b, key("t"), "a")
	})
}
