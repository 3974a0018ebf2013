package awsconfig

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// clearEnv unsets every variable FromEnv or the SDK's chain reads, for the test.
func clearEnv(t *testing.T) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for _, k := range []string{
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY",
		"AWS_SECRET_KEY", "AWS_SESSION_TOKEN", "AWS_ACCOUNT_ID", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS",
		"AWS_RETRY_MODE", "AWS_SDK_UA_APP_ID", "AWS_PROFILE",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// lambdaEnv sets what the Lambda runtime sets.
func lambdaEnv(t *testing.T) {
	t.Helper()
	clearEnv(t)
	t.Setenv("AWS_REGION", "eu-west-3")
	t.Setenv("AWS_DEFAULT_REGION", "eu-west-3")
	t.Setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "session")
}

func TestFromEnvLambda(t *testing.T) {
	lambdaEnv(t)
	ctx := t.Context()
	cfg, err := FromEnv("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-3" {
		t.Errorf("region %q", cfg.Region)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || c.AccessKeyID != "ASIAEXAMPLE" || c.SecretAccessKey != "secret" || c.SessionToken != "session" || c.CanExpire {
		t.Errorf("credentials %+v, %v", c, err)
	}
	// The same as the SDK's whole chain makes of the same environment.
	full, err := loadFull(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	fc, _ := full.Credentials.Retrieve(ctx)
	if full.Region != cfg.Region || fc.AccessKeyID != c.AccessKeyID || fc.SessionToken != c.SessionToken || fc.CanExpire != c.CanExpire {
		t.Errorf("the SDK's chain: region %q credentials %+v; FromEnv: %q %+v", full.Region, fc, cfg.Region, c)
	}

	if cfg, _ = FromEnv("ap-south-1"); cfg.Region != "ap-south-1" {
		t.Errorf("region argument: %q", cfg.Region)
	}
	t.Setenv("AWS_REGION", "")
	if cfg, _ = FromEnv(""); cfg.Region != "eu-west-3" {
		t.Errorf("AWS_DEFAULT_REGION: %q", cfg.Region)
	}
}

func TestFromEnvNoCredentials(t *testing.T) {
	clearEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	if _, err := FromEnv(""); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("error %v, want ErrNoCredentials", err)
	}
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds")
	if _, err := FromEnv(""); err == nil || !strings.Contains(err.Error(), "AWS_CONTAINER_CREDENTIALS_FULL_URI") {
		t.Errorf("a plain-http endpoint off the loopback: %v", err)
	}
	for k, v := range map[string]string{"AWS_MAX_ATTEMPTS": "zero", "AWS_RETRY_MODE": "fast", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "maybe"} {
		lambdaEnv(t)
		t.Setenv(k, v)
		if _, err := FromEnv(""); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}

// TestFromEnvContainerCredentials gets credentials from a container credentials
// endpoint, with the token of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, and gets them
// again once they expire.
func TestFromEnvContainerCredentials(t *testing.T) {
	clearEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "tok" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		calls++
		exp := time.Now().Add(time.Minute).UTC().Format(time.RFC3339) // within the expiry window: refreshed each time
		w.Write([]byte(`{"AccessKeyId":"AKID` + string(rune('0'+calls)) + `","SecretAccessKey":"s","Token":"t","Expiration":"` + exp + `"}`))
	}))
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL+"/creds")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile)
	cfg, err := FromEnv("")
	if err != nil {
		t.Fatal(err)
	}
	c1, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || c1.AccessKeyID != "AKID1" || !c1.CanExpire {
		t.Fatalf("credentials %+v, %v", c1, err)
	}
	c2, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || c2.AccessKeyID != "AKID2" {
		t.Errorf("credentials expiring within the window were not refreshed: %+v, %v", c2, err)
	}
}

// TestFromEnvEndpoints checks the per-service and global endpoints reach the SDK's
// clients as the SDK's own environment configuration does.
func TestFromEnvEndpoints(t *testing.T) {
	lambdaEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:4566")
	t.Setenv("AWS_MAX_ATTEMPTS", "5")
	t.Setenv("AWS_RETRY_MODE", "adaptive")
	cfg, err := FromEnv("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RetryMaxAttempts != 5 || cfg.RetryMode != aws.RetryModeAdaptive {
		t.Errorf("retries: %d %q", cfg.RetryMaxAttempts, cfg.RetryMode)
	}
	endpoints := func(cfg aws.Config) (string, string) {
		d := dynamodb.NewFromConfig(cfg).Options().BaseEndpoint
		s := secretsmanager.NewFromConfig(cfg).Options().BaseEndpoint
		return aws.ToString(d), aws.ToString(s)
	}
	if d, s := endpoints(cfg); d != "http://127.0.0.1:8000" || s != "http://127.0.0.1:4566" {
		t.Errorf("endpoints %q %q", d, s)
	}

	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "")
	os.Unsetenv("AWS_ENDPOINT_URL_SECRETS_MANAGER")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4000")
	cfg, _ = FromEnv("")
	full, err := loadFull(t.Context(), t)
	if err != nil {
		t.Fatal(err)
	}
	d, s := endpoints(cfg)
	fd, fs := endpoints(full)
	if d != fd || s != fs || d != "http://127.0.0.1:8000" || s != "http://127.0.0.1:4000" {
		t.Errorf("FromEnv's endpoints %q %q, the SDK's chain's %q %q", d, s, fd, fs)
	}

	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	cfg, _ = FromEnv("")
	if d, s := endpoints(cfg); d != "" || s != "" {
		t.Errorf("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: endpoints %q %q", d, s)
	}
}

func TestLoad(t *testing.T) {
	lambdaEnv(t)
	cfg, err := Load(context.Background(), "ca-central-1")
	if err != nil || cfg.Region != "ca-central-1" {
		t.Errorf("Load: region %q, %v", cfg.Region, err)
	}
	clearEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	_, err = Load(context.Background(), "")
	if EnvOnly != errors.Is(err, ErrNoCredentials) {
		t.Errorf("EnvOnly %v: Load without credentials: %v", EnvOnly, err)
	}
}

// loadFull is the SDK's whole chain, to compare FromEnv with.
func loadFull(ctx context.Context, t *testing.T) (aws.Config, error) {
	t.Helper()
	return config.LoadDefaultConfig(ctx)
}
