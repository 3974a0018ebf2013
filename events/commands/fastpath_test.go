package commands

import (
	"encoding/json"
	"reflect"
	"testing"
)

// slowArgs is DecodeJSON's encoding/json path up to the arguments.
func slowArgs(data []byte) ([]string, bool) {
	var raw []json.RawMessage
	if err := unmarshal(data, &raw); err != nil {
		return nil, false
	}
	args, e := Args(raw)
	return args, e == nil
}

var fastPathSeeds = []string{
	`["SET","k","v"]`, ` [ "GET" , "k" ] `, "[\"GET\",\"k\"]\n", `["SET","k","é"]`,
	`["SET","k","\u00e9"]`, `["SET","k","a\"b"]`, `["SET","k",1]`, `["SET","k",true]`,
	`["SET","k"`, `["SET","k",]`, `["SET","k"] x`, `[]`, `[ ]`, `[,"a"]`, `["a""b"]`,
	"[\"a\tb\"]", "[\"\xff\"]", "[\"\xed\xa0\x80\"]", "[\"\u2028\x7f\"]", `"GET"`, ``,
	`["a",["b"]]`, `["a",null]`, `{"a":"b"}`, `["a","b",,]`, "\ufeff[\"a\"]",
}

// TestPlainStringsFastPath checks that the usual command bodies take the fast path,
// and that every body it takes decodes as encoding/json decodes it.
func TestPlainStringsFastPath(t *testing.T) {
	for _, body := range []string{`["SET","k","v"]`, ` [ "GET" , "k" ] `, `["SET","k","é"]`} {
		if _, ok := plainStrings([]byte(body)); !ok {
			t.Errorf("%s: not on the fast path", body)
		}
	}
	for _, body := range fastPathSeeds {
		checkFastPath(t, []byte(body))
	}
}

func FuzzPlainStrings(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkFastPath)
}

func checkFastPath(t *testing.T, data []byte) {
	fast, ok := plainStrings(data)
	if !ok {
		return
	}
	slow, slowOK := slowArgs(data)
	if !slowOK || !reflect.DeepEqual(fast, slow) {
		t.Errorf("%q: fast path %q, encoding/json %q (ok %v)", data, fast, slow, slowOK)
	}
}
