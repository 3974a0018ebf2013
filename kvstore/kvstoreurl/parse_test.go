package kvstoreurl

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/kvstore"
)

func TestParseMalformed(t *testing.T) {
	cases := []struct{ url, want string }{
		{"foo://x", `unknown scheme "foo"`},
		{"postgres://u:p@h/db", `unknown scheme "postgres"`},
		{"localhost", "no scheme"},
		{"redis:localhost:6379", "must start with redis://"},
		{"://x", "malformed URL"},
		{"redis://h:abc", "malformed URL"},
		{"redis://h:99999", `bad port "99999"`},
		{"redis://h:0", `bad port "0"`},
		{"dax://h:70000/table", `bad port "70000"`},
		{"memory://host", "takes no host"},
		{"memory:///path", "takes no host or path"},
		{"memory://?cache=10&foo=1", `unknown parameter "foo"`},
		{"memory://#frag", "#fragment"},
		{"memory://?cache=0", `cache="0"`},
		{"memory://?cache=-3", `cache="-3"`},
		{"memory://?cache=lots", `cache="lots"`},
		{"memory://?profile=maybe", `profile="maybe"`},
		{"memory://?cache=1&cache=2", `"cache" given 2 times`},
		{"memory://?a=%zz", "malformed query"},
		{"dynamodb://", "names no table"},
		{"dynamodb:///", "names no table"},
		{"dynamodb://mytable", `takes no host ("mytable")`},
		{"dynamodb:///ab", `bad table name "ab"`},
		{"dynamodb:///a/b/c", `bad table name "a/b/c"`},
		{"dynamodb:///t%20t", `bad table name "t t"`},
		{"dynamodb:///" + strings.Repeat("t", 256), "bad table name"},
		{"dynamodb:///table?foo=bar", `unknown parameter "foo" for a dynamodb URL`},
		{"dynamodb:///table?endpoint=localhost:8000", `endpoint="localhost:8000"`},
		{"dynamodb:///table?endpoint=ftp://h", `endpoint="ftp://h"`},
		{"dynamodb:///table?region=a&region=b", `"region" given 2 times`},
		{"dax://h:8111/", "names no table"},
		{"dax:///table", "names no host"},
		{"daxs://user:pw@h/table", "no user or password"},
		{"dax://h/table?endpoint=http://x", `unknown parameter "endpoint" for a dax URL`},
	}
	for _, c := range cases {
		_, err := parse(c.url)
		if err == nil {
			t.Errorf("%q: no error, want one containing %s", c.url, c.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "KVSTORE_URL: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %q, want KVSTORE_URL: ...%s...", c.url, err, c.want)
		}
		if !errors.Is(err, kvstore.ErrInvalidArgument) {
			t.Errorf("%q: error %v does not match ErrInvalidArgument", c.url, err)
		}
	}
}

func TestParseNeverRepeatsThePassword(t *testing.T) {
	for _, u := range []string{"redis://user:s3cret@h:abc", "redis://user:s3cret@h:99999", "dax://u:s3cret@h/t",
		"redis://u:s3cret@h:6379/x", "redis://u:s3cret@h:6379?bogus=1", "dynamodb://u:s3cret@h/table"} {
		_, err := parse(u)
		if err == nil {
			s, _ := parse(u)
			_, err = redisOptions(s)
		}
		if err == nil {
			t.Errorf("%q: no error", u)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: error %q shows the password", u, err)
		}
	}
}

func TestParseValid(t *testing.T) {
	cases := []struct {
		url     string
		scheme  string
		cache   int
		profile bool
	}{
		{"", "memory", 0, false},
		{"   ", "memory", 0, false},
		{"memory://", "memory", 0, false},
		{"memory:///", "memory", 0, false},
		{"memory://?cache=1000&profile=1", "memory", 1000, true},
		{"memory://?profile=false", "memory", 0, false},
		{"redis://localhost:6379", "redis", 0, false},
		{"redis://:pw@localhost:6379/2?cache=5&dial_timeout=3s", "redis", 5, false},
		{"rediss://user:pw@cache.example.com:6380", "rediss", 0, false},
		{"dynamodb:///my-table", "dynamodb", 0, false},
		{"dynamodb:///my.table_1?endpoint=http://127.0.0.1:8000&region=us-east-1&profile=true", "dynamodb", 0, true},
		{"dax://cluster.abc.dax-clusters.us-east-1.amazonaws.com:8111/tbl?region=us-east-1", "dax", 0, false},
		{"daxs://cluster.abc.dax-clusters.us-east-1.amazonaws.com/tbl?cache=10", "daxs", 10, false},
	}
	for _, c := range cases {
		s, err := parse(c.url)
		if err != nil {
			t.Errorf("%q: %v", c.url, err)
			continue
		}
		if s.scheme != c.scheme || s.cache != c.cache || s.profile != c.profile {
			t.Errorf("%q: scheme %q cache %d profile %v, want %q %d %v", c.url, s.scheme, s.cache, s.profile, c.scheme, c.cache, c.profile)
		}
		if _, ok := s.params["cache"]; ok {
			t.Errorf("%q: the cache parameter was left for the backend", c.url)
		}
	}
}

func TestRedisOptions(t *testing.T) {
	s, err := parse("redis://user:pw@10.0.0.1:6380/3?cache=10&pool_size=7")
	if err != nil {
		t.Fatal(err)
	}
	o, err := redisOptions(s)
	if err != nil {
		t.Fatal(err)
	}
	if o.Addr != "10.0.0.1:6380" || o.Username != "user" || o.Password != "pw" || o.DB != 3 || o.PoolSize != 7 || o.TLSConfig != nil {
		t.Errorf("options %+v", o)
	}
	s, _ = parse("rediss://cache.example.com:6380")
	o, err = redisOptions(s)
	if err != nil {
		t.Fatal(err)
	}
	if o.TLSConfig == nil || o.TLSConfig.ServerName != "cache.example.com" || o.TLSConfig.MinVersion < tls.VersionTLS12 {
		t.Errorf("rediss options: TLS %+v", o.TLSConfig)
	}
	for _, bad := range []string{"redis://h:6379/notadb", "redis://h:6379?bogus=1", "redis://h:6379/1/2"} {
		s, err := parse(bad)
		if err == nil {
			_, err = redisOptions(s)
		}
		if err == nil || !strings.HasPrefix(err.Error(), "KVSTORE_URL: ") || !errors.Is(err, kvstore.ErrInvalidArgument) {
			t.Errorf("%q: error %v, want a KVSTORE_URL invalid argument", bad, err)
		}
	}
}

func TestDAXEndpoint(t *testing.T) {
	for url, want := range map[string]string{
		"dax://h.example.com:1234/t1x": "dax://h.example.com:1234",
		"dax://h.example.com/t1x":      "dax://h.example.com:8111",
		"daxs://h.example.com/t1x":     "daxs://h.example.com:9111",
		"daxs://[::1]:9000/t1x":        "daxs://[::1]:9000",
	} {
		s, err := parse(url)
		if err != nil {
			t.Fatalf("%q: %v", url, err)
		}
		if got := s.daxEndpoint(); got != want {
			t.Errorf("%q: endpoint %q, want %q", url, got, want)
		}
	}
}
