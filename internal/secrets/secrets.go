// Package secrets resolves secret references in connection settings and
// keeps resolved secrets out of everything cdw prints.
//
// A setting holds a secret either through an environment variable
// (`password: "${CDW_PROD_PASSWORD}"`, expanded by package config) or as a
// reference to AWS Secrets Manager, `secret://NAME#KEY`, resolved here at
// connect time with aws-sdk-go-v2: NAME is the secret's name or ARN, KEY a
// field of its JSON SecretString (without #KEY the whole SecretString is
// the value). Resolved values are registered with a Redactor, which the
// CLI applies to all of its output and errors.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Scheme prefixes a secret reference.
const Scheme = "secret://"

// Ref is a parsed secret reference.
type Ref struct {
	// Name is the secret's name or ARN.
	Name string
	// Key is the JSON field to read ("" = the whole SecretString).
	Key string
}

func (r Ref) String() string {
	if r.Key == "" {
		return Scheme + r.Name
	}
	return Scheme + r.Name + "#" + r.Key
}

// IsRef reports whether s is a secret reference (starts with secret://).
func IsRef(s string) bool { return strings.HasPrefix(s, Scheme) }

// ParseRef parses `secret://NAME` or `secret://NAME#KEY`. NAME may contain
// slashes and colons (ARNs); it and KEY must be non-empty when present.
func ParseRef(s string) (Ref, error) {
	if !IsRef(s) {
		return Ref{}, fmt.Errorf("secrets: %q is not a secret reference (secret://NAME#KEY)", s)
	}
	name, key, hasKey := strings.Cut(strings.TrimPrefix(s, Scheme), "#")
	switch {
	case name == "":
		return Ref{}, fmt.Errorf("secrets: %q names no secret (secret://NAME#KEY)", s)
	case hasKey && key == "":
		return Ref{}, fmt.Errorf("secrets: %q has an empty key after # (secret://NAME#KEY)", s)
	case strings.ContainsAny(name, " \t\n"):
		return Ref{}, fmt.Errorf("secrets: %q: a secret name has no spaces", s)
	}
	return Ref{Name: name, Key: key}, nil
}

// Client is the part of the Secrets Manager API the Resolver uses;
// *secretsmanager.Client implements it, tests inject their own.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Resolver resolves secret references, fetching each secret at most once
// (successful fetches are cached for the Resolver's life). Every fetched
// secret, and every string field of a JSON secret, is registered with the
// Redactor. The client is
// created on first use, so a run with no reference never touches AWS. It
// is safe for concurrent use.
type Resolver struct {
	newClient func(ctx context.Context) (Client, error)
	redactor  *Redactor

	mu     sync.Mutex
	client Client
	cache  map[string]string
}

// NewResolver returns a Resolver that creates its client with newClient
// (see NewAWSClient) and registers every resolved value with redactor
// (nil: none).
func NewResolver(newClient func(ctx context.Context) (Client, error), redactor *Redactor) *Resolver {
	return &Resolver{newClient: newClient, redactor: redactor, cache: make(map[string]string)}
}

// Resolve returns value unchanged when it is not a secret reference, and
// otherwise the referenced secret. Errors name the reference, never a
// secret value: a malformed reference, AWS failing or denying access, a
// missing secret, a binary secret, a SecretString that is not a JSON
// object when #KEY is given (or is one when it is not), a missing key, or
// a key whose value is an object or array.
func (r *Resolver) Resolve(ctx context.Context, value string) (string, error) {
	if !IsRef(value) {
		return value, nil
	}
	ref, err := ParseRef(value)
	if err != nil {
		return "", err
	}
	raw, err := r.fetch(ctx, ref)
	if err != nil {
		return "", err
	}
	out, err := pick(raw, ref)
	if err != nil {
		return "", err
	}
	r.redactor.Add(out)
	return out, nil
}

// ResolveAll resolves each *field in place; the first error stops it.
func (r *Resolver) ResolveAll(ctx context.Context, fields ...*string) error {
	for _, f := range fields {
		v, err := r.Resolve(ctx, *f)
		if err != nil {
			return err
		}
		*f = v
	}
	return nil
}

// connectionAttribute names the fields of an AWS database secret that
// describe where to connect, not how to authenticate.
var connectionAttribute = map[string]bool{
	"engine": true, "host": true, "port": true, "dbname": true,
	"dbInstanceIdentifier": true, "dbClusterIdentifier": true,
}

func (r *Resolver) fetch(ctx context.Context, ref Ref) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.cache[ref.Name]; ok {
		return v, nil
	}
	if r.client == nil {
		if r.newClient == nil {
			return "", fmt.Errorf("secrets: %s: no Secrets Manager client configured", ref)
		}
		c, err := r.newClient(ctx)
		if err != nil {
			return "", fmt.Errorf("secrets: %s: %w", ref, err)
		}
		r.client = c
	}
	out, err := r.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ref.Name)})
	if err != nil {
		return "", fmt.Errorf("secrets: read %s from AWS Secrets Manager: %w", ref, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("secrets: %s is a binary secret; cdw reads SecretString only", ref)
	}
	r.cache[ref.Name] = *out.SecretString
	r.redactor.Add(*out.SecretString)
	// Every field of a JSON secret is sensitive, not only the one asked
	// for: a password may turn up while the user name is being resolved.
	// Except the connection attributes AWS stores beside the credentials
	// in a database secret: masking an engine "postgres" or a host would
	// garble every line that names them (a field read by #KEY is still
	// masked, by Resolve).
	var fields map[string]any
	if json.Unmarshal([]byte(*out.SecretString), &fields) == nil {
		for k, v := range fields {
			if s, ok := v.(string); ok && !connectionAttribute[k] {
				r.redactor.Add(s)
			}
		}
	}
	return *out.SecretString, nil
}

// pick extracts ref.Key from a JSON SecretString, or returns it whole.
func pick(raw string, ref Ref) (string, error) {
	trimmed := strings.TrimSpace(raw)
	isObject := strings.HasPrefix(trimmed, "{")
	if ref.Key == "" {
		if isObject {
			return "", fmt.Errorf("secrets: %s holds a JSON object; name a field, e.g. %s#password", ref, ref)
		}
		return raw, nil
	}
	var fields map[string]json.RawMessage
	if !isObject || json.Unmarshal([]byte(trimmed), &fields) != nil {
		return "", fmt.Errorf("secrets: %s: the secret is not a JSON object, so it has no field %q; drop #%s to use it whole", ref, ref.Key, ref.Key)
	}
	v, ok := fields[ref.Key]
	if !ok {
		return "", fmt.Errorf("secrets: %s: the secret has no field %q (it has %s)", ref, ref.Key, keyList(fields))
	}
	t := strings.TrimSpace(string(v))
	if t == "null" {
		return "", errors.New("secrets: " + ref.String() + ": field is null")
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, nil
	}
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return "", fmt.Errorf("secrets: %s: field %q is an object or array, not a value", ref, ref.Key)
	}
	return t, nil // a number or boolean, as written
}

func keyList(m map[string]json.RawMessage) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return "no fields"
	}
	sortStrings(keys)
	return "fields " + strings.Join(keys, ", ")
}
