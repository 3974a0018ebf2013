package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/kvlambda/kvlambda/internal/lambdaemu"
)

// Build tags of the functions' deploy builds, as mk/lambda.mk's LAMBDA_TAGS sets
// them: DeployTags for `make build`, DAXTags for `make build DAX=true` (with the DAX
// client, for a stack with a DAX cluster).
const (
	DeployTags = lambdaemu.DeployTags
	DAXTags    = "lambda.norpc,kvstore_awsenv"
)

// BuildBootstrap compiles the main package pkg (a path relative to the repository
// root, such as "./functions/api") into dir/bootstrap exactly as `make build` does
// (mk/lambda.mk): CGO_ENABLED=0 GOOS=linux GOARCH=goarch go build -tags tags
// -trimpath -ldflags '-s -w', with tags DeployTags or DAXTags. It returns the
// binary's path and size in bytes.
func BuildBootstrap(ctx context.Context, pkg, tags, goarch, dir string) (string, int64, error) {
	root, err := lambdaemu.RepoRoot()
	if err != nil {
		return "", 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", tags, "-trimpath",
		"-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("bench: building %s for linux/%s (tags %s): %v\n%s", pkg, goarch, tags, err, b)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return "", 0, err
	}
	return out, fi.Size(), nil
}
