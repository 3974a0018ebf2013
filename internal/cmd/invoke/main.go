// Command invoke runs one function's real bootstrap under the AWS Lambda Runtime
// Interface Emulator and prints its response to one event, as `make invoke` does:
//
//	go run ./internal/cmd/invoke -fn api -event testdata/events/api-get.json
//
// The function's environment is KVSTORE_URL (default redis://127.0.0.1:6379), the
// AWS_* variables, the KVLAMBDA_* variables of this process, and dummy AWS credentials
// when none are set.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kvlambda/kvlambda/internal/lambdaemu"
)

func main() {
	fn := flag.String("fn", "api", "function name (a directory under functions/)")
	event := flag.String("event", "", "path of the event JSON file")
	bootstrap := flag.String("bootstrap", "", "prebuilt bootstrap for this machine (default: build it)")
	flag.Parse()
	if err := run(*fn, *event, *bootstrap); err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(1)
	}
}

func run(fn, eventPath, bootstrap string) error {
	if eventPath == "" {
		return fmt.Errorf("-event is required")
	}
	event, err := os.ReadFile(eventPath)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if bootstrap == "" {
		dir, err := os.MkdirTemp("", "kvlambda-invoke-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if bootstrap, err = lambdaemu.Build(ctx, fn, dir); err != nil {
			return err
		}
	}
	env := map[string]string{
		"KVSTORE_URL":           "redis://127.0.0.1:6379",
		"AWS_REGION":            "us-east-1",
		"AWS_ACCESS_KEY_ID":     "local",
		"AWS_SECRET_ACCESS_KEY": "local",
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "KVLAMBDA_") || k == "KVSTORE_URL" {
			env[k] = v
		}
	}
	if fn == "api" && env["KVLAMBDA_TOKEN"] == "" && env["KVLAMBDA_TOKEN_SECRET_ARN"] == "" {
		env["KVLAMBDA_TOKEN"] = "local-token"
	}
	emu, err := lambdaemu.Start(ctx, lambdaemu.Config{Bootstrap: bootstrap, Env: env, Stdout: os.Stderr})
	if err != nil {
		return err
	}
	defer emu.Stop()
	out, err := emu.Invoke(ctx, event)
	fmt.Println(string(out))
	return err
}
