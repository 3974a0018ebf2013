package dynamodb_test

import (
	"strconv"
	"testing"
)

func BenchmarkGet(b *testing.B) {
	be := newBackend(b)
	ctx := b.Context()
	must(b, be.Set(ctx, "k", "value"))
	for b.Loop() {
		if _, err := be.Get(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	be := newBackend(b)
	ctx := b.Context()
	for b.Loop() {
		must(b, be.Set(ctx, "k", "value"))
	}
}

func BenchmarkBatchGet1000(b *testing.B) {
	be := newBackend(b)
	ctx := b.Context()
	bt := be.Batch()
	for i := range 1000 {
		bt.Set("k"+strconv.Itoa(i), "value")
	}
	must(b, bt.Exec(ctx))
	for b.Loop() {
		bt := be.Batch()
		for i := range 1000 {
			bt.Get("k" + strconv.Itoa(i))
		}
		must(b, bt.Exec(ctx))
	}
}

func BenchmarkBatchSet1000(b *testing.B) {
	be := newBackend(b)
	ctx := b.Context()
	for b.Loop() {
		bt := be.Batch()
		for i := range 1000 {
			bt.Set("k"+strconv.Itoa(i), "value")
		}
		must(b, bt.Exec(ctx))
	}
}
