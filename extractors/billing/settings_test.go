package billing

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/internal/extract"
)

// settingsNode parses YAML text as the extractors.billing mapping.
func settingsNode(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

func TestDecodeSettingsReportsEveryProblemWithItsPosition(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "public_ulr: http://x\n", []string{`project.yml:1:1: extractors.billing.public_ulr: unknown key; did you mean "public_url"?`}},
		{"bad duration", "timeout: soon\n", []string{`project.yml:1:10: extractors.billing.timeout: expected a duration such as "30s" or "250ms", got string "soon"`}},
		{"unknown entity", "entities: [meterpoints, reedings]\n", []string{`project.yml:1:25: extractors.billing.entities[1]: unknown entity; did you mean "readings"?`}},
		{"billable without the tree", "entities: [billable_readings]\n", []string{"billable_readings needs meterpoints"}},
		{"two universes", "accounts:\n  range: 1-5\n  file: ids.txt\n", []string{"project.yml:2:3: extractors.billing.accounts: give one of query, file or range"}},
		{"bad range", "accounts: {range: 5-1}\n", []string{`project.yml:1:19: extractors.billing.accounts.range: "5-1" is not a range such as 1-50`}},
		{"negative concurrency and a zero limit", "concurrency: -1\nlimits: {local: 0}\n", []string{
			"project.yml:1:14: extractors.billing.concurrency: must be between 0 and 256",
			"project.yml:2:17: extractors.billing.limits.local: must be at least 1"}},
		{"URL with credentials", "public_url: https://u:pw@api.example\n", []string{"project.yml:1:13: extractors.billing.public_url: must not carry credentials"}},
		{"not http", "internal_url: ftp://x/api\n", []string{"extractors.billing.internal_url: must be an http(s) URL"}},
		{"land not s3", "land: /tmp/x\n", []string{"extractors.billing.land: must be an s3://bucket/prefix URL"}},
		{"path style not a boolean", "s3: {path_style: \"yes\"}\n", []string{`extractors.billing.s3.path_style: expected true or false, got string "yes"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeSettings(settingsNode(t, tc.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nlacks %q", err, w)
				}
			}
		})
	}
	s, err := DecodeSettings(settingsNode(t, "public_url: http://x\ntimeout: 250ms\nentities: [readings, meterpoints]\naccounts: {range: 1-3}\ns3: {path_style: \"true\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Timeout.Duration.String() != "250ms" || !slices.Equal(s.entities(), []string{EntityMeterPoints, EntityReadings}) || !bool(s.S3.PathStyle) {
		t.Fatalf("%+v", s)
	}
}

func TestParseAccounts(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  string
	}{
		{"1-5", "[1 2 3 4 5]", ""},
		{"7, 3,3 ,10-11", "[7 3 10 11]", ""},
		{"42", "[42]", ""},
		{"0", "", `"0" is not an account id`},
		{"a-b", "", `"a-b" is not an account id`},
		{"5-1", "", `"5-1" is not a range`},
		{"1-99999999", "", "more than 5000000 accounts"},
		{" , ", "", "no accounts"},
	}
	for _, tc := range tests {
		got, err := ParseAccounts(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseAccounts(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != tc.want {
			t.Errorf("ParseAccounts(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestUniverse(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ids.txt"), []byte("# live accounts\n30\n10\n\n20 # moved\n10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	query := func(ctx context.Context, sql string) ([][]any, error) {
		if sql != "select id from accounts" {
			return nil, fmt.Errorf("unexpected query %q", sql)
		}
		return [][]any{{int64(9)}, {"4"}, {float64(7)}, {int64(4)}}, nil
	}
	tests := []struct {
		name, yaml, units, target string
		want, summary             string
	}{
		{"explicit list wins and is not capped", "accounts: {range: 1-100}\nlimits: {local: 2}\n", "5,3,5", "local", "[5 3]", "2 accounts from --accounts"},
		{"range capped on a sample target", "accounts: {range: 1-100}\nlimits: {local: 2}\n", "", "local", "[1 2]", "100 accounts from extractors.billing.accounts.range, the first 2 on target local (extractors.billing.limits.local)"},
		{"range on production", "accounts: {range: 1-3}\nlimits: {local: 2}\n", "", "prod", "[1 2 3]", "3 accounts from extractors.billing.accounts.range"},
		{"file", "accounts: {file: ids.txt}\n", "", "prod", "[10 20 30]", "3 accounts from ids.txt"},
		{"query", "accounts: {query: select id from accounts}\n", "", "prod", "[4 7 9]", "3 accounts from extractors.billing.accounts.query"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := DecodeSettings(settingsNode(t, tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			ids, summary, err := universe(context.Background(), s, extract.PrepareRequest{Units: tc.units, Target: tc.target, Dir: dir, Query: query})
			if err != nil || fmt.Sprint(ids) != tc.want || summary != tc.summary {
				t.Fatalf("got %v %q %v; want %s %q", ids, summary, err, tc.want, tc.summary)
			}
		})
	}
	s, _ := DecodeSettings(nil)
	if _, _, err := universe(context.Background(), s, extract.PrepareRequest{}); !extract.IsInvalid(err) || !strings.Contains(err.Error(), "pass --accounts") {
		t.Fatalf("no universe: %v", err)
	}
	s, _ = DecodeSettings(settingsNode(t, "accounts: {file: missing.txt}\n"))
	if _, _, err := universe(context.Background(), s, extract.PrepareRequest{Dir: dir}); !extract.IsInvalid(err) || !strings.Contains(err.Error(), "project.yml:1:11: extractors.billing.accounts.file") {
		t.Fatalf("missing file: %v", err)
	}
}

// The streams are the migration's tables, column for column.
func TestStreamsMatchTheMigration(t *testing.T) {
	for _, s := range streams() {
		got := s.Columns
		want := extracttest.MigrationColumns(t, "00005_raw_billing.sql", s.Table)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n stream    %v\n migration %v", s.Table, got, want)
		}
	}
	tables := map[string]bool{}
	for _, ts := range entityTables {
		for _, tb := range ts {
			tables[tb] = true
		}
	}
	if len(tables) != len(streams())-1 {
		t.Errorf("entities fill %d tables, streams declare %d besides the responses", len(tables), len(streams())-1)
	}
}

// The CLI masks what a plan says are its secrets.
func TestPlanNamesItsSecrets(t *testing.T) {
	p, err := New().Prepare(context.Background(), extract.PrepareRequest{Units: "1",
		Settings: settingsNode(t, "public_url: http://x\ninternal_url: http://x/api\ntoken: tok-123\nusername: u\npassword: pw-456\n")})
	if err != nil {
		t.Fatal(err)
	}
	sh, ok := p.(interface{ Secrets() []string })
	if !ok || !slices.Contains(sh.Secrets(), "tok-123") || !slices.Contains(sh.Secrets(), "pw-456") {
		t.Fatalf("secrets not named: %T", p)
	}
}
