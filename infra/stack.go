// Package infra is the AWS CDK (v2) definition of a kvlambda deployment: the
// DynamoDB table, the api/bus/stream Lambda functions, the HTTP API, the
// EventBridge wiring, optional DAX, alarms and cdk-nag checks.
//
// It is a separate Go module so that users of the kvstore library never
// download the CDK. The app entry point is ./cmd/kvlambda.
package infra

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdax"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// TableDataActions are the DynamoDB actions granted to the api, bus and stream
// functions on the table and its rk2 index. Transactions need no action of
// their own: TransactWriteItems/TransactGetItems are authorized through the
// item actions they contain.
var TableDataActions = []string{
	"dynamodb:BatchGetItem",
	"dynamodb:BatchWriteItem",
	"dynamodb:ConditionCheckItem",
	"dynamodb:DeleteItem",
	"dynamodb:DescribeTable",
	"dynamodb:GetItem",
	"dynamodb:PutItem",
	"dynamodb:Query",
	"dynamodb:Scan",
	"dynamodb:UpdateItem",
}

// TableKeyActions are the KMS actions granted on the table's customer-managed
// key (when there is one) to the principals that read and write the table.
var TableKeyActions = []string{
	"kms:Decrypt",
	"kms:DescribeKey",
	"kms:Encrypt",
	"kms:GenerateDataKey",
	"kms:GenerateDataKeyWithoutPlaintext",
	"kms:ReEncryptFrom",
	"kms:ReEncryptTo",
}

// DaxDataActions are the DAX data-plane actions granted to the api, bus and stream
// functions on the DAX cluster (and only on it).
var DaxDataActions = []string{
	"dax:BatchGetItem",
	"dax:BatchWriteItem",
	"dax:ConditionCheckItem",
	"dax:DeleteItem",
	"dax:GetItem",
	"dax:PutItem",
	"dax:Query",
	"dax:Scan",
	"dax:TransactGetItems",
	"dax:TransactWriteItems",
	"dax:UpdateItem",
}

// DaxTableActions are the DynamoDB actions the DAX cluster's role may perform
// on the table and its index on behalf of clients.
var DaxTableActions = TableDataActions

// lambdaVpcActions are the EC2 actions Lambda needs, with the function's
// execution role, to manage the ENIs of a function in a VPC. AWS does not
// support resource-level permissions for the Describe actions, and the
// AWS-managed AWSLambdaVPCAccessExecutionRole grants all of them on "*";
// we inline the same statement to avoid managed policies.
var lambdaVpcActions = []string{
	"ec2:AssignPrivateIpAddresses",
	"ec2:CreateNetworkInterface",
	"ec2:DeleteNetworkInterface",
	"ec2:DescribeNetworkInterfaces",
	"ec2:DescribeSubnets",
	"ec2:UnassignPrivateIpAddresses",
}

// functionSpec describes one Lambda function.
type functionSpec struct {
	name        string
	description string
	memoryMB    float64
	timeout     awscdk.Duration
}

// kvlambda holds the constructs shared while building the stack.
type kvlambda struct {
	stack       awscdk.Stack
	props       KvlambdaStackProps
	logRemoval  awscdk.RemovalPolicy
	dataRemoval awscdk.RemovalPolicy
	table       awsdynamodb.Table
	tableKey    awskms.IKey
	storeURL    *string

	// DAX only.
	vpc     awsec2.IVpc
	fnSG    awsec2.SecurityGroup
	cluster awsdax.CfnCluster
}

// NewKvlambdaStack defines the kvlambda stack in scope. It panics (wrapping
// ErrMissingBuild) when props.BuildDir lacks a function's bootstrap: run
// `make build` first; with Dax, also (wrapping ErrBuildWithoutDAX) when the api or
// bus bootstrap was built without the DAX client. Apply ApplyNagChecks to the app to run cdk-nag.
func NewKvlambdaStack(scope constructs.Construct, id string, props *KvlambdaStackProps) awscdk.Stack {
	p := props.withDefaults()
	if err := CheckBuildDir(p.BuildDir); err != nil {
		panic(err)
	}
	if p.Dax {
		if err := CheckDAXBuild(p.BuildDir); err != nil {
			panic(err)
		}
	}
	sp := p.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("kvlambda: Redis-compatible key-value API on DynamoDB (table, Lambda functions, HTTP API, EventBridge)")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	k := &kvlambda{
		stack:       stack,
		props:       p,
		logRemoval:  awscdk.RemovalPolicy_RETAIN,
		dataRemoval: awscdk.RemovalPolicy_RETAIN,
	}
	if p.DevMode {
		k.logRemoval = awscdk.RemovalPolicy_DESTROY
		k.dataRemoval = awscdk.RemovalPolicy_DESTROY
	}

	k.newTable()
	k.storeURL = awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("dynamodb:///"), k.table.TableName(),
	})
	if p.Dax {
		k.newDax()
	}

	secret := k.newTokenSecret()
	bus := k.eventBus()

	api := k.newFunction(functionSpec{"api", "kvlambda HTTP API (Redis-compatible commands, bearer-token auth)", 512, awscdk.Duration_Seconds(jsii.Number(10))},
		map[string]*string{EnvTokenSecretArn: secret.SecretArn()}, nil)
	secret.GrantRead(api, nil)
	k.grantData(api)

	busDLQ := k.newQueue("BusDeadLetterQueue")
	busFn := k.newFunction(functionSpec{"bus", "kvlambda EventBridge consumer: applies kvstore.command events", 256, awscdk.Duration_Seconds(jsii.Number(30))},
		nil, func(fp *awslambda.FunctionProps) {
			// Asynchronous invocations (EventBridge) that still fail after
			// Lambda's own retries land in the same dead-letter queue as
			// events EventBridge could not deliver.
			fp.OnFailure = awslambdadestinations.NewSqsDestination(busDLQ)
			fp.RetryAttempts = jsii.Number(2)
			fp.MaxEventAge = awscdk.Duration_Hours(jsii.Number(6))
		})
	k.grantData(busFn)

	streamDLQ := k.newQueue("StreamFailureQueue")
	streamFn := k.newFunction(functionSpec{"stream", "kvlambda DynamoDB stream consumer: publishes kvstore.change events", 256, awscdk.Duration_Seconds(jsii.Number(60))},
		map[string]*string{EnvEventBus: bus.EventBusName()}, nil)

	k.newCommandRule(bus, busFn, busDLQ)
	k.newStreamSource(streamFn, streamDLQ)
	bus.GrantPutEventsTo(streamFn, nil)
	k.grantData(streamFn) // it reclaims expired sorted data (ReclaimExpired)

	httpAPI := k.newHTTPAPI(api)

	k.newAlarms(map[string]awslambda.Function{"Api": api, "Bus": busFn, "Stream": streamFn},
		map[string]awssqs.Queue{"BusDeadLetterQueue": busDLQ, "StreamFailureQueue": streamDLQ},
		streamFn, httpAPI)

	output := func(id string, value *string, desc string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(desc)})
	}
	output("ApiUrl", httpAPI.ApiEndpoint(), "Base URL of the HTTP API (POST /, /pipeline, /multi-exec)")
	output("TokenSecretArn", secret.SecretArn(), `Secrets Manager secret holding {"token":"..."} (add "readonly_token" for read-only clients)`)
	output("TableName", k.table.TableName(), "DynamoDB table")
	output("EventBusName", bus.EventBusName(), "EventBridge bus for kvstore.command and kvstore.change events")
	if p.Dax {
		output("DaxEndpoint", k.cluster.AttrClusterDiscoveryEndpointUrl(), "DAX cluster discovery endpoint (TLS)")
	}

	return stack
}

// newTable creates the table and, when configured, its customer-managed key.
func (k *kvlambda) newTable() {
	p := k.props
	encryption := awsdynamodb.TableEncryption_DEFAULT // AWS-owned key
	if p.CustomerManagedKey {
		encryption = awsdynamodb.TableEncryption_CUSTOMER_MANAGED
		k.tableKey = p.EncryptionKey
		if k.tableKey == nil {
			k.tableKey = awskms.NewKey(k.stack, jsii.String("TableKey"), &awskms.KeyProps{
				Description:       jsii.String("kvlambda table encryption key"),
				EnableKeyRotation: jsii.Bool(true),
				RemovalPolicy:     k.dataRemoval,
			})
		}
	}
	bin := func(name string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_BINARY}
	}
	k.table = awsdynamodb.NewTable(k.stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:        bin(HashKeyAttribute),
		SortKey:             bin(RangeKeyAttribute),
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Stream:              awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES,
		TimeToLiveAttribute: jsii.String(TTLAttribute),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(!p.DevMode),
		RemovalPolicy:      k.dataRemoval,
		Encryption:         encryption,
		EncryptionKey:      k.tableKey,
	})
	k.table.AddLocalSecondaryIndex(&awsdynamodb.LocalSecondaryIndexProps{
		IndexName: jsii.String(SecondaryIndexName),
		SortKey:   bin(SecondaryRangeKeyAttribute),
		// The index projects only v (members up to 1 KB) and wt (a member's write time,
		// which ranges filter on once the sorted data has expired); not ttl, so that
		// tagging dead members for reclamation writes no index entry. DynamoDB
		// counts an item's index copy against its 400 KB limit, so projecting ALL would
		// halve the largest sorted-hash member (see kvstore/dynamodb's package doc).
		ProjectionType:   awsdynamodb.ProjectionType_INCLUDE,
		NonKeyAttributes: jsii.Strings("v", "wt"),
	})
}

// indexArn is the ARN of the rk2 index (no wildcard).
func (k *kvlambda) indexArn() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{k.table.TableArn(), jsii.String("/index/" + SecondaryIndexName)})
}

// grantTable lets grantee perform actions on the table and its index (and use
// the table's customer-managed key, if any).
func (k *kvlambda) grantTable(grantee awsiam.IGrantable, actions []string) {
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{k.table.TableArn(), k.indexArn()},
	}))
	if k.tableKey != nil {
		// GrantEncryptDecrypt would add kms:ReEncrypt* and
		// kms:GenerateDataKey*: spell the actions out instead.
		k.tableKey.Grant(grantee, *jsii.Strings(TableKeyActions...)...)
	}
}

// grantData gives a function read/write access to the data: the table (and
// with DAX, the cluster's data plane too).
func (k *kvlambda) grantData(fn awslambda.Function) {
	k.grantTable(fn, TableDataActions)
	if k.cluster != nil {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(DaxDataActions...),
			Resources: &[]*string{k.cluster.AttrArn()},
		}))
	}
}

// newDax creates the VPC, the DAX cluster and the functions' security group,
// and points storeURL at the cluster.
func (k *kvlambda) newDax() {
	stack, p := k.stack, k.props
	flowLogs := k.newLogGroup("VpcFlowLogs")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:                       jsii.Number(3),
		NatGateways:                  jsii.Number(0),
		RestrictDefaultSecurityGroup: jsii.Bool(false), // avoids a custom-resource Lambda; the default SG is unused
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name:       jsii.String("isolated"),
			SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED,
			CidrMask:   jsii.Number(24),
		}},
		GatewayEndpoints: &map[string]*awsec2.GatewayVpcEndpointOptions{
			"DynamoDb": {Service: awsec2.GatewayVpcEndpointAwsService_DYNAMODB()},
		},
		FlowLogs: &map[string]*awsec2.FlowLogOptions{
			"FlowLog": {
				Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil),
				TrafficType: awsec2.FlowLogTrafficType_ALL,
			},
		},
	})
	k.vpc = vpc
	isolated := &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}

	k.fnSG = awsec2.NewSecurityGroup(stack, jsii.String("FunctionsSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:         vpc,
		Description: jsii.String("kvlambda Lambda functions (egress only; isolated subnets route nowhere but the VPC endpoints)"),
		// Egress is open but the subnets have no route out of the VPC
		// except the DynamoDB gateway endpoint.
		AllowAllOutbound: jsii.Bool(true),
	})
	daxSG := awsec2.NewSecurityGroup(stack, jsii.String("DaxSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("kvlambda DAX cluster: reachable from the functions security group only"),
		AllowAllOutbound: jsii.Bool(true),
	})
	daxSG.AddIngressRule(k.fnSG, awsec2.Port_Tcp(jsii.Number(DaxTLSPort)), jsii.String("kvlambda functions to DAX (TLS)"), nil)

	// The functions call Secrets Manager (api) and EventBridge (stream):
	// without a NAT they need interface endpoints, reachable from the
	// functions' security group only.
	endpointSG := awsec2.NewSecurityGroup(stack, jsii.String("EndpointsSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("kvlambda interface VPC endpoints: HTTPS from the functions security group only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	endpointSG.AddIngressRule(k.fnSG, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("kvlambda functions to AWS APIs"), nil)
	for _, ep := range []struct {
		id  string
		svc awsec2.IInterfaceVpcEndpointService
	}{
		{"SecretsManagerEndpoint", awsec2.InterfaceVpcEndpointAwsService_SECRETS_MANAGER()},
		{"EventBridgeEndpoint", awsec2.InterfaceVpcEndpointAwsService_EVENTBRIDGE()},
	} {
		vpc.AddInterfaceEndpoint(jsii.String(ep.id), &awsec2.InterfaceVpcEndpointOptions{
			Service:           ep.svc,
			Subnets:           isolated,
			SecurityGroups:    &[]awsec2.ISecurityGroup{endpointSG},
			Open:              jsii.Bool(false),
			PrivateDnsEnabled: jsii.Bool(true),
		})
	}

	var subnetIDs []*string
	for _, s := range *vpc.IsolatedSubnets() {
		subnetIDs = append(subnetIDs, s.SubnetId())
	}
	subnetGroup := awsdax.NewCfnSubnetGroup(stack, jsii.String("DaxSubnetGroup"), &awsdax.CfnSubnetGroupProps{
		Description: jsii.String("kvlambda DAX subnets (isolated)"),
		SubnetIds:   &subnetIDs,
	})

	daxRole := awsiam.NewRole(stack, jsii.String("DaxRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("dax.amazonaws.com"), nil),
		Description: jsii.String("kvlambda DAX cluster: access to the kvlambda table only"),
	})
	k.grantTable(daxRole, DaxTableActions)

	cluster := awsdax.NewCfnCluster(stack, jsii.String("DaxCluster"), &awsdax.CfnClusterProps{
		Description:                   jsii.String("kvlambda DAX cluster"),
		IamRoleArn:                    daxRole.RoleArn(),
		NodeType:                      jsii.String(p.DaxNodeType),
		ReplicationFactor:             jsii.Number(float64(p.DaxReplicationFactor)),
		SubnetGroupName:               subnetGroup.Ref(),
		SecurityGroupIds:              &[]*string{daxSG.SecurityGroupId()},
		SseSpecification:              &awsdax.CfnCluster_SSESpecificationProperty{SseEnabled: jsii.Bool(true)},
		ClusterEndpointEncryptionType: jsii.String("TLS"),
	})
	// DAX checks its role's permissions when the cluster is created.
	cluster.Node().AddDependency(daxRole)
	k.cluster = cluster

	// ClusterDiscoveryEndpointURL is "daxs://HOST" (possibly with ":PORT"):
	// keep HOST and rebuild the URL in the kvstore form daxs://HOST:PORT/TABLE.
	afterScheme := awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String("://"), cluster.AttrClusterDiscoveryEndpointUrl(), nil))
	host := awscdk.Fn_Select(jsii.Number(0), awscdk.Fn_Split(jsii.String(":"), afterScheme, nil))
	k.storeURL = awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("daxs://"), host, jsii.String(":" + strconv.Itoa(DaxTLSPort) + "/"), k.table.TableName(),
	})
}

// newLogGroup creates a log group with the configured retention.
func (k *kvlambda) newLogGroup(id string) awslogs.LogGroup {
	return awslogs.NewLogGroup(k.stack, jsii.String(id), &awslogs.LogGroupProps{
		Retention:     k.props.LogRetention,
		RemovalPolicy: k.logRemoval,
	})
}

// newQueue creates an encrypted, TLS-only dead-letter queue.
func (k *kvlambda) newQueue(id string) awssqs.Queue {
	q := awssqs.NewQueue(k.stack, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(q, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-SQS3"),
		Reason: jsii.String("This queue is itself a dead-letter/on-failure destination (EventBridge target DLQ, Lambda on-failure destination); a DLQ of a DLQ adds nothing."),
	}}, nil)
	return q
}

// newTokenSecret creates the bearer-token secret, generated by
// CloudFormation: {"token":"<48 alphanumerics>"}.
func (k *kvlambda) newTokenSecret() awssecretsmanager.Secret {
	secret := awssecretsmanager.NewSecret(k.stack, jsii.String("TokenSecret"), &awssecretsmanager.SecretProps{
		Description: jsii.String(`kvlambda bearer tokens: {"token":"..."}; add "readonly_token" for read-only clients`),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String("{}"),
			GenerateStringKey:    jsii.String(TokenSecretKey),
			ExcludePunctuation:   jsii.Bool(true),
			PasswordLength:       jsii.Number(48),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(secret, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("The secret holds static bearer tokens shared with API clients (Upstash-style); automatic rotation would " +
			"break every client. Operators rotate by hand: add the new token, update clients, remove the old one."),
	}}, nil)
	return secret
}

// eventBus returns the new bus, or the account's default bus.
func (k *kvlambda) eventBus() awsevents.IEventBus {
	if k.props.UseDefaultBus {
		return awsevents.EventBus_FromEventBusName(k.stack, jsii.String("DefaultBus"), jsii.String("default"))
	}
	var name *string
	if k.props.BusName != "" {
		name = jsii.String(k.props.BusName)
	}
	return awsevents.NewEventBus(k.stack, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName: name,
		Description:  jsii.String("kvlambda: kvstore.command in, kvstore.change out"),
	})
}

// newFunction creates one function with its own role (no managed policies),
// log group, tracing and JSON logs.
func (k *kvlambda) newFunction(spec functionSpec, env map[string]*string, tweak func(*awslambda.FunctionProps)) awslambda.Function {
	stack := k.stack
	title := strings.ToUpper(spec.name[:1]) + spec.name[1:]

	role := awsiam.NewRole(stack, jsii.String(title+"FunctionRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(fmt.Sprintf("kvlambda %s function", spec.name)),
	})
	logs := k.newLogGroup(title + "FunctionLogs")
	logs.GrantWrite(role)

	environment := map[string]*string{EnvStoreURL: k.storeURL}
	for key, v := range env {
		environment[key] = v
	}
	fp := &awslambda.FunctionProps{
		Description:   jsii.String(spec.description),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(filepath.Join(k.props.BuildDir, spec.name)), nil),
		MemorySize:    jsii.Number(spec.memoryMB),
		Timeout:       spec.timeout,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		LogGroup:      logs,
		Tracing:       awslambda.Tracing_ACTIVE,
		Role:          role,
		Environment:   &environment,
	}
	if k.vpc != nil {
		fp.Vpc = k.vpc
		fp.VpcSubnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
		fp.SecurityGroups = &[]awsec2.ISecurityGroup{k.fnSG}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("LambdaVpcNetworkInterfaces"),
			Actions:   jsii.Strings(lambdaVpcActions...),
			Resources: jsii.Strings("*"),
		}))
	}
	if tweak != nil {
		tweak(fp)
	}
	fn := awslambda.NewFunction(stack, jsii.String(title+"Function"), fp)

	reason := "Resource '*' only for actions that support no resource-level permissions: X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing)"
	if k.vpc != nil {
		reason += " and the EC2 network-interface actions Lambda needs to attach the function to the VPC (the same statement as AWSLambdaVPCAccessExecutionRole, inlined)"
	}
	if spec.name == "stream" {
		reason += " and dynamodb:ListStreams (added by grantStreamRead; it has no resource type)"
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String(reason + "."),
		AppliesTo: &[]interface{}{jsii.String("Resource::*")},
	}}, jsii.Bool(true))
	return fn
}

// newCommandRule routes kvstore.command events to the bus function.
//
// Matching the detail-type alone is enough to avoid loops: the stream
// function only publishes kvstore.change events (source "kvlambda"), which
// this rule never matches.
func (k *kvlambda) newCommandRule(bus awsevents.IEventBus, fn awslambda.Function, dlq awssqs.Queue) {
	rule := awsevents.NewRule(k.stack, jsii.String("CommandRule"), &awsevents.RuleProps{
		EventBus:    bus,
		Description: jsii.String("kvlambda: kvstore.command events to the bus function"),
		EventPattern: &awsevents.EventPattern{
			DetailType: jsii.Strings(CommandDetailType),
		},
	})
	rule.AddTarget(awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
		DeadLetterQueue: dlq,
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(2)),
		RetryAttempts:   jsii.Number(8),
	}))
}

// newStreamSource subscribes the stream function to the table's stream.
//
// It starts at LATEST: the table is new when the mapping is first created, so
// there is nothing to catch up on, and if the mapping is ever replaced,
// TRIM_HORIZON would re-publish up to 24 hours of changes as duplicate
// kvstore.change events.
func (k *kvlambda) newStreamSource(fn awslambda.Function, failures awssqs.Queue) {
	fn.AddEventSource(awslambdaeventsources.NewDynamoEventSource(k.table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_LATEST,
		BatchSize:               jsii.Number(100),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(1)),
		ReportBatchItemFailures: jsii.Bool(true),
		BisectBatchOnError:      jsii.Bool(true),
		RetryAttempts:           jsii.Number(5),
		MaxRecordAge:            awscdk.Duration_Hours(jsii.Number(24)),
		OnFailure:               awslambdaeventsources.NewSqsDlq(failures),
	}))
}

// accessLogFormat is the HTTP API's JSON access-log line.
func accessLogFormat() string {
	fields := map[string]string{
		"requestId":          "$context.requestId",
		"ip":                 "$context.identity.sourceIp",
		"userAgent":          "$context.identity.userAgent",
		"requestTime":        "$context.requestTime",
		"httpMethod":         "$context.httpMethod",
		"routeKey":           "$context.routeKey",
		"path":               "$context.path",
		"protocol":           "$context.protocol",
		"status":             "$context.status",
		"responseLength":     "$context.responseLength",
		"latency":            "$context.responseLatency",
		"integrationLatency": "$context.integrationLatency",
		"integrationStatus":  "$context.integrationStatus",
		"integrationError":   "$context.integrationErrorMessage",
		"errorMessage":       "$context.error.message",
	}
	b, err := json.Marshal(fields) // map keys are sorted: stable output
	if err != nil {
		panic(err)
	}
	return string(b)
}

// ApiRoutes are the HTTP API's routes, all integrated with the api function.
var ApiRoutes = []string{"/", "/pipeline", "/multi-exec"}

// newHTTPAPI creates the HTTP API, its throttled and logged default stage,
// and its routes.
func (k *kvlambda) newHTTPAPI(fn awslambda.Function) awsapigatewayv2.HttpApi {
	api := awsapigatewayv2.NewHttpApi(k.stack, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		ApiName:            k.stack.StackName(),
		Description:        jsii.String("kvlambda Redis-compatible API (Upstash REST protocol)"),
		CreateDefaultStage: jsii.Bool(false),
	})
	stage := api.AddStage(jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageOptions{
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(k.props.ApiThrottleRate),
			BurstLimit: jsii.Number(k.props.ApiThrottleBurst),
		},
	})
	accessLogs := k.newLogGroup("ApiAccessLogs")
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: accessLogs.LogGroupArn(),
		Format:         jsii.String(accessLogFormat()),
	})

	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("ApiIntegration"), fn,
		&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
			PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
		})
	for _, path := range ApiRoutes {
		routes := api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
			Integration: integration,
		})
		for _, route := range *routes {
			cdknag.NagSuppressions_AddResourceSuppressions(route, &[]*cdknag.NagPackSuppression{{
				Id: jsii.String("AwsSolutions-APIG4"),
				Reason: jsii.String("No API Gateway authorizer on purpose: the api function authenticates every request " +
					"itself with the Upstash-compatible bearer token kept in Secrets Manager."),
			}}, jsii.Bool(true))
		}
	}
	return api
}

// newAlarms creates the CloudWatch alarms, notifying AlarmTopic when set.
func (k *kvlambda) newAlarms(fns map[string]awslambda.Function, queues map[string]awssqs.Queue,
	streamFn awslambda.Function, api awsapigatewayv2.HttpApi) {
	five := awscdk.Duration_Minutes(jsii.Number(5))
	alarm := func(id string, metric awscloudwatch.IMetric, threshold float64, periods float64, desc string) {
		a := awscloudwatch.NewAlarm(k.stack, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(periods),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(desc),
		})
		if k.props.AlarmTopic != nil {
			a.AddAlarmAction(awscloudwatchactions.NewSnsAction(k.props.AlarmTopic))
		}
	}
	sum := &awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Sum")}
	for _, name := range slices.Sorted(maps.Keys(fns)) {
		fn := fns[name]
		alarm(name+"ErrorsAlarm", fn.MetricErrors(sum), 0, 1, "kvlambda "+name+" function errors")
		alarm(name+"ThrottlesAlarm", fn.MetricThrottles(sum), 0, 1, "kvlambda "+name+" function throttles")
	}
	for _, name := range slices.Sorted(maps.Keys(queues)) {
		alarm(name+"MessagesAlarm", queues[name].MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period: five, Statistic: jsii.String("Maximum"),
		}), 0, 1, "kvlambda: messages in "+name+" (failed events to inspect and redrive)")
	}
	alarm("StreamIteratorAgeAlarm", streamFn.Metric(jsii.String("IteratorAge"), &awscloudwatch.MetricOptions{
		Period: awscdk.Duration_Minutes(jsii.Number(1)), Statistic: jsii.String("Maximum"),
	}), 60_000, 3, "kvlambda stream function lags more than 60 s behind the table's stream")
	alarm("Api5xxAlarm", api.MetricServerError(sum), 0, 1, "kvlambda HTTP API 5xx responses")
}

// ApplyNagChecks adds the cdk-nag AWS Solutions checks to scope (normally the
// app), so that synthesis reports every unsuppressed finding as an error or
// warning annotation.
func ApplyNagChecks(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}
