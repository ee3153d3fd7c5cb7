package secrets

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// NewAWSClient returns a constructor of a Secrets Manager client from the
// SDK's default configuration chain (environment, shared config files, ECS
// task role, instance profile), with these variables read through lookup
// taking precedence, so the CLI's injected environment is honoured:
// AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER /
// AWS_ENDPOINT_URL (e.g. a local endpoint), and AWS_ACCESS_KEY_ID with
// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) as static credentials.
func NewAWSClient(lookup func(string) (string, bool)) func(ctx context.Context) (Client, error) {
	return func(ctx context.Context) (Client, error) {
		cfg, err := LoadAWSConfig(ctx, lookup)
		if err != nil {
			return nil, err
		}
		endpoint := first(lookup, "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL")
		return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
			if endpoint != "" {
				o.BaseEndpoint = aws.String(endpoint)
			}
		}), nil
	}
}

// LoadAWSConfig loads the SDK's default configuration with region and
// static credentials overridden from lookup (see NewAWSClient). Package
// redshift uses it for S3 too.
func LoadAWSConfig(ctx context.Context, lookup func(string) (string, bool)) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if r := first(lookup, "AWS_REGION", "AWS_DEFAULT_REGION"); r != "" {
		opts = append(opts, awsconfig.WithRegion(r))
	}
	if id, secret := first(lookup, "AWS_ACCESS_KEY_ID"), first(lookup, "AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(id, secret, first(lookup, "AWS_SESSION_TOKEN"))))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("secrets: load AWS configuration: %w", err)
	}
	return cfg, nil
}

func first(lookup func(string) (string, bool), keys ...string) string {
	for _, k := range keys {
		if v, ok := lookup(k); ok && v != "" {
			return v
		}
	}
	return ""
}

func sortStrings(s []string) { slices.Sort(s) }
