// Command stream is kvlambda's DynamoDB stream consumer: it decodes each record of the
// table's stream into kvstore changes and publishes one kvstore.change event per
// change (package events/stream) to the EventBridge bus named by KVLAMBDA_EVENT_BUS
// (default: the account's default bus), answering with the records to retry.
//
// With KVSTORE_URL naming the table (dynamodb:// or dax://, without wrappers such as
// cache=), it also reclaims the storage of expired sorted data: on the expired change
// of a key's sorted data, it calls the backend's ReclaimExpired (see
// stream.Reclaimer), which needs read and write access to the table.
//
// KVLAMBDA_STREAM_DRY_RUN=1 logs the events instead of publishing them, for local
// invokes without EventBridge. The AWS configuration is package awsconfig's (the SDK's
// standard chain; the environment only in a deploy build, tag kvstore_awsenv), so
// AWS_ENDPOINT_URL_EVENTBRIDGE points the function at a local stand-in.
package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/kvlambda/kvlambda/events/stream"
	"github.com/kvlambda/kvlambda/internal/coldstart"
	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl"
	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl/awsconfig"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("function", "stream")
	ctx := context.Background()
	dryRun := false
	if v := os.Getenv("KVLAMBDA_STREAM_DRY_RUN"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			log.Error("init: KVLAMBDA_STREAM_DRY_RUN must be 1 or 0 (true or false)", "value", v)
			os.Exit(1)
		}
		dryRun = b
	}
	cfg := stream.Config{EventBus: os.Getenv("KVLAMBDA_EVENT_BUS"), Logger: log, DryRun: dryRun}
	if !dryRun {
		awsCfg, err := awsconfig.Load(ctx, "")
		if err != nil {
			log.Error("init: cannot load the AWS configuration", "error", err.Error())
			os.Exit(1)
		}
		cfg.Client = eventbridge.NewFromConfig(awsCfg)
	}
	if url := os.Getenv("KVSTORE_URL"); url != "" {
		b, err := kvstoreurl.Open(ctx, url)
		if err != nil {
			log.Error("init: cannot open the backend", "error", err.Error())
			os.Exit(1)
		}
		if r, ok := b.(stream.Reclaimer); ok {
			cfg.Reclaimer = r
		} else {
			log.Warn("init: the backend of KVSTORE_URL reclaims nothing: expired sorted data is not reclaimed")
		}
	}
	h, err := stream.New(cfg)
	if err != nil {
		log.Error("init: bad configuration", "error", err.Error())
		os.Exit(1)
	}
	bus := cfg.EventBus
	if bus == "" {
		bus = "default"
	}
	log.Info("publishing kvstore.change events", "event_bus", bus, "dry_run", dryRun, "reclaim", cfg.Reclaimer != nil)
	coldstart.LogInit(log)
	lambda.Start(h.Handle)
}
