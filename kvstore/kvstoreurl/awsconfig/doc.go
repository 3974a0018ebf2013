// Package awsconfig loads the AWS configuration that kvstoreurl's AWS clients (and
// kvlambda's functions) use.
//
// In a default build, Load is config.LoadDefaultConfig: the SDK's whole chain
// (environment, shared config and credentials files and profiles, SSO, web identity,
// container and EC2 instance credentials). In a build with the tag kvstore_awsenv, as
// the Lambda functions are built for deploy (make build), Load is FromEnv: the
// configuration the Lambda runtime gives in environment variables, without linking
// the chain's other providers and their service clients (STS, SSO, SSO OIDC, sign-in,
// IMDS: about 1.5 MB of a function's binary).
package awsconfig
