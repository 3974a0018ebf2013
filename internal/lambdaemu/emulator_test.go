package lambdaemu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kvlambda/kvlambda/internal/testservers"
)

// start builds testdata/hello and runs it under the emulator; without the emulator
// the test skips, or fails under CI.
func start(t *testing.T) *Emulator {
	t.Helper()
	if _, err := RIEPath(); errors.Is(err, ErrMissing) {
		testservers.Missing(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bin, err := BuildPackage(ctx, "./internal/lambdaemu/testdata/hello", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := Start(ctx, Config{Bootstrap: bin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

func TestInvokeHello(t *testing.T) {
	e := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < 3; i++ {
		out, err := e.Invoke(ctx, []byte(`{"name":"kvlambda"}`))
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != `{"hello":"kvlambda"}` {
			t.Fatalf("response %s", out)
		}
	}
	d, ok := e.InitDuration()
	if !ok || d <= 0 {
		t.Fatalf("no init duration in the emulator's logs:\n%s", e.Logs())
	}
	t.Logf("hello init duration %v", d)
}
