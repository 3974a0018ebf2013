package functions_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cdkFunctionID is the logical ID the CDK gives the function construct named
// <Title>Function at the stack's root (infra/stack.go): the path's components without
// "Resource", then the first 8 hex digits of the MD5 of the whole path, upper case.
func cdkFunctionID(name string) string {
	path := strings.ToUpper(name[:1]) + name[1:] + "Function"
	sum := md5.Sum([]byte(path + "/Resource"))
	return path + strings.ToUpper(hex.EncodeToString(sum[:])[:8])
}

// TestSAMConfig checks that samconfig.toml and testdata/sam-env.json name what
// exists: the env file, the template path make synth writes, and the functions'
// logical IDs (also in the synthesized template when make synth has run).
func TestSAMConfig(t *testing.T) {
	root := filepath.Join("..")
	conf, err := os.ReadFile(filepath.Join(root, "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`template_file = "infra/cdk.out/Kvlambda.template.json"`,
		`env_vars = "testdata/sam-env.json"`,
		"[default.local_invoke.parameters]",
		"[default.local_start_api.parameters]",
	} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("samconfig.toml lacks %s", want)
		}
	}
	var env map[string]map[string]string
	b, err := os.ReadFile(filepath.Join(root, "testdata", "sam-env.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, fn := range []string{"api", "bus", "stream"} {
		id := cdkFunctionID(fn)
		ids = append(ids, id)
		if env[id]["KVSTORE_URL"] != "redis://host.docker.internal:6379" {
			t.Errorf("sam-env.json: %s has no KVSTORE_URL at the host's Redis: %v", id, env[id])
		}
	}
	if len(env) != len(ids) {
		t.Errorf("sam-env.json keys %v, want %v", slices.Sorted(maps.Keys(env)), ids)
	}

	tmpl, err := os.ReadFile(filepath.Join(root, "infra", "cdk.out", "Kvlambda.template.json"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Log("no synthesized template (run make synth): checked the logical IDs by the CDK's rule only")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct {
			Type       string
			Properties struct {
				Environment struct{ Variables map[string]json.RawMessage }
			}
		}
	}
	if err := json.Unmarshal(tmpl, &doc); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		r, ok := doc.Resources[id]
		if !ok || r.Type != "AWS::Lambda::Function" {
			t.Errorf("template has no function %s", id)
			continue
		}
		for name := range env[id] {
			if _, ok := r.Properties.Environment.Variables[name]; !ok {
				t.Errorf("%s: the template does not declare %s, so SAM would ignore its value", id, name)
			}
		}
	}
}
