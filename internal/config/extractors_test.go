package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestExtractorSettingsAreExpandedLazily(t *testing.T) {
	fsys := fstest.MapFS{"project.yml": {Data: []byte(`name: p
extractors:
  billing:
    base_url: "${BILLING_URL:-http://127.0.0.1:8089}"
    token: "${BILLING_TOKEN}"
  other:
    x: 1
targets:
  local: {type: duckdb}
`)}}
	env := map[string]string{}
	p, err := Load(fsys, LoadOptions{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatalf("Load must not need BILLING_TOKEN: %v", err)
	}
	if got := strings.Join(p.ExtractorNames(), ","); got != "billing,other" {
		t.Fatalf("ExtractorNames = %s", got)
	}
	if _, err := p.Extractor("billing"); err == nil || !strings.Contains(err.Error(), "project.yml:5:12: extractors.billing.token: environment variable BILLING_TOKEN is not set") {
		t.Fatalf("Extractor without the variable: %v", err)
	}
	env["BILLING_TOKEN"] = "s3cret"
	n, err := p.Extractor("billing")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		BaseURL string `yaml:"base_url"`
		Token   string `yaml:"token"`
	}
	if err := n.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.BaseURL != "http://127.0.0.1:8089" || got.Token != "s3cret" {
		t.Fatalf("decoded %+v", got)
	}
	if n, err := p.Extractor("absent"); n != nil || err != nil {
		t.Fatalf("absent extractor: %v %v", n, err)
	}
}

func TestExtractorsMustBeMappings(t *testing.T) {
	fsys := fstest.MapFS{"project.yml": {Data: []byte("name: p\nextractors:\n  billing: 3\n")}}
	_, err := Load(fsys, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "project.yml:3:12: extractors.billing: expected a mapping of settings") {
		t.Fatalf("err = %v", err)
	}
}
