package infra_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kvlambda/kvlambda/infra"
)

// workDir holds the dummy build directory and the apps' cloud assemblies.
var workDir string

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "kvlambda-infra-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		workDir = dir
		for _, name := range infra.FunctionNames {
			p := filepath.Join(dir, "build", name, "bootstrap")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			// Distinct contents so that each function gets its own asset.
			if err := os.WriteFile(p, []byte("#!/bin/sh\n# dummy "+name+"\n"), 0o755); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return m.Run()
	}()
	jsii.Close()
	os.Exit(code)
}

// fixture synthesizes one stack variant once and shares it between tests:
// synthesis is slow.
type fixture struct {
	name  string
	props infra.KvlambdaStackProps

	once  sync.Once
	stack awscdk.Stack
	tmpl  assertions.Template
	res   map[string]map[string]any // logical ID -> resource
	out   map[string]map[string]any // logical ID -> output
}

var (
	// defaultFx is the production configuration: zero props.
	defaultFx = &fixture{name: "default"}
	// daxFx adds DAX and names the bus.
	daxFx = &fixture{name: "dax", props: infra.KvlambdaStackProps{Dax: true, BusName: "kvlambda-test-bus"}}
	// devFx is a dev stack that also covers the other props: customer-managed
	// key, default bus and custom throttling.
	devFx = &fixture{name: "dev", props: infra.KvlambdaStackProps{
		DevMode: true, CustomerManagedKey: true, UseDefaultBus: true,
		ApiThrottleRate: 50, ApiThrottleBurst: 100,
	}}
	allFx = []*fixture{defaultFx, daxFx, devFx}
)

func (f *fixture) get(t *testing.T) *fixture {
	t.Helper()
	f.once.Do(func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(workDir, "cdk.out."+f.name))})
		props := f.props
		props.BuildDir = filepath.Join(workDir, "build")
		f.stack = infra.NewKvlambdaStack(app, "Test", &props)
		infra.ApplyNagChecks(app)
		f.tmpl = assertions.Template_FromStack(f.stack, nil)
		raw, err := json.Marshal(f.tmpl.ToJSON())
		if err != nil {
			panic(err)
		}
		var doc struct {
			Resources map[string]map[string]any
			Outputs   map[string]map[string]any
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			panic(err)
		}
		f.res, f.out = doc.Resources, doc.Outputs
	})
	if f.tmpl == nil {
		t.Fatalf("%s stack failed to synthesize", f.name)
	}
	return f
}

// assert runs a jsii assertion, which panics on failure, as a test error.
func assert(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	fn()
}

// ofType returns the resources of a CloudFormation type, by logical ID.
func (f *fixture) ofType(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range f.res {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// one returns the only resource of typ whose logical ID starts with prefix.
func (f *fixture) one(t *testing.T, typ, prefix string) (string, map[string]any) {
	t.Helper()
	var ids []string
	for id := range f.ofType(typ) {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s: want one %s named %s*, got %v", f.name, typ, prefix, ids)
	}
	return ids[0], f.res[ids[0]]
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ref(id string) string          { return js(map[string]any{"Ref": id}) }
func getAtt(id, attr string) string { return js(map[string]any{"Fn::GetAtt": []any{id, attr}}) }

// asList returns v as a list (IAM allows a string or a list).
func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func m(kv map[string]any) *map[string]any { return &kv }

func TestTable(t *testing.T) {
	f := defaultFx.get(t)
	assert(t, "one table", func() { f.tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1)) })
	key := func(name, typ string) map[string]any { return map[string]any{"AttributeName": name, "KeyType": typ} }
	assert(t, "table properties", func() {
		f.tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), assertions.Match_ObjectLike(m(map[string]any{
			"KeySchema": []any{key("hk", "HASH"), key("rk", "RANGE")},
			"AttributeDefinitions": assertions.Match_ArrayEquals(&[]any{
				map[string]any{"AttributeName": "hk", "AttributeType": "B"},
				map[string]any{"AttributeName": "rk", "AttributeType": "B"},
				map[string]any{"AttributeName": "rk2", "AttributeType": "B"},
			}),
			"LocalSecondaryIndexes": []any{map[string]any{
				"IndexName":  "rk2",
				"KeySchema":  []any{key("hk", "HASH"), key("rk2", "RANGE")},
				"Projection": map[string]any{"ProjectionType": "INCLUDE", "NonKeyAttributes": []any{"v", "wt"}},
			}},
			"BillingMode":                      "PAY_PER_REQUEST",
			"StreamSpecification":              map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
			"TimeToLiveSpecification":          map[string]any{"AttributeName": infra.TTLAttribute, "Enabled": true},
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"DeletionProtectionEnabled":        true,
		})))
	})
	_, table := f.one(t, "AWS::DynamoDB::Table", "Table")
	if sse, ok := props(table)["SSESpecification"].(map[string]any); ok && sse["SSEEnabled"] != false {
		t.Errorf("default table should use the AWS-owned key, got SSESpecification %v", sse)
	}
	if table["DeletionPolicy"] != "Retain" || table["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("table DeletionPolicy/UpdateReplacePolicy = %v/%v, want Retain", table["DeletionPolicy"], table["UpdateReplacePolicy"])
	}
}

func TestTableDevModeAndCustomerManagedKey(t *testing.T) {
	f := devFx.get(t)
	_, table := f.one(t, "AWS::DynamoDB::Table", "Table")
	p := props(table)
	if p["DeletionProtectionEnabled"] != false {
		t.Errorf("dev table DeletionProtectionEnabled = %v, want false", p["DeletionProtectionEnabled"])
	}
	if table["DeletionPolicy"] != "Delete" {
		t.Errorf("dev table DeletionPolicy = %v, want Delete", table["DeletionPolicy"])
	}
	keyID, key := f.one(t, "AWS::KMS::Key", "TableKey")
	if props(key)["EnableKeyRotation"] != true {
		t.Errorf("table key rotation disabled")
	}
	sse := js(p["SSESpecification"])
	if !strings.Contains(sse, `"SSEType":"KMS"`) || !strings.Contains(sse, getAtt(keyID, "Arn")) {
		t.Errorf("table SSESpecification = %s, want KMS with %s", sse, keyID)
	}
	for id, lg := range f.ofType("AWS::Logs::LogGroup") {
		if lg["DeletionPolicy"] != "Delete" {
			t.Errorf("dev log group %s DeletionPolicy = %v, want Delete", id, lg["DeletionPolicy"])
		}
	}
	// The functions using the table may use its key; the stream function
	// needs to decrypt stream records.
	for _, prefix := range []string{"ApiFunctionRole", "BusFunctionRole", "StreamFunctionRole"} {
		_, pol := f.one(t, "AWS::IAM::Policy", prefix+"DefaultPolicy")
		if !strings.Contains(js(pol), `"kms:Decrypt"`) {
			t.Errorf("%s cannot decrypt with the table key", prefix)
		}
	}
}

// functionEnv returns the environment variables of the function named
// <Title>Function.
func functionEnv(t *testing.T, f *fixture, title string) (map[string]any, map[string]any) {
	t.Helper()
	var fnID string
	for id := range f.ofType("AWS::Lambda::Function") {
		if strings.HasPrefix(id, title+"Function") {
			fnID = id
		}
	}
	if fnID == "" {
		t.Fatalf("%s: no %sFunction", f.name, title)
	}
	p := props(f.res[fnID])
	env, _ := p["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	return p, vars
}

func TestFunctions(t *testing.T) {
	f := defaultFx.get(t)
	assert(t, "three functions", func() { f.tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(3)) })
	tableID, _ := f.one(t, "AWS::DynamoDB::Table", "Table")
	secretID, _ := f.one(t, "AWS::SecretsManager::Secret", "TokenSecret")
	busID, _ := f.one(t, "AWS::Events::EventBus", "Bus")
	wantURL := js(map[string]any{"Fn::Join": []any{"", []any{"dynamodb:///", map[string]any{"Ref": tableID}}}})

	for _, c := range []struct {
		title   string
		memory  float64
		timeout float64
	}{{"Api", 512, 10}, {"Bus", 256, 30}, {"Stream", 256, 60}} {
		t.Run(c.title, func(t *testing.T) {
			p, env := functionEnv(t, f, c.title)
			if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" || js(p["Architectures"]) != `["arm64"]` {
				t.Errorf("runtime/handler/arch = %v/%v/%v", p["Runtime"], p["Handler"], p["Architectures"])
			}
			if p["MemorySize"] != c.memory || p["Timeout"] != c.timeout {
				t.Errorf("memory/timeout = %v/%v, want %v/%v", p["MemorySize"], p["Timeout"], c.memory, c.timeout)
			}
			if js(p["TracingConfig"]) != `{"Mode":"Active"}` {
				t.Errorf("TracingConfig = %v", p["TracingConfig"])
			}
			logging, _ := p["LoggingConfig"].(map[string]any)
			if logging["LogFormat"] != "JSON" {
				t.Errorf("LogFormat = %v", logging["LogFormat"])
			}
			lgRef, _ := logging["LogGroup"].(map[string]any)
			lgID, _ := lgRef["Ref"].(string)
			if lg, ok := f.res[lgID]; !ok || lg["Type"] != "AWS::Logs::LogGroup" || props(lg)["RetentionInDays"] != float64(30) {
				t.Errorf("log group %v: %v", lgID, js(f.res[lgID]))
			}
			if _, ok := p["VpcConfig"]; ok {
				t.Errorf("function in a VPC without DAX")
			}
			if got := js(env[infra.EnvStoreURL]); got != wantURL {
				t.Errorf("%s = %s, want %s", infra.EnvStoreURL, got, wantURL)
			}
			secretVar, hasSecret := env[infra.EnvTokenSecretArn]
			if (c.title == "Api") != hasSecret {
				t.Errorf("%s set = %v", infra.EnvTokenSecretArn, hasSecret)
			}
			if hasSecret && js(secretVar) != ref(secretID) {
				t.Errorf("%s = %s, want the secret's ARN", infra.EnvTokenSecretArn, js(secretVar))
			}
			busVar, hasBus := env[infra.EnvEventBus]
			if (c.title == "Stream") != hasBus {
				t.Errorf("%s set = %v", infra.EnvEventBus, hasBus)
			}
			if hasBus && js(busVar) != ref(busID) {
				t.Errorf("%s = %s, want the bus name", infra.EnvEventBus, js(busVar))
			}
			for k, v := range env {
				if k != infra.EnvStoreURL && k != infra.EnvTokenSecretArn && k != infra.EnvEventBus {
					t.Errorf("unexpected env var %s=%s", k, js(v))
				}
				if s := js(v); strings.Contains(s, "resolve:secretsmanager") || strings.Contains(s, "SecretString") {
					t.Errorf("env var %s carries a secret value: %s", k, s)
				}
			}
		})
	}
}

func TestNoTokenInTemplate(t *testing.T) {
	for _, f := range allFx {
		f := f.get(t)
		doc := js(f.tmpl.ToJSON())
		if strings.Contains(doc, "{{resolve:secretsmanager") || strings.Contains(doc, `"SecretString":`) {
			t.Errorf("%s template references a secret value", f.name)
		}
		_, secret := f.one(t, "AWS::SecretsManager::Secret", "TokenSecret")
		gen := js(props(secret)["GenerateSecretString"])
		want := js(map[string]any{
			"ExcludePunctuation":   true,
			"GenerateStringKey":    infra.TokenSecretKey,
			"PasswordLength":       48,
			"SecretStringTemplate": "{}",
		})
		if gen != want {
			t.Errorf("%s GenerateSecretString = %s, want %s", f.name, gen, want)
		}
	}
}

func TestHTTPAPI(t *testing.T) {
	f := defaultFx.get(t)
	apiFnID, _ := f.one(t, "AWS::Lambda::Function", "ApiFunction")
	var keys []string
	for _, r := range f.ofType("AWS::ApiGatewayV2::Route") {
		keys = append(keys, props(r)["RouteKey"].(string))
		if a := props(r)["AuthorizationType"]; a != nil && a != "NONE" {
			t.Errorf("route %v: AuthorizationType %v", props(r)["RouteKey"], a)
		}
	}
	sort.Strings(keys)
	if want := []string{"POST /", "POST /multi-exec", "POST /pipeline"}; !slices.Equal(keys, want) {
		t.Errorf("routes = %v, want %v", keys, want)
	}
	integrations := f.ofType("AWS::ApiGatewayV2::Integration")
	if len(integrations) != 1 {
		t.Fatalf("want one integration shared by the routes, got %d", len(integrations))
	}
	for _, r := range integrations {
		p := props(r)
		if p["IntegrationType"] != "AWS_PROXY" || p["PayloadFormatVersion"] != "2.0" || js(p["IntegrationUri"]) != getAtt(apiFnID, "Arn") {
			t.Errorf("integration = %s", js(p))
		}
	}
	_, stage := f.one(t, "AWS::ApiGatewayV2::Stage", "HttpApiDefaultStage")
	sp := props(stage)
	if sp["StageName"] != "$default" || sp["AutoDeploy"] != true {
		t.Errorf("stage = %s", js(sp))
	}
	if got := js(sp["DefaultRouteSettings"]); got != `{"ThrottlingBurstLimit":2000,"ThrottlingRateLimit":1000}` {
		t.Errorf("DefaultRouteSettings = %s", got)
	}
	als, _ := sp["AccessLogSettings"].(map[string]any)
	dest, _ := als["DestinationArn"].(map[string]any)
	if att, _ := dest["Fn::GetAtt"].([]any); len(att) != 2 || f.res[att[0].(string)]["Type"] != "AWS::Logs::LogGroup" {
		t.Errorf("access log destination = %s", js(dest))
	}
	var format map[string]string
	if err := json.Unmarshal([]byte(fmt.Sprint(als["Format"])), &format); err != nil {
		t.Fatalf("access log format is not JSON: %v", err)
	}
	for k, v := range map[string]string{
		"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "routeKey": "$context.routeKey",
		"status": "$context.status", "latency": "$context.responseLatency",
	} {
		if format[k] != v {
			t.Errorf("access log %s = %q, want %q", k, format[k], v)
		}
	}

	d := devFx.get(t)
	_, devStage := d.one(t, "AWS::ApiGatewayV2::Stage", "HttpApiDefaultStage")
	if got := js(props(devStage)["DefaultRouteSettings"]); got != `{"ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}` {
		t.Errorf("dev DefaultRouteSettings = %s", got)
	}
}

// checkQueue asserts that a dead-letter queue is encrypted and TLS-only.
func checkQueue(t *testing.T, f *fixture, queueID string) {
	t.Helper()
	q, ok := f.res[queueID]
	if !ok || q["Type"] != "AWS::SQS::Queue" {
		t.Fatalf("%s is not a queue", queueID)
	}
	if props(q)["SqsManagedSseEnabled"] != true && props(q)["KmsMasterKeyId"] == nil {
		t.Errorf("queue %s is not encrypted", queueID)
	}
	found := false
	for _, pol := range f.ofType("AWS::SQS::QueuePolicy") {
		if !strings.Contains(js(props(pol)["Queues"]), ref(queueID)) {
			continue
		}
		for _, s := range asList(props(pol)["PolicyDocument"].(map[string]any)["Statement"]) {
			st := s.(map[string]any)
			if st["Effect"] == "Deny" && js(st["Condition"]) == `{"Bool":{"aws:SecureTransport":"false"}}` {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("queue %s does not enforce SSL", queueID)
	}
}

func TestCommandRule(t *testing.T) {
	f := defaultFx.get(t)
	busFnID, _ := f.one(t, "AWS::Lambda::Function", "BusFunction")
	dlqID, _ := f.one(t, "AWS::SQS::Queue", "BusDeadLetterQueue")
	busID, _ := f.one(t, "AWS::Events::EventBus", "Bus")
	_, rule := f.one(t, "AWS::Events::Rule", "CommandRule")
	p := props(rule)
	if got := js(p["EventPattern"]); got != `{"detail-type":["kvstore.command"]}` {
		t.Errorf("EventPattern = %s", got)
	}
	if js(p["EventBusName"]) != ref(busID) {
		t.Errorf("rule bus = %s", js(p["EventBusName"]))
	}
	targets := asList(p["Targets"])
	if len(targets) != 1 {
		t.Fatalf("targets = %s", js(targets))
	}
	target := targets[0].(map[string]any)
	if js(target["Arn"]) != getAtt(busFnID, "Arn") {
		t.Errorf("target = %s", js(target["Arn"]))
	}
	if js(target["DeadLetterConfig"]) != js(map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{dlqID, "Arn"}}}) {
		t.Errorf("DeadLetterConfig = %s", js(target["DeadLetterConfig"]))
	}
	rp, _ := target["RetryPolicy"].(map[string]any)
	if rp["MaximumRetryAttempts"] == nil || rp["MaximumEventAgeInSeconds"] == nil {
		t.Errorf("RetryPolicy = %s", js(rp))
	}
	checkQueue(t, f, dlqID)

	// Failures of the bus function itself (async invocation) go to the same
	// queue.
	_, eic := f.one(t, "AWS::Lambda::EventInvokeConfig", "BusFunction")
	if !strings.Contains(js(props(eic)["DestinationConfig"]), getAtt(dlqID, "Arn")) {
		t.Errorf("bus function on-failure destination = %s", js(props(eic)["DestinationConfig"]))
	}

	// The default bus variant: no bus resource, the rule is on "default" and
	// the stream function publishes to "default".
	d := devFx.get(t)
	assert(t, "no bus with UseDefaultBus", func() { d.tmpl.ResourceCountIs(jsii.String("AWS::Events::EventBus"), jsii.Number(0)) })
	_, devRule := d.one(t, "AWS::Events::Rule", "CommandRule")
	if props(devRule)["EventBusName"] != "default" {
		t.Errorf("dev rule bus = %s", js(props(devRule)["EventBusName"]))
	}
	if _, env := functionEnv(t, d, "Stream"); env[infra.EnvEventBus] != "default" {
		t.Errorf("dev %s = %v, want default", infra.EnvEventBus, env[infra.EnvEventBus])
	}

	// BusName names the new bus.
	x := daxFx.get(t)
	_, namedBus := x.one(t, "AWS::Events::EventBus", "Bus")
	if props(namedBus)["Name"] != "kvlambda-test-bus" {
		t.Errorf("bus name = %v", props(namedBus)["Name"])
	}
}

func TestStreamEventSource(t *testing.T) {
	f := defaultFx.get(t)
	tableID, _ := f.one(t, "AWS::DynamoDB::Table", "Table")
	streamFnID, _ := f.one(t, "AWS::Lambda::Function", "StreamFunction")
	failID, _ := f.one(t, "AWS::SQS::Queue", "StreamFailureQueue")
	assert(t, "event source mapping", func() {
		f.tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), assertions.Match_ObjectLike(m(map[string]any{
			"EventSourceArn":             map[string]any{"Fn::GetAtt": []any{tableID, "StreamArn"}},
			"FunctionName":               map[string]any{"Ref": streamFnID},
			"FunctionResponseTypes":      []any{"ReportBatchItemFailures"},
			"BisectBatchOnFunctionError": true,
			"MaximumRetryAttempts":       5,
			"MaximumRecordAgeInSeconds":  assertions.Match_AnyValue(),
			"StartingPosition":           "LATEST",
			"DestinationConfig": map[string]any{"OnFailure": map[string]any{
				"Destination": map[string]any{"Fn::GetAtt": []any{failID, "Arn"}},
			}},
		})))
	})
	checkQueue(t, f, failID)
}

// policyStatements returns the statements of every IAM policy attached to
// the role whose logical ID starts with rolePrefix.
func policyStatements(t *testing.T, f *fixture, rolePrefix string) []map[string]any {
	t.Helper()
	roleID, _ := f.one(t, "AWS::IAM::Role", rolePrefix)
	var out []map[string]any
	for _, pol := range f.ofType("AWS::IAM::Policy") {
		if !strings.Contains(js(props(pol)["Roles"]), ref(roleID)) {
			continue
		}
		for _, s := range asList(props(pol)["PolicyDocument"].(map[string]any)["Statement"]) {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

// actionsOn lists the actions of statements, with their resources.
func actions(stmts []map[string]any) map[string][]string {
	out := map[string][]string{}
	for _, s := range stmts {
		for _, a := range asList(s["Action"]) {
			for _, r := range asList(s["Resource"]) {
				out[a.(string)] = append(out[a.(string)], js(r))
			}
		}
	}
	return out
}

// wildcardResourceActions are the only actions allowed on Resource "*": AWS
// supports no resource-level permissions for them.
var wildcardResourceActions = map[string]bool{
	"xray:PutTraceSegments":          true, // active tracing
	"xray:PutTelemetryRecords":       true,
	"dynamodb:ListStreams":           true, // grantStreamRead
	"ec2:CreateNetworkInterface":     true, // functions in the DAX VPC
	"ec2:DescribeNetworkInterfaces":  true,
	"ec2:DescribeSubnets":            true,
	"ec2:DeleteNetworkInterface":     true,
	"ec2:AssignPrivateIpAddresses":   true,
	"ec2:UnassignPrivateIpAddresses": true,
}

func TestIAMLeastPrivilege(t *testing.T) {
	for _, f := range allFx {
		f := f.get(t)
		t.Run(f.name, func(t *testing.T) {
			policies := f.ofType("AWS::IAM::Policy")
			if len(policies) == 0 {
				t.Fatal("no IAM policies")
			}
			for id, pol := range policies {
				for _, s := range asList(props(pol)["PolicyDocument"].(map[string]any)["Statement"]) {
					st := s.(map[string]any)
					if st["Effect"] != "Allow" {
						continue
					}
					wildcard := false
					for _, r := range asList(st["Resource"]) {
						if r == "*" {
							wildcard = true
						}
					}
					for _, a := range asList(st["Action"]) {
						a := a.(string)
						if strings.Contains(a, "*") { // "*", "dynamodb:*", "kms:ReEncrypt*"
							t.Errorf("%s: wildcard action %s", id, a)
						}
						if wildcard && !wildcardResourceActions[a] {
							t.Errorf("%s: %s on Resource *", id, a)
						}
					}
				}
			}
			for id, role := range f.ofType("AWS::IAM::Role") {
				if mp := props(role)["ManagedPolicyArns"]; mp != nil {
					t.Errorf("role %s has managed policies %s", id, js(mp))
				}
				if ip := props(role)["Policies"]; ip != nil {
					t.Errorf("role %s has unchecked inline policies %s", id, js(ip))
				}
			}

			secretID, _ := f.one(t, "AWS::SecretsManager::Secret", "TokenSecret")
			tableID, _ := f.one(t, "AWS::DynamoDB::Table", "Table")
			api := actions(policyStatements(t, f, "ApiFunctionRole"))
			bus := actions(policyStatements(t, f, "BusFunctionRole"))
			stream := actions(policyStatements(t, f, "StreamFunctionRole"))
			if !slices.Equal(api["secretsmanager:GetSecretValue"], []string{ref(secretID)}) {
				t.Errorf("api GetSecretValue on %v, want the token secret only", api["secretsmanager:GetSecretValue"])
			}
			for name, acts := range map[string]map[string][]string{"bus": bus, "stream": stream} {
				if _, ok := acts["secretsmanager:GetSecretValue"]; ok {
					t.Errorf("%s function can read the token secret", name)
				}
			}
			// The stream function too: it reclaims expired sorted data.
			for name, acts := range map[string]map[string][]string{"api": api, "bus": bus, "stream": stream} {
				for _, a := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} {
					if !slices.Contains(acts[a], getAtt(tableID, "Arn")) {
						t.Errorf("%s function lacks %s on the table", name, a)
					}
				}
				if !strings.Contains(js(acts["dynamodb:Query"]), "/index/rk2") {
					t.Errorf("%s function cannot query the rk2 index", name)
				}
			}
			if _, env := functionEnv(t, f, "Stream"); env[infra.EnvStoreURL] == nil {
				t.Errorf("stream function has no %s: it cannot reclaim", infra.EnvStoreURL)
			}
			if !slices.Equal(stream["dynamodb:GetRecords"], []string{getAtt(tableID, "StreamArn")}) {
				t.Errorf("stream GetRecords on %v", stream["dynamodb:GetRecords"])
			}
			if len(stream["events:PutEvents"]) != 1 {
				t.Errorf("stream PutEvents on %v", stream["events:PutEvents"])
			}
			if f.props.UseDefaultBus {
				if !strings.Contains(stream["events:PutEvents"][0], "event-bus/default") {
					t.Errorf("stream PutEvents on %v, want the default bus", stream["events:PutEvents"])
				}
			} else {
				busID, _ := f.one(t, "AWS::Events::EventBus", "Bus")
				if stream["events:PutEvents"][0] != getAtt(busID, "Arn") {
					t.Errorf("stream PutEvents on %v, want the bus", stream["events:PutEvents"])
				}
			}
		})
	}
}

func TestAlarms(t *testing.T) {
	for _, f := range []*fixture{defaultFx, daxFx} {
		f := f.get(t)
		alarms := f.ofType("AWS::CloudWatch::Alarm")
		var metrics []string
		for _, a := range alarms {
			metrics = append(metrics, fmt.Sprint(props(a)["MetricName"]))
			if props(a)["Threshold"] == nil || props(a)["ComparisonOperator"] == nil {
				t.Errorf("%s: incomplete alarm %s", f.name, js(a))
			}
		}
		sort.Strings(metrics)
		want := []string{
			"5xx", "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesVisible",
			"Errors", "Errors", "Errors", "IteratorAge", "Throttles", "Throttles", "Throttles",
		}
		if !slices.Equal(metrics, want) {
			t.Errorf("%s alarm metrics = %v, want %v", f.name, metrics, want)
		}
	}
	f := defaultFx.get(t)
	assert(t, "iterator age alarm", func() {
		f.tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), assertions.Match_ObjectLike(m(map[string]any{
			"MetricName": "IteratorAge", "Threshold": 60000, "ComparisonOperator": "GreaterThanThreshold",
		})))
	})
}

func TestDax(t *testing.T) {
	f := daxFx.get(t)
	tableID, _ := f.one(t, "AWS::DynamoDB::Table", "Table")
	clusterID, cluster := f.one(t, "AWS::DAX::Cluster", "DaxCluster")
	cp := props(cluster)
	if js(cp["SSESpecification"]) != `{"SSEEnabled":true}` || cp["ClusterEndpointEncryptionType"] != "TLS" {
		t.Errorf("cluster encryption = %s / %v", js(cp["SSESpecification"]), cp["ClusterEndpointEncryptionType"])
	}
	subnetGroupID, _ := f.one(t, "AWS::DAX::SubnetGroup", "DaxSubnetGroup")
	if js(cp["SubnetGroupName"]) != ref(subnetGroupID) {
		t.Errorf("cluster subnet group = %s", js(cp["SubnetGroupName"]))
	}
	daxSGID, daxSG := f.one(t, "AWS::EC2::SecurityGroup", "DaxSecurityGroup")
	fnSGID, _ := f.one(t, "AWS::EC2::SecurityGroup", "FunctionsSecurityGroup")
	if js(cp["SecurityGroupIds"]) != js([]any{map[string]any{"Fn::GetAtt": []any{daxSGID, "GroupId"}}}) {
		t.Errorf("cluster security groups = %s", js(cp["SecurityGroupIds"]))
	}
	if props(daxSG)["SecurityGroupIngress"] != nil {
		t.Errorf("DAX security group has inline ingress %s", js(props(daxSG)["SecurityGroupIngress"]))
	}
	var ingress []map[string]any
	for _, r := range f.ofType("AWS::EC2::SecurityGroupIngress") {
		if js(props(r)["GroupId"]) == getAtt(daxSGID, "GroupId") {
			ingress = append(ingress, props(r))
		}
	}
	if len(ingress) != 1 {
		t.Fatalf("DAX ingress rules = %s, want one", js(ingress))
	}
	in := ingress[0]
	if in["IpProtocol"] != "tcp" || in["FromPort"] != float64(infra.DaxTLSPort) || in["ToPort"] != float64(infra.DaxTLSPort) ||
		js(in["SourceSecurityGroupId"]) != getAtt(fnSGID, "GroupId") || in["CidrIp"] != nil {
		t.Errorf("DAX ingress = %s, want tcp/9111 from the functions' security group only", js(in))
	}

	// DAX role: the table only.
	daxStmts := policyStatements(t, f, "DaxRole")
	for _, s := range daxStmts {
		for _, r := range asList(s["Resource"]) {
			if rs := js(r); rs != getAtt(tableID, "Arn") && !strings.Contains(rs, "/index/rk2") {
				t.Errorf("DAX role has access to %s", rs)
			}
		}
	}
	_, daxRole := f.one(t, "AWS::IAM::Role", "DaxRole")
	if !strings.Contains(js(props(daxRole)["AssumeRolePolicyDocument"]), "dax.amazonaws.com") {
		t.Errorf("DAX role trust = %s", js(props(daxRole)["AssumeRolePolicyDocument"]))
	}

	// Network: isolated subnets, no NAT or internet gateway, DynamoDB gateway endpoint.
	for _, typ := range []string{"AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EIP"} {
		if n := len(f.ofType(typ)); n != 0 {
			t.Errorf("%d %s", n, typ)
		}
	}
	gateway := false
	for _, ep := range f.ofType("AWS::EC2::VPCEndpoint") {
		if props(ep)["VpcEndpointType"] == "Gateway" && strings.Contains(js(props(ep)["ServiceName"]), ".dynamodb") {
			gateway = true
		}
	}
	if !gateway {
		t.Error("no DynamoDB gateway endpoint")
	}
	if len(f.ofType("AWS::EC2::FlowLog")) != 1 {
		t.Error("no VPC flow log")
	}

	for _, title := range []string{"Api", "Bus", "Stream"} {
		p, env := functionEnv(t, f, title)
		vpc := js(p["VpcConfig"])
		if !strings.Contains(vpc, getAtt(fnSGID, "GroupId")) || !strings.Contains(vpc, "SubnetIds") {
			t.Errorf("%s VpcConfig = %s", title, vpc)
		}
		join, _ := env[infra.EnvStoreURL].(map[string]any)["Fn::Join"].([]any)
		if len(join) != 2 {
			t.Fatalf("%s %s = %s", title, infra.EnvStoreURL, js(env[infra.EnvStoreURL]))
		}
		parts := join[1].([]any)
		if parts[0] != "daxs://" || !strings.Contains(js(parts), getAtt(clusterID, "ClusterDiscoveryEndpointURL")) ||
			!slices.Contains(parts, any(":9111/")) || js(parts[len(parts)-1]) != ref(tableID) {
			t.Errorf("%s %s = %s, want daxs://HOST:9111/TABLE", title, infra.EnvStoreURL, js(parts))
		}
	}

	// Data-plane access on this cluster only, for the functions that use data.
	clusterArn := getAtt(clusterID, "Arn")
	for _, c := range []struct {
		role string
		want bool
	}{{"ApiFunctionRole", true}, {"BusFunctionRole", true}, {"StreamFunctionRole", true}} {
		acts := actions(policyStatements(t, f, c.role))
		for _, a := range []string{"dax:GetItem", "dax:PutItem", "dax:Query", "dax:TransactWriteItems"} {
			got := acts[a]
			if c.want && !slices.Equal(got, []string{clusterArn}) {
				t.Errorf("%s %s on %v, want the cluster", c.role, a, got)
			}
			if !c.want && got != nil {
				t.Errorf("%s has %s", c.role, a)
			}
		}
	}
	if _, ok := f.out["DaxEndpoint"]; !ok {
		t.Error("no DaxEndpoint output")
	}

	// Without DAX: no cluster, no VPC.
	d := defaultFx.get(t)
	for _, typ := range []string{"AWS::DAX::Cluster", "AWS::EC2::VPC"} {
		if n := len(d.ofType(typ)); n != 0 {
			t.Errorf("default stack has %d %s", n, typ)
		}
	}
}

func TestNag(t *testing.T) {
	for _, f := range allFx {
		f := f.get(t)
		ann := assertions.Annotations_FromStack(f.stack)
		nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, msg := range *ann.FindError(jsii.String("*"), nag) {
			t.Errorf("%s: cdk-nag error: %s", f.name, js(msg))
		}
		for _, msg := range *ann.FindWarning(jsii.String("*"), nag) {
			t.Errorf("%s: cdk-nag warning: %s", f.name, js(msg))
		}
		// Every suppression carries a reason.
		for id, r := range f.res {
			md, _ := r["Metadata"].(map[string]any)
			nagMD, _ := md["cdk_nag"].(map[string]any)
			for _, s := range asList(nagMD["rules_to_suppress"]) {
				if s == nil {
					continue
				}
				if reason, _ := s.(map[string]any)["reason"].(string); len(reason) < 20 {
					t.Errorf("%s: suppression on %s without a real reason: %s", f.name, id, js(s))
				}
			}
		}
	}
}

func TestOutputs(t *testing.T) {
	f := defaultFx.get(t)
	apiID, _ := f.one(t, "AWS::ApiGatewayV2::Api", "HttpApi")
	secretID, _ := f.one(t, "AWS::SecretsManager::Secret", "TokenSecret")
	tableID, _ := f.one(t, "AWS::DynamoDB::Table", "Table")
	busID, _ := f.one(t, "AWS::Events::EventBus", "Bus")
	for name, want := range map[string]string{
		"ApiUrl":         getAtt(apiID, "ApiEndpoint"),
		"TokenSecretArn": ref(secretID),
		"TableName":      ref(tableID),
		"EventBusName":   ref(busID),
	} {
		if got := js(f.out[name]["Value"]); got != want {
			t.Errorf("output %s = %s, want %s", name, got, want)
		}
	}
	if _, ok := f.out["DaxEndpoint"]; ok {
		t.Error("DaxEndpoint output without DAX")
	}
}

func TestMissingBuild(t *testing.T) {
	dir := t.TempDir()
	err := infra.CheckBuildDir(dir)
	if !errors.Is(err, infra.ErrMissingBuild) || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("CheckBuildDir(empty) = %v", err)
	}
	if err := infra.CheckBuildDir(filepath.Join(workDir, "build")); err != nil {
		t.Fatalf("CheckBuildDir(complete) = %v", err)
	}
	// A partial build is rejected too.
	if err := os.MkdirAll(filepath.Join(dir, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "api", "bootstrap"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := infra.CheckBuildDir(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "bus", "bootstrap")) {
		t.Fatalf("CheckBuildDir(partial) = %v", err)
	}

	defer func() {
		r := recover()
		if e, ok := r.(error); !ok || !errors.Is(e, infra.ErrMissingBuild) {
			t.Fatalf("NewKvlambdaStack with a missing build: recovered %v, want ErrMissingBuild", r)
		}
	}()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(workDir, "cdk.out.missing"))})
	infra.NewKvlambdaStack(app, "Missing", &infra.KvlambdaStackProps{BuildDir: dir})
}

func TestDefaultBuildDir(t *testing.T) {
	// The tests run in infra/, whose parent is the repository root.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := infra.DefaultBuildDir(), filepath.Join(filepath.Dir(wd), "build"); got != want {
		t.Errorf("DefaultBuildDir() = %s, want %s", got, want)
	}
}
