package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeSecretsManager speaks the Secrets Manager JSON 1.1 protocol for
// GetSecretValue over the given secrets (name → SecretString; a value of
// "<binary>" is returned as SecretBinary). It counts the calls.
func fakeSecretsManager(t *testing.T, secrets map[string]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || !strings.Contains(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"InvalidRequestException","message":"unexpected request"}`)
			return
		}
		var in struct{ SecretId string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(400)
			return
		}
		v, ok := secrets[in.SecretId]
		if !ok {
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`)
			return
		}
		out := map[string]any{"ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + in.SecretId, "Name": in.SecretId, "VersionId": "v1"}
		if v == "<binary>" {
			out["SecretBinary"] = "AAEC"
		} else {
			out["SecretString"] = v
		}
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func awsEnv(endpoint string) func(string) (string, bool) {
	m := map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-real-key",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestResolveAgainstSecretsManagerEndpoint(t *testing.T) {
	srv, calls := fakeSecretsManager(t, map[string]string{
		"cdw/prod/redshift": `{"username":"cdw_loader","password":"Pa55/w:rd@x","port":5439,"ssl":true,"nested":{"a":1},"nothing":null}`,
		"cdw/plain":         "just-a-token-value",
		"cdw/bin":           "<binary>",
	})
	red := NewRedactor()
	r := NewResolver(NewAWSClient(awsEnv(srv.URL)), red)
	ctx := context.Background()

	for _, tc := range []struct{ in, want, err string }{
		{"not a reference", "not a reference", ""},
		{"secret://cdw/prod/redshift#password", "Pa55/w:rd@x", ""},
		{"secret://cdw/prod/redshift#username", "cdw_loader", ""},
		{"secret://cdw/prod/redshift#port", "5439", ""},
		{"secret://cdw/prod/redshift#ssl", "true", ""},
		{"secret://cdw/plain", "just-a-token-value", ""},
		{"secret://cdw/prod/redshift", "", "holds a JSON object; name a field, e.g. secret://cdw/prod/redshift#password"},
		{"secret://cdw/prod/redshift#pasword", "", `has no field "pasword" (it has fields nested, nothing, password, port, ssl, username)`},
		{"secret://cdw/prod/redshift#nested", "", `field "nested" is an object or array`},
		{"secret://cdw/prod/redshift#nothing", "", "field is null"},
		{"secret://cdw/plain#password", "", "is not a JSON object, so it has no field"},
		{"secret://cdw/bin", "", "is a binary secret"},
		{"secret://cdw/missing#x", "", "read secret://cdw/missing#x from AWS Secrets Manager"},
		{"secret://#x", "", "names no secret"},
		{"secret://a#", "", "empty key"},
	} {
		got, err := r.Resolve(ctx, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Resolve(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "Pa55") {
				t.Errorf("error leaks the secret: %v", err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	// cdw/prod/redshift was fetched once despite several references; the
	// missing one was asked for once.
	if n := calls.Load(); n != 4 {
		t.Errorf("%d calls to Secrets Manager, want 4 (one per distinct secret)", n)
	}
	// Resolving the user name registered the password too.
	if got := red.Redact("password=Pa55/w:rd@x url=postgres://u:Pa55%2Fw%3Ard%40x@h/db"); strings.Contains(got, "Pa55") {
		t.Errorf("resolved secret not redacted: %s", got)
	}

	user, pass := "secret://cdw/prod/redshift#username", "secret://cdw/prod/redshift#password"
	if err := r.ResolveAll(ctx, &user, &pass); err != nil || user != "cdw_loader" || pass != "Pa55/w:rd@x" {
		t.Fatalf("ResolveAll = %q %q %v", user, pass, err)
	}
}

func TestResolverClientErrors(t *testing.T) {
	ctx := context.Background()
	r := NewResolver(func(context.Context) (Client, error) { return nil, errors.New("no credentials") }, nil)
	if v, err := r.Resolve(ctx, "plain"); v != "plain" || err != nil {
		t.Fatalf("non-reference must not create a client: %q %v", v, err)
	}
	if _, err := r.Resolve(ctx, "secret://x#y"); err == nil || !strings.Contains(err.Error(), "secret://x#y: no credentials") {
		t.Fatalf("client creation error: %v", err)
	}
	if _, err := NewResolver(nil, nil).Resolve(ctx, "secret://x"); err == nil || !strings.Contains(err.Error(), "no Secrets Manager client") {
		t.Fatalf("nil constructor: %v", err)
	}
}

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Ref
		err  bool
	}{
		{"secret://cdw/prod#password", Ref{Name: "cdw/prod", Key: "password"}, false},
		{"secret://arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdw/prod-AbCdEf#user", Ref{Name: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdw/prod-AbCdEf", Key: "user"}, false},
		{"secret://token", Ref{Name: "token"}, false},
		{"secret://", Ref{}, true},
		{"secret://a b#c", Ref{}, true},
		{"https://x", Ref{}, true},
	} {
		got, err := ParseRef(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseRef(%q) = %+v, %v", tc.in, got, err)
		}
		if !tc.err && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestRedactor(t *testing.T) {
	r := NewRedactor()
	r.Add("hunter2-secret", "abc", "", "p@ss word")
	for in, want := range map[string]string{
		"pw=hunter2-secret!":                    "pw=xxxxx!",
		"abc is too short to redact":            "abc is too short to redact",
		"postgres://u:p%40ss%20word@h/db":       "postgres://u:xxxxx@h/db",
		"q?password=p%40ss+word":                "q?password=xxxxx",
		"two hunter2-secret and hunter2-secret": "two xxxxx and xxxxx",
		"nothing here":                          "nothing here",
	} {
		if got := r.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	err := r.Error(errors.New("connect as hunter2-secret failed"))
	if err.Error() != "connect as xxxxx failed" {
		t.Errorf("Error() = %q", err)
	}
	plain := errors.New("plain")
	if r.Error(plain) != plain || r.Error(nil) != nil {
		t.Error("errors without secrets pass through unchanged")
	}
	var nilR *Redactor
	nilR.Add("whatever")
	if nilR.Redact("whatever") != "whatever" {
		t.Error("nil redactor")
	}
}

func TestRedactingWriterCatchesSecretsSplitAcrossWrites(t *testing.T) {
	r := NewRedactor()
	r.Add("hunter2-secret")
	var out bytes.Buffer
	w := r.Writer(&out)
	text := "line one\nthe password is hunter2-secret, and hunter2 alone is fine; hunter"
	// Write it one byte at a time: every split point is exercised.
	for i := 0; i < len(text); i++ {
		if n, err := w.Write([]byte{text[i]}); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if strings.Contains(out.String(), "hunter2-secret") {
		t.Fatalf("secret leaked before Flush: %q", out.String())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "line one\nthe password is xxxxx, and hunter2 alone is fine; hunter"
	if out.String() != want {
		t.Fatalf("got  %q\nwant %q", out.String(), want)
	}
	// Without secrets the writer passes everything straight through.
	var plain bytes.Buffer
	pw := NewRedactor().Writer(&plain)
	pw.Write([]byte("abc"))
	if plain.String() != "abc" {
		t.Fatalf("pass-through: %q", plain.String())
	}
}

func TestResolvingOneFieldRedactsEveryField(t *testing.T) {
	srv, _ := fakeSecretsManager(t, map[string]string{"db": `{"username":"cdw_loader","password":"never-printed-pw","port":5439}`})
	red := NewRedactor()
	r := NewResolver(NewAWSClient(awsEnv(srv.URL)), red)
	if v, err := r.Resolve(context.Background(), "secret://db#username"); err != nil || v != "cdw_loader" {
		t.Fatalf("Resolve = %q, %v", v, err)
	}
	if got := red.Redact("auth failed for never-printed-pw"); got != "auth failed for xxxxx" {
		t.Fatalf("Redact = %q", got)
	}
}

// An AWS database secret's connection attributes (engine, host, dbname)
// are not masked unless read: masking "postgres" would garble every line
// that names the engine. Its credentials are.
func TestConnectionAttributesOfADatabaseSecretStayReadable(t *testing.T) {
	srv, _ := fakeSecretsManager(t, map[string]string{"rds": `{"engine":"postgres","host":"db.internal.example","port":5432,"dbname":"warehouse","username":"cdw_app","password":"s3cret-pw-91"}`})
	red := NewRedactor()
	r := NewResolver(NewAWSClient(awsEnv(srv.URL)), red)
	if _, err := r.Resolve(context.Background(), "secret://rds#password"); err != nil {
		t.Fatal(err)
	}
	in := "connection: OK (postgres) to db.internal.example/warehouse as cdw_app with s3cret-pw-91"
	want := "connection: OK (postgres) to db.internal.example/warehouse as xxxxx with xxxxx"
	if got := red.Redact(in); got != want {
		t.Fatalf("Redact =\n %q\nwant\n %q", got, want)
	}
}
