package config

import (
	"reflect"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	env := envOf("HOST", "db.internal", "EMPTY", "", "PORT", "6543")
	tests := []struct {
		in        string
		keepJinja bool
		want      string
		problems  []string
	}{
		{in: "plain text", want: "plain text"},
		{in: "${HOST}", want: "db.internal"},
		{in: "postgres://${HOST}:${PORT}/cdw", want: "postgres://db.internal:6543/cdw"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${EMPTY}", want: ""},
		{in: "${MISSING:-}", want: ""},
		{in: "cost: $$${HOST} and $${HOST}", want: "cost: $${HOST} and ${HOST}"},
		{in: "{{ env_var('HOST') }}", want: "db.internal"},
		{in: `{{env_var("HOST")}}`, want: "db.internal"},
		{in: "{{ env_var('MISSING', 'dflt') }}", want: "dflt"},
		{in: "{{ env_var('EMPTY', 'dflt') }}", want: ""},
		{in: "{{ env_var('MISSING', 5432) }}", want: "5432"},
		{in: "{{ env_var('MISSING', '') }}", want: ""},
		{in: "{{ env_var('PORT') | int }}", want: "6543"},
		{in: "{{ var('x') }} ${HOST}", keepJinja: true, want: "{{ var('x') }} db.internal"},
		{in: "{{ var('x') }}", problems: []string{`unsupported template "{{ var('x') }}"; only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }} are expanded here`}},
		{in: "{{ env_var('HOST') | lower }}", keepJinja: true, problems: []string{`unsupported template "{{ env_var('HOST') | lower }}"; only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }} are expanded here`}},
		{in: "${MISSING}", problems: []string{"environment variable MISSING is not set"}},
		{in: "${A} and {{ env_var('B') }}", problems: []string{"environment variable A is not set", "environment variable B is not set"}},
		{in: "${HOST", problems: []string{`unterminated "${HOST" (use $${ for a literal ${)`}},
		{in: "${1BAD}", problems: []string{`invalid variable reference "${1BAD}"; use ${NAME} or ${NAME:-default}`}},
		{in: "${HOST-x}", problems: []string{`invalid variable reference "${HOST-x}"; use ${NAME} or ${NAME:-default}`}},
	}
	for _, tt := range tests {
		got, problems := expandEnv(tt.in, env, tt.keepJinja)
		if !reflect.DeepEqual(problems, tt.problems) {
			t.Errorf("expandEnv(%q) problems = %q, want %q", tt.in, problems, tt.problems)
			continue
		}
		if tt.problems == nil && got != tt.want {
			t.Errorf("expandEnv(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:pw@h:5432/db", "postgres://u:xxxxx@h:5432/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://h/db?password=pw&sslmode=disable", "postgres://h/db?password=xxxxx&sslmode=disable"},
		{"host=h user=u password=pw dbname=d", "host=h user=u password=xxxxx dbname=d"},
		{"host=h password='p w' dbname=d", "host=h password=xxxxx dbname=d"},
		{"postgres://u:p%zz@h/db", "xxxxx (unparsable URL hidden)"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
