package httpapi_test

import (
	"net/http/httptest"
	"testing"

	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/internal/linearizability"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// TestLinearizableOverHTTP runs concurrent clients through the data API over HTTP
// (GET, SET, SET NX, SET IFEQ, DEL, INCRBY on POST / and atomic writes on POST
// /multi-exec) in front of the memory backend, and checks the history with porcupine.
func TestLinearizableOverHTTP(t *testing.T) {
	h, err := httpapi.New(httpapi.Config{Backend: memory.NewBackend(), Token: "lin-token"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	target := linearizability.NewHTTPTarget(srv.Client(), srv.URL, "lin-token", "k")
	hist := linearizability.Run(t.Context(), target, linearizability.Config{Clients: 8, OpsPerClient: 150, Atomic: true, Seed: 4})
	r := linearizability.Require(t, "data API over HTTP (memory)", hist)
	if r.Refused+r.Unknown > 0 {
		t.Errorf("%d calls failed over HTTP on the memory backend, want 0", r.Refused+r.Unknown)
	}
}
