// Command bus is kvlambda's EventBridge consumer: it applies kvstore.command events
// (package events/bus) to the backend named by KVSTORE_URL, each exactly once.
//
// EventBridge invokes it asynchronously. An event it applies, finds already applied,
// or whose condition fails is acknowledged; a malformed event, or one the store
// cannot apply now, is an error, so that Lambda and EventBridge retry it and then
// send it to the dead-letter queue.
package main

import (
	"context"
	"log/slog"
	"os"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kvlambda/kvlambda/events/bus"
	"github.com/kvlambda/kvlambda/internal/coldstart"
	"github.com/kvlambda/kvlambda/kvstore/cache"
	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl"
	"github.com/kvlambda/kvlambda/kvstore/profile"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("function", "bus")
	ctx := context.Background()
	backend, err := kvstoreurl.FromEnv(ctx)
	if err != nil {
		log.Error("init: cannot open the backend", "error", err.Error())
		os.Exit(1)
	}
	h, err := bus.New(bus.Config{Backend: backend, Logger: log})
	if err != nil {
		log.Error("init: bad configuration", "error", err.Error())
		os.Exit(1)
	}
	handler := func(ctx context.Context, ev lambdaevents.EventBridgeEvent) (any, error) {
		return nil, h.Handle(ctx, ev)
	}
	if c, ok := backend.(*cache.Backend); ok {
		handler = cache.WrapHandler(c, handler)
	}
	if p := profile.Of(backend); p != nil {
		handler = profile.WrapHandler(p, handler)
	}
	coldstart.LogInit(log)
	lambda.Start(handler)
}
