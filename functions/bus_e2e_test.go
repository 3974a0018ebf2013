package functions_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/events/bus"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl"
)

// withDetail returns a copy of the sample bus event with another id and detail.
func withDetail(t *testing.T, event []byte, id, detail string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	ev["id"] = id
	ev["detail"] = json.RawMessage(detail)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBus delivers the sample kvstore.command event three times to the bus function
// on Redis and on DynamoDB Local, and malformed events once each.
func TestBus(t *testing.T) {
	t.Run("redis", func(t *testing.T) {
		r := testservers.StartRedis(t)
		testBus(t, "redis://"+r.Addr())
	})
	t.Run("dynamodb", func(t *testing.T) {
		endpoint := testservers.DynamoDBLocal(t)
		table := testservers.NewDynamoDBTable(t, testservers.NewDynamoDBClient(t, endpoint))
		testBus(t, "dynamodb:///"+table+"?endpoint="+endpoint+"&region=us-east-1")
	})
}

func testBus(t *testing.T, url string) {
	ctx := context.Background()
	t.Setenv("AWS_ACCESS_KEY_ID", "local") // for this process's client of the same URL
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	store, err := kvstoreurl.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	fn := startFunction(t, "bus", map[string]string{"KVSTORE_URL": url})
	event := readEvent(t, "bus.json")
	for i := range 3 {
		if out := fn.mustInvoke(event); string(out) != "null" {
			t.Fatalf("delivery %d: response %s", i+1, out)
		}
		if i == 0 {
			fn.checkColdStart("bus", true)
		}
	}
	wantString(t, store, "greeting", "hello from the bus")
	wantString(t, store, "orders:count", "1") // INCR applied once
	if v, err := store.HGet(ctx, "order:1001", "status"); err != nil || v == nil || *v != "paid" {
		t.Errorf("order:1001 status = %v, %v", v, err)
	}
	m, err := store.Get(ctx, bus.MarkerKey("6a7e8feb-b491-4cf7-a9f1-bf3703467718"))
	if err != nil || m == nil {
		t.Fatalf("marker: %v %v", m, err)
	}
	if mk, err := bus.ParseMarker(*m); err != nil || mk.Outcome != "applied" || mk.Commands != 3 {
		t.Errorf("marker %s: %+v %v", *m, mk, err)
	}
	logs := fn.emu.Logs()
	if n := strings.Count(logs, `"outcome":"applied"`); n != 1 {
		t.Errorf("%d deliveries logged as applied", n)
	}
	if n := strings.Count(logs, `"outcome":"duplicate"`); n != 2 {
		t.Errorf("%d deliveries logged as duplicates", n)
	}

	// Malformed events: refused with an error naming the event, nothing written.
	for _, tc := range []struct{ id, detail, want string }{
		{"bad-1", `"SET k v"`, `detail is not {"commands"`},
		{"bad-2", `{"commands":[["SET","k","v"],["GET","k"]]}`, "command 2: GET is not a write command"},
		{"bad-3", `{"commands":[["SET","k","v"],["NOPE","k"]]}`, "command 2: ERR unknown command 'NOPE'"},
		{"bad-4", `{"commands":[["SET","k","v"],["INCR","greeting"]]}`, "ERR value is not an integer"},
	} {
		_, err := fn.invoke(withDetail(t, event, tc.id, tc.detail))
		if err == nil || !strings.Contains(err.Error(), `"`+tc.id+`"`) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming the event and %q", tc.id, err, tc.want)
		}
		wantAbsent(t, store, "k")
		wantAbsent(t, store, bus.MarkerKey(tc.id))
	}
	wantString(t, store, "greeting", "hello from the bus")
}

func wantString(t *testing.T, b kvstore.Backend, key, want string) {
	t.Helper()
	if v, err := b.Get(context.Background(), key); err != nil || v == nil || *v != want {
		t.Errorf("%s = %v, %v; want %q", key, v, err, want)
	}
}

func wantAbsent(t *testing.T, b kvstore.Backend, key string) {
	t.Helper()
	if v, err := b.Get(context.Background(), key); err != nil || v != nil {
		t.Errorf("%s = %v, %v; want absent", key, v, err)
	}
}
