package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/kvstore/memory"
)

// FuzzServe sends arbitrary bodies to every route: nothing may panic or be an
// internal error (a panic is recovered as a 500, so a 500 fails the test), every
// response is JSON, and every refused request gets a 4xx with a Redis-style error.
func FuzzServe(f *testing.F) {
	for _, seed := range []string{
		`["SET","k","v","NX"]`, `["GET","k"]`, `["ZADD","z",1,"a",2.5,"b"]`, `["ZRANGE","z",0,-1,"WITHSCORES"]`,
		`["ZRANGE","z","(1","+inf","BYSCORE","REV","LIMIT",0,-1]`, `["ZRANGEBYLEX","z","[a","(c","LIMIT","1","1"]`,
		`["HSET","h","f","v","g","w"]`, `["SADD","s","a","b"]`, `["INCRBY","n","-9223372036854775808"]`,
		`["SET","k",null]`, `[["GET","k"],["SET","k","v"]]`, `[["SET","a","1"],["INCR","n"]]`, `[]`, `{}`, `[[]]`,
		`["MSET","a","1","b"]`, `["ZADD","z","NX","INCR","inf","m"]`, `["ping","x"]`, "\x00", `["\u0000"]`,
		`[["DEL","a","b"],["EXISTS","a"],["ZMSCORE","z","a"]]`, `[1e400]`, `["ZCOUNT","z","(-inf","(inf"]`,
		`["SET","k","v","NX","GET","PX",10]`, `["EXPIRE","k","-9223372036854775808","XX","LT"]`, `["TTL","k"]`,
		`["GETEX","k","PXAT","9223372036854775807"]`, `[["SETEX","k",1,"v"],["PEXPIRE","k",5]]`, `["PEXPIREAT","k",-1,"GT"]`,
		`["SET","k","v","KEEPTTL","GET"]`, `[["SET","l","v","NX","EX",1],["EXPIRE","z",1]]`, `["GETDEL","k"]`, `["PEXPIRETIME","k"]`,
	} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(1))
		f.Add(seed, uint8(2))
	}
	h, err := httpapi.New(httpapi.Config{Backend: memory.NewBackend(), Token: fullToken})
	if err != nil {
		f.Fatal(err)
	}
	paths := []string{"/", "/pipeline", "/multi-exec"}
	f.Fuzz(func(t *testing.T, body string, route uint8) {
		for _, enc := range []string{"", "base64"} {
			resp := h.Serve(context.Background(), httpapi.Request{
				Method: "POST", Path: paths[int(route)%len(paths)], Authorization: "Bearer " + fullToken,
				Encoding: enc, Body: []byte(body),
			})
			if resp.Status >= 500 {
				t.Fatalf("status %d for %q: %s", resp.Status, body, resp.Body)
			}
			if !json.Valid(resp.Body) {
				t.Fatalf("invalid JSON for %q: %s", body, resp.Body)
			}
			if resp.Status == 200 {
				continue
			}
			var e struct{ Error string }
			if err := json.Unmarshal(resp.Body, &e); err != nil || resp.Status < 400 || resp.Status >= 500 {
				t.Fatalf("status %d body %s", resp.Status, resp.Body)
			}
			ok := false
			for _, p := range []string{"ERR ", "WRONGTYPE ", "EXECABORT ", "NOPERM "} {
				ok = ok || strings.HasPrefix(e.Error, p)
			}
			if !ok {
				t.Fatalf("error %q is not Redis-style", e.Error)
			}
		}
	})
}
