// Command kvlambda is the CDK app that synthesizes the kvlambda stack.
//
// Run it through the CDK CLI from infra/ (cdk.json: "go run ./cmd/kvlambda"),
// or directly with `go run ./cmd/kvlambda`, which writes the cloud assembly
// to ./cdk.out without the CLI, AWS credentials or network.
//
// Context (-c key=value):
//
//	dax=true        add a DAX cluster and reach the table through it
//	dev=true        dev stack: no deletion protection, data deleted with the stack
//	stackName=NAME  stack name (default Kvlambda)
//	buildDir=PATH   directory holding <function>/bootstrap (default <repo>/build)
//	busName=NAME    name of the new EventBridge bus
//	defaultBus=true use the account's default EventBridge bus
//	cmk=true        encrypt the table with a customer-managed KMS key
//	daxNodeType=T   DAX node type (default dax.t3.small)
//	daxNodes=N      DAX replication factor (default 3, 1 with dev=true)
//
// CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION, when set (the CLI sets them from
// the current credentials), make the stack environment-specific.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/kvlambda/kvlambda/infra"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()

	appProps := &awscdk.AppProps{}
	if os.Getenv("CDK_OUTDIR") == "" {
		// Not run by the CDK CLI: synthesize into ./cdk.out ourselves.
		appProps.Outdir = jsii.String("cdk.out")
	}
	app := awscdk.NewApp(appProps)

	dax, err := boolContext(app, "dax")
	if err != nil {
		return err
	}
	dev, err := boolContext(app, "dev")
	if err != nil {
		return err
	}
	defaultBus, err := boolContext(app, "defaultBus")
	if err != nil {
		return err
	}
	cmk, err := boolContext(app, "cmk")
	if err != nil {
		return err
	}
	stackName := stringContext(app, "stackName", infra.DefaultStackName)
	buildDir := stringContext(app, "buildDir", "")
	if buildDir == "" {
		buildDir = infra.DefaultBuildDir()
	}
	if err := infra.CheckBuildDir(buildDir); err != nil {
		return err
	}

	daxNodes := 0
	if v := stringContext(app, "daxNodes", ""); v != "" {
		if daxNodes, err = strconv.Atoi(v); err != nil || daxNodes < 1 {
			return fmt.Errorf("context daxNodes must be a positive integer, got %q", v)
		}
	}

	var env *awscdk.Environment
	account, region := os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION")
	if account != "" || region != "" {
		env = &awscdk.Environment{}
		if account != "" {
			env.Account = jsii.String(account)
		}
		if region != "" {
			env.Region = jsii.String(region)
		}
	}

	infra.NewKvlambdaStack(app, stackName, &infra.KvlambdaStackProps{
		StackProps:           awscdk.StackProps{Env: env, StackName: jsii.String(stackName)},
		BuildDir:             buildDir,
		Dax:                  dax,
		DaxNodeType:          stringContext(app, "daxNodeType", ""),
		DaxReplicationFactor: daxNodes,
		DevMode:              dev,
		CustomerManagedKey:   cmk,
		UseDefaultBus:        defaultBus,
		BusName:              stringContext(app, "busName", ""),
	})
	infra.ApplyNagChecks(app)
	app.Synth(nil)
	return nil
}

// boolContext reads a boolean context value: JSON true/false (cdk.json) or
// the strings "true"/"false" (-c key=value); absent means false.
func boolContext(app awscdk.App, key string) (bool, error) {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "yes":
			return true, nil
		case "false", "0", "no", "":
			return false, nil
		}
	}
	return false, fmt.Errorf("context %q must be true or false, got %v", key, app.Node().TryGetContext(jsii.String(key)))
}

// stringContext reads a string context value, or def when it is absent.
func stringContext(app awscdk.App, key, def string) string {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case string:
		if v != "" {
			return v
		}
	case nil:
	default:
		return fmt.Sprint(v)
	}
	return def
}
