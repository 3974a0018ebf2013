package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/kvlambda/kvlambda/kvstore/kvstoreurl/awsconfig"
)

// apiTokens are the bearer tokens the API accepts.
type apiTokens struct {
	full, readOnly string
	// generated is true when the full token was made up at start (local runs only).
	generated bool
	// source says where the tokens came from, for the start-up message.
	source string
}

// secretValue is the JSON of the Secrets Manager secret holding the tokens.
type secretValue struct {
	Token         string `json:"token"`
	ReadOnlyToken string `json:"readonly_token"`
}

// loadTokens reads the tokens: from the secret KVLAMBDA_TOKEN_SECRET_ARN names when
// set; otherwise from KVLAMBDA_TOKEN and KVLAMBDA_READONLY_TOKEN. Without either, a
// local run generates a token and Lambda refuses to start.
func loadTokens(ctx context.Context, inLambda bool) (apiTokens, error) {
	if arn := os.Getenv("KVLAMBDA_TOKEN_SECRET_ARN"); arn != "" {
		return secretTokens(ctx, arn)
	}
	t := apiTokens{full: os.Getenv("KVLAMBDA_TOKEN"), readOnly: os.Getenv("KVLAMBDA_READONLY_TOKEN"), source: "KVLAMBDA_TOKEN"}
	if t.full != "" {
		return t, nil
	}
	if inLambda {
		return t, errors.New("neither KVLAMBDA_TOKEN_SECRET_ARN nor KVLAMBDA_TOKEN is set: refusing to serve without a token")
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return t, fmt.Errorf("generating a token: %w", err)
	}
	t.full, t.generated, t.source = base64.RawURLEncoding.EncodeToString(b[:]), true, "generated"
	return t, nil
}

// secretTokens reads the tokens from Secrets Manager with the AWS configuration the
// backend uses (package awsconfig: the SDK's default chain, or the environment only
// in a deploy build); AWS_ENDPOINT_URL_SECRETS_MANAGER points it at a local server.
func secretTokens(ctx context.Context, arn string) (apiTokens, error) {
	cfg, err := awsconfig.Load(ctx, "")
	if err != nil {
		return apiTokens{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return apiTokens{}, fmt.Errorf("reading secret %s (KVLAMBDA_TOKEN_SECRET_ARN): %w", arn, err)
	}
	if out.SecretString == nil {
		return apiTokens{}, fmt.Errorf("secret %s has no string value", arn)
	}
	return parseSecret(*out.SecretString, arn)
}

func parseSecret(s, arn string) (apiTokens, error) {
	var v secretValue
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return apiTokens{}, fmt.Errorf("secret %s is not JSON like {\"token\":\"...\",\"readonly_token\":\"...\"}", arn)
	}
	if v.Token == "" {
		return apiTokens{}, fmt.Errorf("secret %s has no \"token\"", arn)
	}
	if v.ReadOnlyToken == v.Token {
		return apiTokens{}, fmt.Errorf("secret %s: \"readonly_token\" equals \"token\"", arn)
	}
	return apiTokens{full: v.Token, readOnly: v.ReadOnlyToken, source: "secret " + arn}, nil
}
