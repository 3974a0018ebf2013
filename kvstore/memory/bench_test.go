package memory

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

const bigSet = 1_000_000

var (
	bigOnce    sync.Once
	bigBackend *Backend
	bigHeap    uint64
)

// big returns a backend holding a 1,000,000-member sorted set "z" with scores 0..n-1,
// and the heap it takes.
func big(b *testing.B) *Backend {
	bigOnce.Do(func() {
		ctx := context.Background()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		bigBackend = NewBackend()
		for i := 0; i < bigSet; i++ {
			if err := bigBackend.ZAdd(ctx, "z", "member-"+strconv.Itoa(i), float64(i)); err != nil {
				panic(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		bigHeap = after.HeapInuse - before.HeapInuse
	})
	return bigBackend
}

// BenchmarkZAdd1M rescores members of a 1,000,000-member sorted set.
func BenchmarkZAdd1M(b *testing.B) {
	be := big(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := be.ZAdd(ctx, "z", "member-"+strconv.Itoa(i%bigSet), float64(i%bigSet)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(bigHeap)/(1<<20), "heapMB")
}

// BenchmarkZRangeByScore1M reads 10 members from the middle of a 1,000,000-member set.
func BenchmarkZRangeByScore1M(b *testing.B) {
	be := big(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		min := float64(i % (bigSet - 100))
		r, err := be.ZRangeByScore(ctx, "z", min, min+1000, 10)
		if err != nil || len(r) != 10 {
			b.Fatal(len(r), err)
		}
	}
}

// BenchmarkZCountHalf1M counts half of a 1,000,000-member set.
func BenchmarkZCountHalf1M(b *testing.B) {
	be := big(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		n, err := be.ZCount(ctx, "z", bigSet/4, 3*bigSet/4-1)
		if err != nil || n != bigSet/2 {
			b.Fatal(n, err)
		}
	}
}

func benchParallel(b *testing.B, goroutines int, op func(ctx context.Context, be *Backend, key string) error) {
	be := NewBackend()
	ctx := context.Background()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
		if err := be.Set(ctx, keys[i], "value"); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N / goroutines
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				if err := op(ctx, be, keys[(i*7+g*13)%len(keys)]); err != nil {
					panic(err)
				}
			}
		}()
	}
	wg.Wait()
}

func get(ctx context.Context, be *Backend, key string) error {
	_, err := be.Get(ctx, key)
	return err
}

func set(ctx context.Context, be *Backend, key string) error {
	return be.Set(ctx, key, "value")
}

// BenchmarkGet1 is Get from one goroutine; BenchmarkGet2 from two (ns/op is wall time
// per operation, so 2 goroutines should show less).
func BenchmarkGet1(b *testing.B) { benchParallel(b, 1, get) }

// BenchmarkGet2 is BenchmarkGet1 from two goroutines.
func BenchmarkGet2(b *testing.B) { benchParallel(b, 2, get) }

// BenchmarkSet1 is Set from one goroutine.
func BenchmarkSet1(b *testing.B) { benchParallel(b, 1, set) }

// BenchmarkSet2 is BenchmarkSet1 from two goroutines.
func BenchmarkSet2(b *testing.B) { benchParallel(b, 2, set) }
