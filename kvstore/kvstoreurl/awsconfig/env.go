package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

// EnvOnly reports whether Load is FromEnv (a build with the tag kvstore_awsenv).
const EnvOnly = envOnly

// Load returns the AWS configuration, with region overriding the configured region
// when it is not empty; see the package documentation for where it comes from.
func Load(ctx context.Context, region string) (aws.Config, error) {
	return load(ctx, region)
}

// ErrNoCredentials is FromEnv's error when the environment holds no credentials.
var ErrNoCredentials = errors.New("no AWS credentials in the environment (AWS_ACCESS_KEY_ID and " +
	"AWS_SECRET_ACCESS_KEY, or AWS_CONTAINER_CREDENTIALS_FULL_URI); this build (tag kvstore_awsenv) " +
	"reads no profile or config file: build without the tag for the SDK's whole chain")

// FromEnv builds the AWS configuration from environment variables only, as the
// Lambda runtime and SAM local set them:
//
//   - region: region if not empty, else AWS_REGION, else AWS_DEFAULT_REGION;
//   - credentials: AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY), AWS_SECRET_ACCESS_KEY (or
//     AWS_SECRET_KEY), AWS_SESSION_TOKEN and AWS_ACCOUNT_ID, static as the SDK's own
//     environment credentials are (Lambda's last as long as the execution
//     environment); when they are absent, the container credentials endpoint
//     (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with
//     AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE), refreshed before they expire;
//   - endpoints: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (such as
//     AWS_ENDPOINT_URL_DYNAMODB), unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true;
//   - AWS_MAX_ATTEMPTS, AWS_RETRY_MODE and AWS_SDK_UA_APP_ID.
//
// Without credentials it returns ErrNoCredentials. Profiles, config and credentials
// files, SSO, web identity and IMDS are not read.
func FromEnv(region string) (aws.Config, error) {
	cfg := aws.Config{Region: region}
	if cfg.Region == "" {
		cfg.Region = firstEnv("AWS_REGION", "AWS_DEFAULT_REGION")
	}
	creds, err := envCredentials()
	if err != nil {
		return aws.Config{}, err
	}
	cfg.Credentials = creds
	src := envSource{}
	if v := os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); v != "" {
		ignore, err := strconv.ParseBool(v)
		if err != nil {
			return aws.Config{}, fmt.Errorf("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=%q: want true or false", v)
		}
		src.ignoreEndpoints = ignore
	}
	if e := os.Getenv("AWS_ENDPOINT_URL"); e != "" && !src.ignoreEndpoints {
		cfg.BaseEndpoint = aws.String(e)
	}
	cfg.ConfigSources = []any{src}
	if v := os.Getenv("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return aws.Config{}, fmt.Errorf("AWS_MAX_ATTEMPTS=%q: want a positive integer", v)
		}
		cfg.RetryMaxAttempts = n
	}
	if v := os.Getenv("AWS_RETRY_MODE"); v != "" {
		mode, err := aws.ParseRetryMode(v)
		if err != nil {
			return aws.Config{}, fmt.Errorf("AWS_RETRY_MODE: %w", err)
		}
		cfg.RetryMode = mode
	}
	cfg.AppID = os.Getenv("AWS_SDK_UA_APP_ID")
	return cfg, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// envCredentials returns the environment's credentials, cached as the SDK caches
// them.
func envCredentials() (aws.CredentialsProvider, error) {
	id := firstEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
	secret := firstEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	if id != "" && secret != "" {
		return aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: aws.Credentials{
			AccessKeyID:     id,
			SecretAccessKey: secret,
			SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
			AccountID:       os.Getenv("AWS_ACCOUNT_ID"),
			Source:          "EnvConfigCredentials",
		}}), nil
	}
	endpoint := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel := os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		endpoint = "http://169.254.170.2" + rel
	} else if endpoint != "" {
		if err := checkContainerEndpoint(endpoint); err != nil {
			return nil, err
		}
	}
	if endpoint == "" {
		return nil, ErrNoCredentials
	}
	p := endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationToken = os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
		if file := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file != "" {
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				b, err := os.ReadFile(file)
				if err != nil {
					return "", fmt.Errorf("reading the authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE): %w", err)
				}
				return strings.TrimSpace(string(b)), nil
			})
		}
	})
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute }), nil
}

// checkContainerEndpoint accepts, as the SDK does, an https URL or an http one on a
// loopback address or the ECS and EKS credential addresses.
func checkContainerEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI: not a URL with a host")
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if u.Scheme == "http" && ip != nil && (ip.IsLoopback() || ip.Equal(net.IPv4(169, 254, 170, 2)) ||
		ip.Equal(net.IPv4(169, 254, 170, 23)) || ip.Equal(net.ParseIP("fd00:ec2::23"))) {
		return nil
	}
	return fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI: host %q: want https, or http on a loopback, ECS or EKS address", host)
}

// envSource is the configuration source the SDK's service clients ask for their
// base endpoint (AWS_ENDPOINT_URL_<SERVICE>).
type envSource struct {
	ignoreEndpoints bool
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (s envSource) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return s.ignoreEndpoints, s.ignoreEndpoints, nil
}

// GetServiceBaseEndpoint returns AWS_ENDPOINT_URL_<SERVICE>, the service's SDK ID
// upper-cased with spaces as underscores ("Secrets Manager": SECRETS_MANAGER).
func (s envSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	if s.ignoreEndpoints {
		return "", false, nil
	}
	name := "AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_")
	if v := os.Getenv(name); v != "" {
		return v, true, nil
	}
	return "", false, nil
}
