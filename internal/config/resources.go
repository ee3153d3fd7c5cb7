package config

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Default folders of seeds (CSV files) and snapshots. Their properties
// YAML files are read like those under the models folder.
const (
	DefaultSeedsPath     = "seeds"
	DefaultSnapshotsPath = "snapshots"
)

// SeedDecl is one `seeds:` entry: the properties of the CSV file
// <seeds folder>/<Name>.csv. Whether that file exists is checked by the
// caller.
type SeedDecl struct {
	Name        string
	Description string
	Config      SeedConfig
	Columns     []ColumnDecl
	// Tests are the seed-level tests; column tests are in Columns.
	Tests []TestDecl
	Pos   yamlx.Pos
}

// AllTests returns the seed-level tests followed by each column's tests.
func (s SeedDecl) AllTests() []TestDecl { return allTests(s.Tests, s.Columns) }

// SeedConfig is a seed's `config:`.
type SeedConfig struct {
	// Schema is the custom schema ("" = the target's schema).
	Schema  string
	Tags    []string
	Enabled *bool
	// ColumnTypes maps a CSV column to the SQL type it is loaded as;
	// columns not named are text. Never nil after loading.
	ColumnTypes map[string]string
	// Delimiter is the field separator, one character ("" = ",").
	Delimiter string
	// QuoteColumns is dbt's quote_columns: false makes the table's column
	// names unquoted identifiers, so the engine folds them (PostgreSQL
	// lower-cases them); nil or true keeps the header's names exactly.
	QuoteColumns *bool
	Pos          yamlx.Pos
}

// Snapshot strategies and hard-delete policies.
const (
	SnapshotTimestamp = "timestamp"
	SnapshotCheck     = "check"

	HardDeletesIgnore     = "ignore"
	HardDeletesInvalidate = "invalidate"
	HardDeletesNewRecord  = "new_record"
)

var (
	snapshotStrategies = []string{SnapshotTimestamp, SnapshotCheck}
	hardDeletes        = []string{HardDeletesIgnore, HardDeletesInvalidate, HardDeletesNewRecord}
)

// SnapshotDecl is one `snapshots:` entry (dbt 1.9's YAML form): a type-2
// slowly changing history of Relation.
type SnapshotDecl struct {
	Name        string
	Description string
	// Relation is what is snapshotted, as written: "ref('x')" or
	// "source('a', 'b')" (resolved by the caller).
	Relation    string
	RelationPos yamlx.Pos
	Config      SnapshotConfig
	Columns     []ColumnDecl
	Tests       []TestDecl
	Pos         yamlx.Pos
}

// AllTests returns the snapshot-level tests followed by each column's tests.
func (s SnapshotDecl) AllTests() []TestDecl { return allTests(s.Tests, s.Columns) }

// SnapshotConfig is a snapshot's `config:`, validated: Strategy and
// UniqueKey are set; UpdatedAt is set exactly for the timestamp strategy;
// CheckCols or CheckAll exactly for check.
type SnapshotConfig struct {
	Schema  string
	Tags    []string
	Enabled *bool
	// Strategy is "timestamp" or "check".
	Strategy string
	// UniqueKey is one or more columns identifying a row of the relation.
	UniqueKey []string
	// UpdatedAt is the column whose increase marks a change (timestamp).
	UpdatedAt string
	// CheckCols are the columns compared for changes (check), or CheckAll
	// for every column.
	CheckCols []string
	CheckAll  bool
	// HardDeletes is ignore (the default), invalidate or new_record.
	HardDeletes string
	Pos         yamlx.Pos
}

// seedFile is the raw shape of a `seeds:` entry.
type seedFile struct {
	Name        string         `yaml:"name" yamlx:"required"`
	Description string         `yaml:"description"`
	Config      seedConfigFile `yaml:"config"`
	Columns     []columnFile   `yaml:"columns"`
	testKeys    `yaml:",inline"`
	Pos         yamlx.Pos
}

type seedConfigFile struct {
	Schema       string            `yaml:"schema"`
	Tags         stringList        `yaml:"tags"`
	Enabled      *bool             `yaml:"enabled"`
	ColumnTypes  map[string]string `yaml:"column_types"`
	Delimiter    string            `yaml:"delimiter"`
	QuoteColumns *bool             `yaml:"quote_columns"`
	Pos          yamlx.Pos
}

// snapshotFile is the raw shape of a `snapshots:` entry.
type snapshotFile struct {
	Name        string             `yaml:"name" yamlx:"required"`
	Description string             `yaml:"description"`
	Relation    yaml.Node          `yaml:"relation" yamlx:"required"`
	Config      snapshotConfigFile `yaml:"config"`
	Columns     []columnFile       `yaml:"columns"`
	testKeys    `yaml:",inline"`
	Pos         yamlx.Pos
}

type snapshotConfigFile struct {
	Schema      string     `yaml:"schema"`
	Tags        stringList `yaml:"tags"`
	Enabled     *bool      `yaml:"enabled"`
	Strategy    yaml.Node  `yaml:"strategy"`
	UniqueKey   stringList `yaml:"unique_key"`
	UpdatedAt   string     `yaml:"updated_at"`
	CheckCols   stringList `yaml:"check_cols"`
	HardDeletes yaml.Node  `yaml:"hard_deletes"`
	Pos         yamlx.Pos
}

// stringList decodes a string or a list of strings.
type stringList struct {
	list []string
	set  bool
}

// UnmarshalYAMLX implements yamlx.Unmarshaler.
func (l *stringList) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, field string) {
	if yamlx.IsNull(n) {
		return
	}
	l.set = true
	switch n.Kind {
	case yaml.ScalarNode:
		l.list = []string{n.Value}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			item = d.Resolve(item)
			if item == nil || item.Kind != yaml.ScalarNode || yamlx.IsNull(item) {
				if item != nil {
					d.TypeError(item, yamlx.Elem(field, i), "a string")
				}
				continue
			}
			l.list = append(l.list, item.Value)
		}
	default:
		d.TypeError(n, field, "a string or a list of strings")
	}
}

// addSeed validates one `seeds:` entry.
func (pl *propsLoader) addSeed(field string, s seedFile) {
	if prev, dup := pl.seeds[s.Name]; dup && s.Name != "" {
		pl.diags.Addf(s.Pos, "%s: seed %q is already declared at %s", field, s.Name, prev)
		return
	}
	pl.seeds[s.Name] = s.Pos
	cfg := SeedConfig{Schema: s.Config.Schema, Tags: s.Config.Tags.list, Enabled: s.Config.Enabled,
		ColumnTypes: map[string]string{}, Delimiter: s.Config.Delimiter, QuoteColumns: s.Config.QuoteColumns, Pos: s.Config.Pos}
	cf := yamlx.Field(field, "config")
	for col, typ := range s.Config.ColumnTypes {
		if strings.TrimSpace(typ) == "" {
			pl.diags.Addf(s.Config.Pos, "%s: column %q has an empty type", yamlx.Field(cf, "column_types"), col)
			continue
		}
		cfg.ColumnTypes[col] = typ
	}
	if d := s.Config.Delimiter; d != "" && (len([]rune(d)) != 1 || d == "\"" || d == "\n" || d == "\r") {
		pl.diags.Addf(s.Config.Pos, "%s: must be one character other than a quote or a line break, got %q", yamlx.Field(cf, "delimiter"), d)
	}
	decl := SeedDecl{Name: s.Name, Description: s.Description, Config: cfg, Pos: s.Pos}
	decl.Columns, decl.Tests = pl.columnsAndTests(field, s.Columns, s.testKeys)
	pl.props.Seeds = append(pl.props.Seeds, decl)
}

// addSnapshot adds one `snapshots:` entry, decoded by snapshotDecl.
func (pl *propsLoader) addSnapshot(field string, s snapshotFile, decl SnapshotDecl) {
	if prev, dup := pl.snapshots[s.Name]; dup && s.Name != "" {
		pl.diags.Addf(s.Pos, "%s: snapshot %q is already declared at %s", field, s.Name, prev)
		return
	}
	pl.snapshots[s.Name] = s.Pos
	decl.Columns, decl.Tests = pl.columnsAndTests(field, s.Columns, s.testKeys)
	pl.props.Snapshots = append(pl.props.Snapshots, decl)
}

// snapshotDecl validates one `snapshots:` entry of a file being decoded
// (problems go to d).
func snapshotDecl(d *yamlx.Decoder, field string, s snapshotFile) SnapshotDecl {
	decl := SnapshotDecl{Name: s.Name, Description: s.Description, Pos: s.Pos}
	if r := &s.Relation; r.Kind == yaml.ScalarNode && !yamlx.IsNull(r) {
		decl.Relation, decl.RelationPos = r.Value, d.Pos(r)
	} else if r.Kind != 0 && !yamlx.IsNull(r) {
		d.TypeError(r, yamlx.Field(field, "relation"), "ref('model') or source('source', 'table')")
	}
	cf := yamlx.Field(field, "config")
	c := s.Config
	cfg := SnapshotConfig{Schema: c.Schema, Tags: c.Tags.list, Enabled: c.Enabled, UniqueKey: c.UniqueKey.list,
		UpdatedAt: c.UpdatedAt, HardDeletes: HardDeletesIgnore, Pos: c.Pos}
	cfg.Strategy = oneOfNode(d, &c.Strategy, yamlx.Field(cf, "strategy"), "strategy", snapshotStrategies)
	if hd := oneOfNode(d, &c.HardDeletes, yamlx.Field(cf, "hard_deletes"), "hard_deletes", hardDeletes); hd != "" {
		cfg.HardDeletes = hd
	}
	if c.CheckCols.set {
		if len(c.CheckCols.list) == 1 && c.CheckCols.list[0] == "all" {
			cfg.CheckAll = true
		} else {
			cfg.CheckCols = c.CheckCols.list
		}
	}
	at := c.Pos
	if at.IsZero() {
		at = s.Pos
	}
	report := func(format string, args ...any) {
		d.Report(&yaml.Node{Line: at.Line, Column: at.Col}, cf, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Strategy.Kind == 0 || yamlx.IsNull(&c.Strategy):
		report("snapshot %q needs a strategy: timestamp (with updated_at) or check (with check_cols)", s.Name)
	case cfg.Strategy == SnapshotTimestamp:
		if cfg.UpdatedAt == "" {
			report("strategy timestamp needs updated_at: the column whose increase marks a change")
		}
		if c.CheckCols.set {
			report("check_cols is for strategy check; strategy timestamp compares updated_at")
		}
	case cfg.Strategy == SnapshotCheck:
		if !c.CheckCols.set || (len(cfg.CheckCols) == 0 && !cfg.CheckAll) {
			report("strategy check needs check_cols: a list of columns, or all")
		}
		if cfg.UpdatedAt != "" {
			report("updated_at is for strategy timestamp; strategy check compares check_cols")
		}
	}
	if len(cfg.UniqueKey) == 0 {
		report("snapshot %q needs a unique_key: the column(s) identifying a row", s.Name)
	}
	decl.Config = cfg
	return decl
}

// oneOfNode reads an optional scalar that must be one of valid ("" when
// unset or wrong; wrong values are reported).
func oneOfNode(d *yamlx.Decoder, n *yaml.Node, field, what string, valid []string) string {
	if n.Kind == 0 || yamlx.IsNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.TypeError(n, field, "one of "+strings.Join(valid, ", "))
		return ""
	}
	if !slices.Contains(valid, n.Value) {
		d.Report(n, field, unknownValue(what, n.Value, valid))
		return ""
	}
	return n.Value
}

// unknownValue words a value outside valid: `unknown period "week"
// (expected one of: minute, hour, day)`, with a suggestion for near misses.
func unknownValue(what, value string, valid []string) string {
	return strings.Replace(yamlx.UnknownMessage(what, value, valid), "unknown "+what, fmt.Sprintf("unknown %s %q", what, value), 1)
}
