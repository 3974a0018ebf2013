package infra_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvlambda/kvlambda/infra"
)

// buildTagged builds a trivial Go program with tags into dir/<name>/bootstrap.
func buildTagged(t *testing.T, src, dir, name, tags string) {
	t.Helper()
	out := filepath.Join(dir, name, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", tags, "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
}

// TestCheckDAXBuild checks that a stack with DAX refuses functions built without
// the DAX client (make build's default kvstore_nodax tag) and takes them built with it.
func TestCheckDAXBuild(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module example.com/hello\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	without, with := t.TempDir(), t.TempDir()
	for _, name := range infra.DAXFunctionNames {
		buildTagged(t, src, without, name, "lambda.norpc,kvstore_awsenv,kvstore_nodax")
		buildTagged(t, src, with, name, "lambda.norpc,kvstore_awsenv")
	}
	err := infra.CheckDAXBuild(without)
	if !errors.Is(err, infra.ErrBuildWithoutDAX) || !strings.Contains(err.Error(), "make build DAX=true") {
		t.Fatalf("CheckDAXBuild(built without DAX) = %v, want ErrBuildWithoutDAX naming make build DAX=true", err)
	}
	for _, name := range infra.DAXFunctionNames {
		if !strings.Contains(err.Error(), filepath.Join(without, name, "bootstrap")) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
	if err := infra.CheckDAXBuild(with); err != nil {
		t.Fatalf("CheckDAXBuild(built with DAX) = %v", err)
	}
	// Files that are not Go executables (the template tests' placeholders) are not judged.
	if err := infra.CheckDAXBuild(filepath.Join(workDir, "build")); err != nil {
		t.Fatalf("CheckDAXBuild(placeholders) = %v", err)
	}
}
