package kvstoretest

import (
	"fmt"
	"math"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

// testBatch covers BatchOperation: every operation, many operations, queue order,
// invalid and failing operations.
func testBatch(t *testing.T, b kvstore.Backend) {
	t.Run("Empty", func(t *testing.T) {
		noErr(t, "Exec of an empty batch", b.Batch().Exec(t.Context()))
	})

	t.Run("Many", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		const n = 300
		batch := b.Batch()
		sets := make([]kvstore.ErrorResult, n)
		for i := range n {
			sets[i] = batch.Set(key(fmt.Sprint(i)), fmt.Sprintf("value-%d", i))
		}
		must(t, "Exec of 300 Sets", batch.Exec(ctx))
		for i, r := range sets {
			noErr(t, fmt.Sprintf("Set %d", i), r.Result())
		}
		checkString(t, ctx, b, key("0"), "value-0")
		checkString(t, ctx, b, key("299"), "value-299")

		batch = b.Batch()
		gets := make([]kvstore.GetResult, n+50)
		for i := range gets {
			gets[i] = batch.Get(key(fmt.Sprint(i)))
		}
		must(t, "Exec of 350 Gets", batch.Exec(ctx))
		for i, r := range gets {
			want := str(fmt.Sprintf("value-%d", i))
			if i >= n {
				want = nil
			}
			eqStr(t, fmt.Sprintf("batched Get %d", i), want)(r.Result())
		}

		batch = b.Batch()
		for i := 0; i < n; i += 2 {
			batch.Delete(key(fmt.Sprint(i)))
		}
		must(t, "Exec of 150 Deletes", batch.Exec(ctx))
		batch = b.Batch()
		for i := range gets[:n] {
			gets[i] = batch.Get(key(fmt.Sprint(i)))
		}
		must(t, "Exec of 300 Gets", batch.Exec(ctx))
		for i, r := range gets[:n] {
			want := str(fmt.Sprintf("value-%d", i))
			if i%2 == 0 {
				want = nil
			}
			eqStr(t, fmt.Sprintf("batched Get %d after Delete", i), want)(r.Result())
		}
	})

	t.Run("EveryOperation", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("str"), "s"))
		must(t, "Set", b.Set(ctx, key("del"), "d"))
		must(t, "SAdd", b.SAdd(ctx, key("set"), "a", "b"))
		must(t, "SAdd", b.SAdd(ctx, key("srem"), "a", "b", "c"))
		must(t, "SAdd", b.SAdd(ctx, key("delset"), "a"))
		must(t, "HSet", b.HSet(ctx, key("hash"), "f", "v", kv("g", "w")))
		must(t, "ZAdd", b.ZAdd(ctx, key("z"), "m", 1.5))
		must(t, "ZAdd", b.ZAdd(ctx, key("zrem"), "m", 1))
		must(t, "ZAdd", b.ZAdd(ctx, key("zrem"), "n", 2))

		batch := b.Batch()
		get := batch.Get(key("str"))
		getAbsent := batch.Get(key("absent"))
		members := batch.SMembers(key("set"))
		membersAbsent := batch.SMembers(key("absent"))
		hash := batch.HGetAll(key("hash"))
		hashAbsent := batch.HGetAll(key("absent"))
		score := batch.ZScore(key("z"), "m")
		scoreAbsentMember := batch.ZScore(key("z"), "x")
		scoreAbsent := batch.ZScore(key("absent"), "m")
		set := batch.Set(key("new"), "n")
		setInt := batch.Set(key("int"), 42)
		setBytes := batch.Set(key("bytes"), []byte("b"))
		setMarshaler := batch.Set(key("marshaler"), marshaler{"m"})
		setOverSet := batch.Set(key("delset"), "replaced")
		del := batch.Delete(key("del"))
		delAbsent := batch.Delete(key("absent2"))
		sadd := batch.SAdd(key("newset"), "x", "y", 3)
		srem := batch.SRem(key("srem"), "a", "c", "absent")
		zadd := batch.ZAdd(key("newz"), "q", -2)
		zaddInf := batch.ZAdd(key("newz"), "r", math.Inf(1))
		zrem := batch.ZRem(key("zrem"), "m")
		zremAbsent := batch.ZRem(key("zrem"), "absent")
		must(t, "Exec", batch.Exec(ctx))

		eqStr(t, "batched Get", str("s"))(get.Result())
		eqStr(t, "batched Get of an absent key", nil)(getAbsent.Result())
		eqSet(t, "batched SMembers", "a", "b")(members.Result())
		eqSet(t, "batched SMembers of an absent key")(membersAbsent.Result())
		eqMap(t, "batched HGetAll", map[string]string{"f": "v", "g": "w"})(hash.Result())
		eqMap(t, "batched HGetAll of an absent key", nil)(hashAbsent.Result())
		eqScore(t, "batched ZScore", num(1.5))(score.Result())
		eqScore(t, "batched ZScore of an absent member", nil)(scoreAbsentMember.Result())
		eqScore(t, "batched ZScore of an absent key", nil)(scoreAbsent.Result())
		for name, r := range map[string]kvstore.ErrorResult{
			"Set": set, "Set int": setInt, "Set []byte": setBytes, "Set BinaryMarshaler": setMarshaler,
			"Set over a set": setOverSet, "Delete": del, "Delete of an absent key": delAbsent,
			"SAdd": sadd, "SRem": srem, "ZAdd": zadd, "ZAdd +inf": zaddInf, "ZRem": zrem,
			"ZRem of an absent member": zremAbsent,
		} {
			noErr(t, "batched "+name, r.Result())
		}

		checkString(t, ctx, b, key("new"), "n")
		checkString(t, ctx, b, key("int"), "42")
		checkString(t, ctx, b, key("bytes"), "b")
		checkString(t, ctx, b, key("marshaler"), "m")
		checkString(t, ctx, b, key("delset"), "replaced")
		checkAbsent(t, ctx, b, key("del"))
		checkAbsent(t, ctx, b, key("absent2"))
		checkMembers(t, ctx, b, key("newset"), "x", "y", "3")
		checkMembers(t, ctx, b, key("srem"), "b")
		checkSorted(t, ctx, b, key("newz"), sm("q", -2), sm("r", math.Inf(1)))
		checkSorted(t, ctx, b, key("zrem"), sm("n", 2))
		checkString(t, ctx, b, key("str"), "s")
	})

	t.Run("QueueOrder", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("was-string"), "s"))
		batch := b.Batch()
		batch.Set(key("a"), "a")
		batch.Set(key("a"), "b")
		batch.Delete(key("a"))
		batch.Set(key("a"), "c")
		batch.Set(key("b"), "b")
		batch.Delete(key("b"))
		batch.SAdd(key("s"), "x")
		batch.SRem(key("s"), "x")
		batch.SAdd(key("s"), "y")
		batch.SAdd(key("t"), "x")
		batch.Delete(key("t"))
		batch.Delete(key("was-string"))
		batch.SAdd(key("was-string"), "z")
		batch.ZAdd(key("z"), "m", 1)
		batch.ZAdd(key("z"), "m", 2)
		batch.ZAdd(key("z"), "n", 1)
		batch.ZRem(key("z"), "n")
		batch.ZRem(key("z"), "o")
		batch.ZAdd(key("z"), "o", 3)
		for i := range 30 {
			batch.Set(key("c"), fmt.Sprint(i))
		}
		must(t, "Exec", batch.Exec(ctx))
		checkString(t, ctx, b, key("a"), "c")
		checkAbsent(t, ctx, b, key("b"))
		checkMembers(t, ctx, b, key("s"), "y")
		checkMembers(t, ctx, b, key("t"))
		checkMembers(t, ctx, b, key("was-string"), "z")
		checkSorted(t, ctx, b, key("z"), sm("m", 2), sm("o", 3))
		checkString(t, ctx, b, key("c"), "29")
	})

	t.Run("InvalidOperation", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("keep"), "k"))
		for _, c := range []struct {
			name  string
			queue func(kvstore.BatchOperation)
		}{
			{"Set of a float64", func(batch kvstore.BatchOperation) { batch.Set(key("x"), 1.5) }},
			{"Set with an empty key", func(batch kvstore.BatchOperation) { batch.Set("", "v") }},
			{"Get with an empty key", func(batch kvstore.BatchOperation) { batch.Get("") }},
			{"Delete of a 1025-byte key", func(batch kvstore.BatchOperation) {
				batch.Delete(padKey(t, key("long"), kvstore.MaxKeySize+1))
			}},
			{"SAdd of an empty member", func(batch kvstore.BatchOperation) { batch.SAdd(key("x"), "a", "") }},
			{"SRem of a bool", func(batch kvstore.BatchOperation) { batch.SRem(key("x"), true) }},
			{"ZAdd with a NaN score", func(batch kvstore.BatchOperation) { batch.ZAdd(key("x"), "m", math.NaN()) }},
			{"ZAdd of a 1017-byte member", func(batch kvstore.BatchOperation) { batch.ZAdd(key("x"), string(make([]byte, 1017)), 1) }},
			{"ZRem of nil", func(batch kvstore.BatchOperation) { batch.ZRem(key("x"), nil) }},
			{"ZScore of a failing marshaler", func(batch kvstore.BatchOperation) { batch.ZScore(key("x"), failingMarshaler{}) }},
			{"SMembers with an empty key", func(batch kvstore.BatchOperation) { batch.SMembers("") }},
			{"HGetAll with an empty key", func(batch kvstore.BatchOperation) { batch.HGetAll("") }},
			{"Set of a value too large", func(batch kvstore.BatchOperation) {
				k := key("big")
				batch.Set(k, string(make([]byte, kvstore.MaxItemSize-kvstore.StringItemSize(k, 0)+1)))
			}},
		} {
			batch := b.Batch()
			results := []interface{ Result() error }{
				batch.Set(key("a"), "a"),
				batch.SAdd(key("s"), "m"),
				batch.ZAdd(key("z"), "m", 1),
				batch.Delete(key("keep")),
			}
			get := batch.Get(key("keep"))
			c.queue(batch)
			results = append(results, batch.Set(key("b"), "b"))
			errIs(t, "Exec of a batch with "+c.name, batch.Exec(ctx), kvstore.ErrInvalidArgument)
			for i, r := range results {
				errIs(t, fmt.Sprintf("result %d of a batch with %s that did not run", i, c.name), r.Result(), kvstore.ErrInvalidArgument)
			}
			failsWith[*string](t, "Get in a batch with "+c.name+" that did not run", kvstore.ErrInvalidArgument)(get.Result())
			checkAbsent(t, ctx, b, key("a"))
			checkAbsent(t, ctx, b, key("b"))
			checkMembers(t, ctx, b, key("s"))
			checkSorted(t, ctx, b, key("z"))
			checkString(t, ctx, b, key("keep"), "k")
		}
	})

	t.Run("WrongType", func(t *testing.T) {
		ctx, key := t.Context(), newKeys(t)
		must(t, "Set", b.Set(ctx, key("str"), "s"))
		must(t, "SAdd", b.SAdd(ctx, key("set"), "a"))
		must(t, "HSet", b.HSet(ctx, key("hash"), "f", "v"))
		batch := b.Batch()
		getSet := batch.Get(key("set"))
		getHash := batch.Get(key("hash"))
		membersStr := batch.SMembers(key("str"))
		membersHash := batch.SMembers(key("hash"))
		hashStr := batch.HGetAll(key("str"))
		hashSet := batch.HGetAll(key("set"))
		saddStr := batch.SAdd(key("str"), "x")
		saddHash := batch.SAdd(key("hash"), "x")
		sremStr := batch.SRem(key("str"), "x")
		set := batch.Set(key("new"), "ok")
		get := batch.Get(key("str"))
		sadd := batch.SAdd(key("set"), "b")
		if err := batch.Exec(ctx); err == nil {
			t.Error("Exec of a batch with failing operations returned no error")
		}
		wt := kvstore.ErrWrongType
		failsWith[*string](t, "batched Get of a set", wt)(getSet.Result())
		failsWith[*string](t, "batched Get of a hash", wt)(getHash.Result())
		failsWith[[]string](t, "batched SMembers of a string", wt)(membersStr.Result())
		failsWith[[]string](t, "batched SMembers of a hash", wt)(membersHash.Result())
		failsWith[map[string]string](t, "batched HGetAll of a string", wt)(hashStr.Result())
		failsWith[map[string]string](t, "batched HGetAll of a set", wt)(hashSet.Result())
		errIs(t, "batched SAdd to a string", saddStr.Result(), wt)
		errIs(t, "batched SAdd to a hash", saddHash.Result(), wt)
		errIs(t, "batched SRem from a string", sremStr.Result(), wt)
		noErr(t, "batched Set beside failing operations", set.Result())
		eqStr(t, "batched Get beside failing operations", str("s"))(get.Result())
		noErr(t, "batched SAdd beside failing operations", sadd.Result())
		checkString(t, ctx, b, key("new"), "ok")
		checkString(t, ctx, b, key("str"), "s")
		checkMembers(t, ctx, b, key("set"), "a", "b")
		checkHash(t, ctx, b, key("hash"), map[string]string{"f": "v"})
	})
}
