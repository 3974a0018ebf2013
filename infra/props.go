package infra

import (
	"bufio"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
)

// Names shared with the Lambda functions and the kvstore library. Changing any
// of them is a breaking change for deployed stacks and their clients.
const (
	// EnvStoreURL is the environment variable holding the kvstore URL
	// (dynamodb:///TABLE or daxs://HOST:9111/TABLE) for every function.
	EnvStoreURL = "KVSTORE_URL"
	// EnvTokenSecretArn is the environment variable, set on the api function
	// only, holding the ARN of the Secrets Manager secret with the bearer
	// tokens. The secret's JSON is {"token":"..."}; operators may add a
	// "readonly_token" key.
	EnvTokenSecretArn = "KVLAMBDA_TOKEN_SECRET_ARN"
	// EnvEventBus is the environment variable, set on the stream function,
	// holding the name of the EventBridge bus it publishes changes to
	// ("default" for the account's default bus).
	EnvEventBus = "KVLAMBDA_EVENT_BUS"

	// TokenSecretKey is the JSON key of the read/write bearer token in the
	// token secret.
	TokenSecretKey = "token"
	// ReadonlyTokenSecretKey is the optional JSON key of a read-only bearer
	// token that operators may add to the token secret.
	ReadonlyTokenSecretKey = "readonly_token"

	// HashKeyAttribute is the table's partition key (Binary).
	HashKeyAttribute = "hk"
	// RangeKeyAttribute is the table's sort key (Binary).
	RangeKeyAttribute = "rk"
	// SecondaryRangeKeyAttribute is the sort key (Binary) of the local
	// secondary index of the same name.
	SecondaryRangeKeyAttribute = "rk2"
	// SecondaryIndexName is the name of the local secondary index on rk2.
	SecondaryIndexName = "rk2"
	// TTLAttribute is the table's time-to-live attribute: a Number holding
	// the expiry time in epoch seconds.
	TTLAttribute = "ttl"

	// CommandDetailType is the EventBridge detail-type routed to the bus
	// function.
	CommandDetailType = "kvstore.command"
	// ChangeDetailType is the EventBridge detail-type the stream function
	// publishes for table changes (never routed back to the bus function).
	ChangeDetailType = "kvstore.change"
	// EventSource is the EventBridge source the stream function publishes
	// with.
	EventSource = "kvlambda"

	// DaxTLSPort is the port of a DAX cluster with TLS endpoint encryption.
	DaxTLSPort = 9111

	// DefaultApiThrottleRate is the default steady-state request rate limit
	// (requests per second) of the HTTP API's default stage.
	DefaultApiThrottleRate = 1000
	// DefaultApiThrottleBurst is the default burst limit of the HTTP API's
	// default stage.
	DefaultApiThrottleBurst = 2000
	// DefaultDaxNodeType is the default DAX node type.
	DefaultDaxNodeType = "dax.t3.small"
	// DefaultDaxReplicationFactor is the default number of DAX nodes (one in
	// dev mode).
	DefaultDaxReplicationFactor = 3
	// DefaultStackName is the stack name used by the CDK app.
	DefaultStackName = "Kvlambda"
)

// FunctionNames lists the Lambda functions, in the order they are created.
// Each one's code is the directory BuildDir/<name>, holding a "bootstrap"
// executable for provided.al2023 on arm64.
var FunctionNames = []string{"api", "bus", "stream"}

// KvlambdaStackProps configures NewKvlambdaStack. The zero value (plus
// BuildDir, which defaults to DefaultBuildDir) gives a production stack.
type KvlambdaStackProps struct {
	awscdk.StackProps

	// BuildDir is the directory holding <name>/bootstrap for every function
	// in FunctionNames (what `make build` writes). Empty means
	// DefaultBuildDir().
	BuildDir string

	// Dax adds a VPC (isolated subnets only, no NAT), an encrypted DAX
	// cluster with TLS, and places the functions in the VPC so that they
	// reach the table through DAX (KVSTORE_URL=daxs://...).
	Dax bool
	// DaxNodeType is the DAX node type; empty means DefaultDaxNodeType.
	DaxNodeType string
	// DaxReplicationFactor is the number of DAX nodes; 0 means
	// DefaultDaxReplicationFactor (1 in DevMode).
	DaxReplicationFactor int

	// DevMode is for throw-away stacks: no deletion protection on the table,
	// and the table, its key and the log groups are deleted with the stack.
	DevMode bool

	// CustomerManagedKey encrypts the table (and so its stream) with a
	// customer-managed KMS key created by the stack (with yearly rotation),
	// unless EncryptionKey is set. When false and EncryptionKey is nil, the
	// table uses the AWS-owned key.
	CustomerManagedKey bool
	// EncryptionKey is an existing customer-managed KMS key for the table;
	// setting it implies CustomerManagedKey.
	EncryptionKey awskms.IKey

	// UseDefaultBus routes commands from, and publishes changes to, the
	// account's default EventBridge bus instead of a new bus.
	UseDefaultBus bool
	// BusName names the new EventBridge bus (ignored with UseDefaultBus);
	// empty lets CDK generate a unique name.
	BusName string

	// ApiThrottleRate is the default stage's steady-state rate limit in
	// requests per second; 0 means DefaultApiThrottleRate.
	ApiThrottleRate float64
	// ApiThrottleBurst is the default stage's burst limit; 0 means
	// DefaultApiThrottleBurst.
	ApiThrottleBurst float64

	// LogRetention is the retention of every log group the stack creates;
	// empty means one month.
	LogRetention awslogs.RetentionDays

	// AlarmTopic, when set, receives the notifications of every alarm.
	AlarmTopic awssns.ITopic
}

// withDefaults returns a copy of p with every zero field replaced by its
// default.
func (p *KvlambdaStackProps) withDefaults() KvlambdaStackProps {
	var out KvlambdaStackProps
	if p != nil {
		out = *p
	}
	if out.BuildDir == "" {
		out.BuildDir = DefaultBuildDir()
	}
	if out.DaxNodeType == "" {
		out.DaxNodeType = DefaultDaxNodeType
	}
	if out.DaxReplicationFactor == 0 {
		out.DaxReplicationFactor = DefaultDaxReplicationFactor
		if out.DevMode {
			out.DaxReplicationFactor = 1
		}
	}
	if out.EncryptionKey != nil {
		out.CustomerManagedKey = true
	}
	if out.ApiThrottleRate == 0 {
		out.ApiThrottleRate = DefaultApiThrottleRate
	}
	if out.ApiThrottleBurst == 0 {
		out.ApiThrottleBurst = DefaultApiThrottleBurst
	}
	if out.LogRetention == "" {
		out.LogRetention = awslogs.RetentionDays_ONE_MONTH
	}
	return out
}

// rootModulePath is the module path of the repository's root go.mod, used to
// find the repository root.
const rootModulePath = "github.com/kvlambda/kvlambda"

// DefaultBuildDir returns <repo>/build, where <repo> is the first directory,
// from the working directory upwards, whose go.mod declares the root module
// github.com/kvlambda/kvlambda (so `cdk synth` in infra/ finds ../build). When
// no such directory is found it falls back to the repository this source file
// was compiled from, and finally to "build".
func DefaultBuildDir() string {
	if wd, err := os.Getwd(); err == nil {
		if root, ok := findRepoRoot(wd); ok {
			return filepath.Join(root, "build")
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if root, ok := findRepoRoot(filepath.Dir(file)); ok {
			return filepath.Join(root, "build")
		}
	}
	return "build"
}

// findRepoRoot walks up from dir to the directory whose go.mod declares
// rootModulePath.
func findRepoRoot(dir string) (string, bool) {
	for {
		if modulePath(filepath.Join(dir, "go.mod")) == rootModulePath {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// modulePath returns the module path declared by the go.mod file at path, or
// "" when it cannot be read.
func modulePath(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`)
		}
	}
	return ""
}

// ErrMissingBuild is wrapped by the error CheckBuildDir returns when a
// function's bootstrap executable is missing.
var ErrMissingBuild = errors.New("missing Lambda build output")

// CheckBuildDir reports whether dir holds <name>/bootstrap for every function
// in FunctionNames. The error tells the user to run `make build` first: the
// stack never deploys placeholder code.
func CheckBuildDir(dir string) error {
	var missing []string
	for _, name := range FunctionNames {
		p := filepath.Join(dir, name, "bootstrap")
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s not found; run `make build` in the repository root first "+
			"(it writes build/<function>/bootstrap for %s), or point the app at another build "+
			"directory with `-c buildDir=PATH`", ErrMissingBuild, strings.Join(missing, ", "),
			strings.Join(FunctionNames, ", "))
	}
	return nil
}

// DAXFunctionNames are the functions that reach the table through DAX when the
// stack has a DAX cluster.
var DAXFunctionNames = []string{"api", "bus"}

// ErrBuildWithoutDAX is wrapped by the error CheckDAXBuild returns when a function
// that must reach DAX was built without the DAX client.
var ErrBuildWithoutDAX = errors.New("Lambda build without the DAX client")

// CheckDAXBuild reports whether the DAX functions' bootstraps in dir were built with
// the DAX client: `make build` leaves it out (build tag kvstore_nodax) unless DAX=true,
// and such a function would refuse its daxs:// KVSTORE_URL at every cold start. A
// bootstrap whose Go build information cannot be read is not judged.
func CheckDAXBuild(dir string) error {
	var without []string
	for _, name := range DAXFunctionNames {
		p := filepath.Join(dir, name, "bootstrap")
		info, err := buildinfo.ReadFile(p)
		if err != nil {
			continue
		}
		for _, s := range info.Settings {
			if s.Key == "-tags" && slices.Contains(strings.Split(s.Value, ","), "kvstore_nodax") {
				without = append(without, p)
			}
		}
	}
	if len(without) > 0 {
		return fmt.Errorf("%w: %s built with the tag kvstore_nodax, but the stack has a DAX cluster; "+
			"run `make build DAX=true` (or `make deploy DAX=true`, which builds) first",
			ErrBuildWithoutDAX, strings.Join(without, ", "))
	}
	return nil
}
