package kvstoreurl

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
	"github.com/kvlambda/kvlambda/kvstore/memory"
	"github.com/kvlambda/kvlambda/kvstore/profile"
	kvredis "github.com/kvlambda/kvlambda/kvstore/redis"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testservers.StopDynamoDBLocal()
	os.Exit(code)
}

// isolateAWS makes the AWS configuration chain see only what the test sets: dummy
// static credentials and no region, config file or profile.
func isolateAWS(t *testing.T) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_PROFILE": "",
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_DYNAMODB": "",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "",
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
}

func TestOpenMemory(t *testing.T) {
	ctx := t.Context()
	for _, u := range []string{"", "memory://", "memory:///"} {
		b, err := Open(ctx, u)
		if err != nil {
			t.Fatalf("%q: %v", u, err)
		}
		if _, ok := b.(*memory.Backend); !ok {
			t.Errorf("%q opened a %T, want *memory.Backend", u, b)
		}
	}
}

func TestOpenWrappers(t *testing.T) {
	ctx := t.Context()
	b, err := Open(ctx, "memory://?cache=10&profile=1")
	if err != nil {
		t.Fatal(err)
	}
	c, ok := b.(*cache.Backend)
	if !ok {
		t.Fatalf("opened a %T, want the cache outermost", b)
	}
	p := profile.Of(b)
	if p == nil {
		t.Fatal("no profiler under the cache")
	}
	if _, ok := c.Unwrap().Unwrap().(*memory.Backend); !ok {
		t.Errorf("the profiler wraps a %T, want the memory backend", c.Unwrap().Unwrap())
	}
	if err := b.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if v, err := b.Get(ctx, "k"); err != nil || *v != "v" {
			t.Fatalf("Get = %v, %v", v, err)
		}
	}
	s := p.Snapshot()
	if s.Operations["Get"].Count != 1 || s.Operations["Set"].Count != 1 {
		t.Errorf("the profiler saw %+v, want the one Get that missed and the Set", s.Operations)
	}
	if h := s.Cache["Get"]; h.Hits != 2 || h.Misses != 1 {
		t.Errorf("cache reads %+v, want 2 hits and 1 miss", h)
	}

	b, err = Open(ctx, "memory://?profile=1")
	if err != nil {
		t.Fatal(err)
	}
	if profile.Of(b) == nil {
		t.Error("profile=1 alone did not profile")
	}
	b, _ = Open(ctx, "memory://?cache=5")
	if _, ok := b.(*cache.Backend); !ok || profile.Of(b) != nil {
		t.Errorf("cache=5 alone opened a %T", b)
	}
}

func TestFromEnv(t *testing.T) {
	ctx := t.Context()
	t.Setenv(Variable, "")
	b1, err := FromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b1.(*memory.Backend); !ok {
		t.Errorf("unset %s opened a %T, want memory", Variable, b1)
	}
	os.Unsetenv(Variable)
	if b, _ := FromEnv(ctx); b != b1 {
		t.Error("an unset variable did not return the backend of an empty one")
	}

	t.Setenv(Variable, "memory://?cache=3")
	b2, err := FromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b2 == b1 {
		t.Error("another URL returned the same backend")
	}
	if b, _ := FromEnv(ctx); b != b2 {
		t.Error("FromEnv opened the same URL twice")
	}

	t.Setenv(Variable, "foo://bar")
	if _, err := FromEnv(ctx); err == nil || err.Error() != `KVSTORE_URL: kvstore: invalid argument: unknown scheme "foo": want memory, redis, rediss, dynamodb, dax or daxs` {
		t.Errorf("error %v", err)
	}
}

func TestOpenDynamoDBBuildsTheClient(t *testing.T) {
	isolateAWS(t)
	ctx := t.Context()
	s, err := parse("dynamodb:///table1?endpoint=http://127.0.0.1:8000&region=eu-west-3")
	if err != nil {
		t.Fatal(err)
	}
	client, err := dynamoDBClient(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	o := client.Options()
	if o.Region != "eu-west-3" || o.BaseEndpoint == nil || *o.BaseEndpoint != "http://127.0.0.1:8000" {
		t.Errorf("client region %q endpoint %v", o.Region, o.BaseEndpoint)
	}

	// The region comes from the environment when the URL has none.
	t.Setenv("AWS_REGION", "ap-south-1")
	s, _ = parse("dynamodb:///table1")
	if client, err = dynamoDBClient(ctx, s); err != nil {
		t.Fatal(err)
	}
	if o := client.Options(); o.Region != "ap-south-1" || o.BaseEndpoint != nil {
		t.Errorf("client region %q endpoint %v, want ap-south-1 and the default", o.Region, o.BaseEndpoint)
	}
	b, err := Open(ctx, "dynamodb:///table1?profile=1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Unwrap().(*kvdynamodb.Backend); !ok {
		t.Errorf("opened %T over %T, want the profiler over the dynamodb backend", b, b.Unwrap())
	}

	// Without a region, Open says how to give one.
	t.Setenv("AWS_REGION", "")
	_, err = Open(ctx, "dynamodb:///table1?endpoint=http://127.0.0.1:8000")
	if err == nil || !strings.HasPrefix(err.Error(), "KVSTORE_URL: ") || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("Open without a region: %v", err)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestOpenDAXBuildsTheClient builds DAX clients for a cluster that is not there: the
// client dials it when it is built, fails, and still is built; requests then fail
// within their context.
func TestOpenDAXBuildsTheClient(t *testing.T) {
	if buildNoDAX {
		t.Skip("built with the tag kvstore_nodax: no DAX client (TestOpenDAXWithoutDAX)")
	}
	isolateAWS(t)
	port := strconv.Itoa(closedPort(t))
	for _, scheme := range []string{"dax", "daxs"} {
		ctx := t.Context()
		b, closer, err := OpenWithCloser(ctx, scheme+"://127.0.0.1:"+port+"/table1?region=us-east-1&cache=10")
		if err != nil {
			t.Fatalf("%s: %v", scheme, err)
		}
		if _, ok := b.Unwrap().(*kvdynamodb.Backend); !ok {
			t.Errorf("%s: opened %T over %T", scheme, b, b.Unwrap())
		}
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		if _, err := b.Get(rctx, "k"); err == nil {
			t.Errorf("%s: Get from a cluster that is not there succeeded", scheme)
		}
		cancel()
		if err := closer.Close(); err != nil {
			t.Errorf("%s: Close: %v", scheme, err)
		}
	}

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Open(canceled, "dax://127.0.0.1:"+port+"/table1?region=us-east-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a canceled context: %v", err)
	}
	t.Setenv("AWS_REGION", "")
	if _, err := Open(t.Context(), "dax://127.0.0.1:"+port+"/table1"); err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("Open without a region: %v", err)
	}
}

func TestOpenRedis(t *testing.T) {
	r := testservers.StartRedis(t)
	ctx := t.Context()
	b, closer, err := OpenWithCloser(ctx, "redis://"+r.Addr()+"/0?cache=100&profile=1")
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	if _, ok := b.Unwrap().Unwrap().(*kvredis.Backend); !ok {
		t.Fatalf("opened %T, not a cache over a profiler over the redis backend", b)
	}
	if c, ok := closer.(*goredis.Client); !ok || !c.Options().ContextTimeoutEnabled {
		t.Errorf("the URL's client (%T) does not bound commands by context deadlines", closer)
	}
	if err := b.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "k"); err != nil || v == nil || *v != "v" {
		t.Fatalf("Get = %v, %v", v, err)
	}
	s := profile.Of(b).Snapshot()
	if s.Redis.RoundTrips == 0 || len(s.Redis.Commands) == 0 {
		t.Errorf("the redis backend reported no round trips to the URL's profiler: %+v", s.Redis)
	}

	// Another database of the same server holds other data.
	b1, closer1, err := OpenWithCloser(ctx, "redis://"+r.Addr()+"/1")
	if err != nil {
		t.Fatal(err)
	}
	defer closer1.Close()
	if v, err := b1.Get(ctx, "k"); err != nil || v != nil {
		t.Errorf("Get from database 1 = %v, %v; want nothing", v, err)
	}
}

func TestOpenDynamoDBLocal(t *testing.T) {
	endpoint := testservers.DynamoDBLocal(t)
	table := testservers.NewDynamoDBTable(t, testservers.NewDynamoDBClient(t, endpoint))
	isolateAWS(t)
	ctx := t.Context()
	b, err := Open(ctx, "dynamodb:///"+table+"?endpoint="+endpoint+"&region=us-east-1&profile=1")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "k"); err != nil || v == nil || *v != "v" {
		t.Fatalf("Get = %v, %v", v, err)
	}
	s := profile.Of(b).Snapshot()
	if len(s.DynamoDB) == 0 {
		t.Errorf("the dynamodb backend reported no requests to the URL's profiler")
	}
	t.Logf("DynamoDB requests: %+v", s.DynamoDB)
}

// TestOpenDAXWithoutDAX opens DAX URLs as a build with the tag kvstore_nodax does,
// without the DAX client: Open refuses them, saying how to build with it.
func TestOpenDAXWithoutDAX(t *testing.T) {
	saved := openDAX
	openDAX = nil
	t.Cleanup(func() { openDAX = saved })
	for _, u := range []string{"dax://127.0.0.1:8111/table1?region=us-east-1", "daxs://cluster.example.com/table1"} {
		_, closer, err := OpenWithCloser(t.Context(), u)
		if !errors.Is(err, kvstore.ErrInvalidArgument) || closer != nil ||
			!strings.HasPrefix(err.Error(), "KVSTORE_URL: ") || !strings.Contains(err.Error(), "kvstore_nodax") ||
			!strings.Contains(err.Error(), "DAX=true") {
			t.Errorf("%s: closer %v, error %v", u, closer, err)
		}
	}
	// Other URLs still open, and a malformed DAX URL is still malformed.
	if _, err := Open(t.Context(), "memory://"); err != nil {
		t.Error(err)
	}
	if _, err := Open(t.Context(), "dax:///table1"); err == nil || !strings.Contains(err.Error(), "names no host") {
		t.Errorf("dax URL without a host: %v", err)
	}
}

// TestBuildHasDAX checks the build's DAX client matches its tags.
func TestBuildHasDAX(t *testing.T) {
	if (openDAX == nil) != buildNoDAX {
		t.Errorf("openDAX set: %v, built with kvstore_nodax: %v", openDAX != nil, buildNoDAX)
	}
}
