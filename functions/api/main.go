// Command api is kvlambda's data API function: Redis commands over HTTP in the Upstash
// REST protocol (package events/httpapi), on the backend named by KVSTORE_URL.
//
// Inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves API Gateway HTTP API
// (payload v2) events, with its tokens read once at init from the Secrets Manager
// secret KVLAMBDA_TOKEN_SECRET_ARN ({"token":"...","readonly_token":"..."}). Outside
// Lambda it serves the same protocol with net/http on ADDR (default 127.0.0.1:8080),
// with the token from KVLAMBDA_TOKEN (generated and printed when unset) and the
// read-only token from KVLAMBDA_READONLY_TOKEN.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/kvlambda/kvlambda/events/httpapi"
	"github.com/kvlambda/kvlambda/internal/coldstart"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	inLambda := os.Getenv("AWS_LAMBDA_RUNTIME_API") != ""
	ctx := context.Background()

	backendURL := os.Getenv("KVSTORE_URL")
	backend, err := openBackend(ctx, backendURL)
	if err != nil {
		log.Error("init: cannot open the backend", "error", err.Error())
		os.Exit(1)
	}
	toks, err := loadTokens(ctx, inLambda)
	if err != nil {
		log.Error("init: cannot load the API tokens", "error", err.Error())
		os.Exit(1)
	}
	h, err := httpapi.New(httpapi.Config{Backend: backend, Token: toks.full, ReadOnlyToken: toks.readOnly, Logger: log})
	if err != nil {
		log.Error("init: bad configuration", "error", err.Error())
		os.Exit(1)
	}
	if inLambda {
		coldstart.LogInit(log.With("function", "api"))
		startLambda(h)
		return
	}
	if err := serveLocal(h, backendURL, toks, log); err != nil {
		log.Error("server stopped", "error", err.Error())
		os.Exit(1)
	}
}
