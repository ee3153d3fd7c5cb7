// Package unittest runs a project's unit tests (dbt 1.8's unit_tests) on
// an embedded, in-memory DuckDB: each given input becomes a small table,
// the model is rendered reading those tables (ephemeral models it reads
// become views, unless they are given themselves), and its output is
// compared with the expected rows as multisets on the expected columns.
// Nothing touches the target warehouse, except optionally to learn the
// column types of the real inputs.
//
// Columns of a given input, most trusted first: the relation's columns in
// the target warehouse (Options.Columns), when it can be asked and the
// relation is built; else its "shape" worked out locally — a seed's CSV
// header and YAML types, a source's YAML data_types, a model's output
// when its SQL runs over empty inputs shaped the same way (recursively).
// With a known shape the input has every column (those the rows leave out
// are NULL), so `select *` sees the real shape, and a given column outside
// it is an error; a data_type declared in YAML overrides a column's type.
// When no shape is known, the input has the declared columns plus those
// given, typed from the values (whole numbers bigint, other numbers
// double, true/false boolean, unquoted YAML dates date and timestamps
// timestamp, anything else varchar). Expected rows are typed as the
// model's output is.
//
// The model renders with target.type "duckdb" (the engine it runs on)
// and the real target's name and schema.
package unittest

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
)

// Options are the run-time inputs of a unit test.
type Options struct {
	// Columns, if set, lists the columns of a relation in the target
	// warehouse; an error (the relation is not there, no connection)
	// means "unknown" and is not fatal.
	Columns func(ctx context.Context, rel warehouse.Relation) ([]warehouse.Column, error)
	// RunStartedAt and InvocationID are what run_started_at and
	// invocation_id render as.
	RunStartedAt time.Time
	InvocationID string
}

// Result is the outcome of one unit test.
type Result struct {
	// Passed is true when the output equals the expected rows.
	Passed bool
	// Missing counts expected rows the model did not return; Unexpected
	// counts rows it returned that were not expected.
	Missing, Unexpected int64
	// Diff lists some differing rows: a first column "diff" holding "-"
	// (expected, missing) or "+" (returned, unexpected), then the
	// compared columns. Nil when Passed.
	Diff *warehouse.Result
	// SQL is the model as rendered for the test.
	SQL string
}

// Message describes a failed result in one line.
func (r Result) Message() string {
	if r.Passed {
		return "pass"
	}
	return fmt.Sprintf("%d expected row(s) missing, %d unexpected row(s)", r.Missing, r.Unexpected)
}

// maxDiffRows is how many differing rows Diff keeps.
const maxDiffRows = 20

// Run runs the unit test id of p on a fresh in-memory DuckDB. The error
// is for a test that could not run (bad rows, the model's SQL failing on
// DuckDB, an expected column the model does not return); a failing
// comparison is a Result with Passed false.
func Run(ctx context.Context, p *project.Project, id string, opts Options) (Result, error) {
	n, ok := p.Nodes[id]
	if !ok || n.UnitTest == nil {
		return Result{}, fmt.Errorf("unittest: no unit test %s", id)
	}
	a, err := duckdb.Open(ctx, duckdb.Options{})
	if err != nil {
		return Result{}, fmt.Errorf("unit test %s: open DuckDB: %w", n.Name, err)
	}
	defer a.Close()
	r := &runner{ctx: ctx, p: p, ut: n.UnitTest, model: p.Nodes[n.UnitTest.Model], a: a, opts: opts,
		given: map[string]string{}, views: map[string]string{}, rendering: map[string]bool{},
		shapes: map[string]shape{}}
	res, err := r.run()
	if err != nil {
		return res, fmt.Errorf("unit test %s of %s: %w", n.Name, r.model.Name, err)
	}
	return res, nil
}

type runner struct {
	ctx   context.Context
	p     *project.Project
	ut    *project.UnitTest
	model *project.Node
	a     warehouse.Adapter
	opts  Options
	// given maps a node id ("this" for the model's own table) to the
	// quoted table holding its rows; views maps an ephemeral model's id
	// to the view standing for it.
	given     map[string]string
	views     map[string]string
	rendering map[string]bool
	// shapes memoizes the columns of inputs (see shape).
	shapes map[string]shape
}

func (r *runner) run() (Result, error) {
	for _, in := range r.ut.Given {
		key, node := in.Node, r.p.Nodes[in.Node]
		if in.This {
			key, node = "this", r.model
		}
		table := "given__" + safeName(key)
		if err := r.load(table, node, in.Rows); err != nil {
			what := "this"
			if !in.This {
				what = describe(node)
			}
			return Result{}, fmt.Errorf("given %s: %w", what, err)
		}
		r.given[key] = r.a.Dialect().QuoteIdent(table)
	}
	sql, err := r.render(r.model)
	if err != nil {
		return Result{}, err
	}
	res := Result{SQL: sql}
	q := r.a.Dialect().QuoteIdent
	if err := r.a.Exec(r.ctx, "create table "+q("actual")+" as\n"+sql); err != nil {
		return res, fmt.Errorf("the model's SQL fails on DuckDB: %w", err)
	}
	actualCols, err := r.a.Columns(r.ctx, warehouse.Relation{Name: "actual"})
	if err != nil {
		return res, err
	}
	cols, err := r.expected(actualCols)
	if err != nil {
		return res, err
	}
	return r.compare(res, cols)
}

// render renders a model reading the given tables.
func (r *runner) render(n *project.Node) (string, error) { return r.renderAs(n, false) }

// renderAs renders n; with shaping, ref() and source() read empty tables
// of each input's shape instead of the given rows (see shape).
func (r *runner) renderAs(n *project.Node, shaping bool) (string, error) {
	vars := map[string]any{}
	for k, v := range r.p.Vars {
		vars[k] = v
	}
	for k, v := range r.ut.Vars {
		vars[k] = v
	}
	env := func(k string) (string, bool) {
		if v, ok := r.ut.EnvVars[k]; ok {
			return v, true
		}
		if r.p.Env != nil {
			return r.p.Env(k)
		}
		return "", false
	}
	ctx := template.Context{
		Vars: vars, Env: env,
		Target:       template.Target{Name: r.p.Target.Name, Type: config.TypeDuckDB, Schema: r.p.Target.Schema, Threads: r.p.Target.Threads},
		Resolver:     resolver{r: r, shaping: shaping},
		RunStartedAt: r.opts.RunStartedAt, InvocationID: r.opts.InvocationID,
	}
	if n == r.model && !shaping {
		if r.ut.IsIncremental != nil {
			ctx.IsIncremental = *r.ut.IsIncremental
		}
		this := r.given["this"]
		if this == "" {
			this = r.a.Dialect().QuoteIdent("this__" + safeName(n.Name)) // not given: never read unless is_incremental
		}
		ctx.This = template.Relation{Name: n.Name, Quoted: this}
	}
	out, err := n.Template.Render(ctx)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out.SQL), nil
}

// resolver points ref() and source() at given tables and ephemeral views,
// or, shaping, at empty tables shaped like each input.
type resolver struct {
	r       *runner
	shaping bool
}

func (res resolver) Ref(name string) (template.Relation, error) {
	n, ok := res.r.p.Model(name)
	if !ok {
		return template.Relation{}, fmt.Errorf("ref(%q): no model named %q", name, name)
	}
	if res.shaping {
		return res.r.shapeRelation(n)
	}
	return res.r.relation(n)
}

func (res resolver) Source(src, tbl string) (template.Relation, error) {
	n, ok := res.r.p.Nodes["source."+src+"."+tbl]
	if !ok {
		return template.Relation{}, fmt.Errorf("source(%q, %q): no such source table", src, tbl)
	}
	if res.shaping {
		return res.r.shapeRelation(n)
	}
	return res.r.relation(n)
}

func (r *runner) relation(n *project.Node) (template.Relation, error) {
	if q, ok := r.given[n.ID]; ok {
		return template.Relation{Name: n.Name, Quoted: q}, nil
	}
	if n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
		if q, ok := r.views[n.ID]; ok {
			return template.Relation{Name: n.Name, Quoted: q}, nil
		}
		if r.rendering[n.ID] {
			return template.Relation{}, fmt.Errorf("ephemeral model %s reads itself", n.Name)
		}
		r.rendering[n.ID] = true
		sql, err := r.render(n)
		if err != nil {
			return template.Relation{}, err
		}
		q := r.a.Dialect().QuoteIdent("ephemeral__" + safeName(n.Name))
		if err := r.a.Exec(r.ctx, "create view "+q+" as\n"+sql); err != nil {
			return template.Relation{}, fmt.Errorf("ephemeral model %s fails on DuckDB: %w", n.Name, err)
		}
		r.views[n.ID] = q
		return template.Relation{Name: n.Name, Quoted: q}, nil
	}
	return template.Relation{}, fmt.Errorf("%s is read but not given: add it under given:", describe(n))
}

// load creates table from rows standing for node.
func (r *runner) load(table string, node *project.Node, rows project.Rows) error {
	d := r.a.Dialect()
	if rows.Format == config.RowsSQL {
		// With a known shape the rows may leave columns out, as dict and
		// csv rows may: they are matched by name, the rest are NULL.
		if cols, err := r.inputColumns(node, project.Rows{}); err == nil && len(cols) > 0 {
			if err := r.a.Exec(r.ctx, ddl.CreateTable(mustStatements(r.a), warehouse.Relation{Name: table}, cols, false)); err != nil {
				return fmt.Errorf("create input table: %w", err)
			}
			if err := r.a.Exec(r.ctx, "insert into "+d.QuoteIdent(table)+" by name\n"+rows.SQL); err != nil {
				return fmt.Errorf("sql rows fail on DuckDB (or name a column %s does not have): %w", describe(node), err)
			}
			return nil
		}
		if err := r.a.Exec(r.ctx, "create table "+d.QuoteIdent(table)+" as\n"+rows.SQL); err != nil {
			return fmt.Errorf("sql rows fail on DuckDB: %w", err)
		}
		return nil
	}
	cols, err := r.inputColumns(node, rows)
	if err != nil {
		return err
	}
	if err := r.a.Exec(r.ctx, ddl.CreateTable(mustStatements(r.a), warehouse.Relation{Name: table}, cols, false)); err != nil {
		return fmt.Errorf("create input table: %w", err)
	}
	return r.insert(table, cols, rows)
}

// inputColumns decides the columns and types of an input (see the
// package comment).
func (r *runner) inputColumns(node *project.Node, rows project.Rows) ([]ddl.Column, error) {
	declared := map[string]string{}
	var declaredOrder []string
	for _, c := range node.Columns {
		if c.DataType != "" {
			declared[strings.ToLower(c.Name)] = c.DataType
			declaredOrder = append(declaredOrder, c.Name)
		}
	}
	var target []warehouse.Column
	if r.opts.Columns != nil && node.Relation.Name != "" &&
		!(node.Kind == project.KindModel && node.Config.EffectiveMaterialized() == config.MaterializedEphemeral) {
		if cols, err := r.opts.Columns(r.ctx, node.Relation); err == nil {
			target = cols
		}
	}
	var out []ddl.Column
	have := map[string]bool{}
	add := func(name, typ string) {
		have[strings.ToLower(name)] = true
		out = append(out, ddl.Column{Name: name, Type: typ})
	}
	if len(target) > 0 {
		for _, c := range target {
			typ := duckType(c.Type)
			if t, ok := declared[strings.ToLower(c.Name)]; ok {
				typ = t
			}
			add(c.Name, typ)
		}
		for _, c := range rows.Columns {
			if !have[strings.ToLower(c)] {
				return nil, fmt.Errorf("column %q is not a column of %s in the target (columns: %s)", c, node.Relation, columnNames(target))
			}
		}
		return out, nil
	}
	if sh := r.shape(node); sh.err == nil {
		for _, c := range sh.cols {
			typ := c.Type
			if t, ok := declared[strings.ToLower(c.Name)]; ok {
				typ = t
			}
			add(c.Name, typ)
		}
		for _, c := range rows.Columns {
			if !have[strings.ToLower(c)] {
				return nil, fmt.Errorf("column %q is not a column of %s (columns: %s)", c, describe(node), columnNames(sh.cols))
			}
		}
		return out, nil
	}
	for _, c := range declaredOrder {
		add(c, declared[strings.ToLower(c)])
	}
	for i, c := range rows.Columns {
		if !have[strings.ToLower(c)] {
			add(c, inferType(rows.Values, i))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no columns: give at least one row, or declare the columns' data_type in YAML")
	}
	return out, nil
}

// insert writes rows into table, each value cast to its column's type.
func (r *runner) insert(table string, cols []ddl.Column, rows project.Rows) error {
	if len(rows.Values) == 0 {
		return nil
	}
	d := r.a.Dialect()
	types := map[string]string{}
	for _, c := range cols {
		types[strings.ToLower(c.Name)] = c.Type
	}
	names := make([]string, len(rows.Columns))
	for i, c := range rows.Columns {
		names[i] = d.QuoteIdent(c)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "insert into %s (%s) values", d.QuoteIdent(table), strings.Join(names, ", "))
	for i, row := range rows.Values {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n(")
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(fmt.Sprintf("cast(%s as %s)", literal(d, v), types[strings.ToLower(rows.Columns[j])]))
		}
		b.WriteString(")")
	}
	if err := r.a.Exec(r.ctx, b.String()); err != nil {
		return fmt.Errorf("rows do not fit their columns' types: %w", err)
	}
	return nil
}

// expected loads the expected rows, typed as the model's output, and
// returns the compared columns as the output spells them.
func (r *runner) expected(actual []warehouse.Column) ([]string, error) {
	exp := r.ut.Expect
	d := r.a.Dialect()
	if exp.Format == config.RowsSQL {
		if err := r.a.Exec(r.ctx, "create table "+d.QuoteIdent("expected")+" as\n"+exp.SQL); err != nil {
			return nil, fmt.Errorf("expect: sql rows fail on DuckDB: %w", err)
		}
		cols, err := r.a.Columns(r.ctx, warehouse.Relation{Name: "expected"})
		if err != nil {
			return nil, err
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			if _, ok := find(actual, c.Name); !ok {
				return nil, fmt.Errorf("expect: column %q is not returned by the model (it returns %s)", c.Name, columnNames(actual))
			}
			names[i] = c.Name
		}
		return names, nil
	}
	var cols []ddl.Column
	var names []string
	for _, c := range exp.Columns {
		ac, ok := find(actual, c)
		if !ok {
			return nil, fmt.Errorf("expect: column %q is not returned by the model (it returns %s)", c, columnNames(actual))
		}
		cols = append(cols, ddl.Column{Name: ac.Name, Type: ac.Type})
		names = append(names, ac.Name)
	}
	if len(cols) == 0 {
		return nil, nil // no rows expected
	}
	if err := r.a.Exec(r.ctx, ddl.CreateTable(mustStatements(r.a), warehouse.Relation{Name: "expected"}, cols, false)); err != nil {
		return nil, err
	}
	rows := project.Rows{Format: exp.Format, Columns: names, Values: exp.Values}
	if err := r.insert("expected", cols, rows); err != nil {
		return nil, fmt.Errorf("expect: %w", err)
	}
	return names, nil
}

// compare counts and samples the rows that differ.
func (r *runner) compare(res Result, cols []string) (Result, error) {
	d := r.a.Dialect()
	q := d.QuoteIdent
	count := func(sql string) (int64, error) {
		out, err := r.a.Query(r.ctx, "select count(*) from ("+sql+") as x", 1)
		if err != nil {
			return 0, err
		}
		v, _ := out.Rows[0][0].(int64)
		return v, nil
	}
	if len(cols) == 0 {
		// Nothing expected: every returned row is unexpected.
		n, err := count("select * from " + q("actual"))
		if err != nil {
			return res, err
		}
		res.Unexpected, res.Passed = n, n == 0
		if !res.Passed {
			res.Diff, err = r.a.Query(r.ctx, fmt.Sprintf("select '+' as diff, * from %s", q("actual")), maxDiffRows)
		}
		return res, err
	}
	list := make([]string, len(cols))
	for i, c := range cols {
		list[i] = q(c)
	}
	sel := strings.Join(list, ", ")
	missing := fmt.Sprintf("select %s from %s except all select %s from %s", sel, q("expected"), sel, q("actual"))
	extra := fmt.Sprintf("select %s from %s except all select %s from %s", sel, q("actual"), sel, q("expected"))
	var err error
	if res.Missing, err = count(missing); err != nil {
		return res, err
	}
	if res.Unexpected, err = count(extra); err != nil {
		return res, err
	}
	res.Passed = res.Missing == 0 && res.Unexpected == 0
	if res.Passed {
		return res, nil
	}
	order := make([]string, 0, len(cols)+1)
	for i := range cols {
		order = append(order, strconv.Itoa(i+2))
	}
	order = append(order, "1 desc") // for equal values, the expected row (-) first
	diff := fmt.Sprintf("select '-' as diff, * from (%s) as m union all select '+' as diff, * from (%s) as u order by %s",
		missing, extra, strings.Join(order, ", "))
	res.Diff, err = r.a.Query(r.ctx, diff, maxDiffRows)
	return res, err
}

func mustStatements(a warehouse.Adapter) warehouse.Statements {
	s, _ := ddl.Statements(a) // DuckDB always has them
	return s
}

func find(cols []warehouse.Column, name string) (warehouse.Column, bool) {
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return warehouse.Column{}, false
}

func columnNames(cols []warehouse.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// inferType types a column no one declared from its given values.
func inferType(values [][]any, col int) string {
	kind := ""
	for _, row := range values {
		var k string
		switch row[col].(type) {
		case nil:
			continue
		case int, int64, uint64:
			k = "bigint"
		case float64:
			k = "double"
		case bool:
			k = "boolean"
		case time.Time:
			k = "date"
			if !isMidnight(row[col].(time.Time)) {
				k = "timestamp"
			}
		default:
			return "varchar"
		}
		switch {
		case kind == "" || kind == k:
			kind = k
		case (kind == "bigint" && k == "double") || (kind == "double" && k == "bigint"):
			kind = "double"
		case (kind == "date" && k == "timestamp") || (kind == "timestamp" && k == "date"):
			kind = "timestamp"
		default:
			return "varchar"
		}
	}
	if kind == "" {
		return "varchar"
	}
	return kind
}

// duckType maps a target column type to DuckDB where the names differ.
func duckType(t string) string {
	switch lt := strings.ToLower(strings.TrimSpace(t)); lt {
	case "jsonb":
		return "json"
	case "bytea":
		return "blob"
	case "timestamp without time zone":
		return "timestamp"
	case "time without time zone":
		return "time"
	default:
		if strings.HasPrefix(lt, "character varying") {
			return "varchar"
		}
		return t
	}
}

// literal renders a YAML or CSV value as a SQL literal.
func literal(d warehouse.Dialect, v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return d.QuoteString(x)
	case time.Time:
		if isMidnight(x) {
			return d.QuoteString(x.Format("2006-01-02"))
		}
		return d.QuoteString(x.Format("2006-01-02 15:04:05.999999999"))
	}
	return d.QuoteString(fmt.Sprint(v))
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

var unsafe = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func safeName(s string) string { return strings.Trim(unsafe.ReplaceAllString(s, "_"), "_") }

func describe(n *project.Node) string {
	if n.Kind == project.KindSource {
		s, t, _ := strings.Cut(n.Name, ".")
		return fmt.Sprintf("source('%s', '%s')", s, t)
	}
	return fmt.Sprintf("ref('%s')", n.Name)
}

// shape is what is known of an input's columns without the target.
type shape struct {
	cols []warehouse.Column
	rel  string // quoted empty table (or view) with those columns
	err  error
}

// shape works out the columns and types of node when the target cannot
// say (a fresh target where it is not built): a seed's from its CSV header
// and YAML; a source's from its YAML data_types when every declared column
// has one; a model's by running its SQL on DuckDB over empty tables shaped
// like its own inputs (recursively). The result is memoized; err says why
// the shape is unknown.
func (r *runner) shape(node *project.Node) shape {
	if sh, ok := r.shapes[node.ID]; ok {
		return sh
	}
	r.shapes[node.ID] = shape{err: fmt.Errorf("%s reads itself", describe(node))} // cycle guard
	sh := r.computeShape(node)
	if sh.err == nil && sh.rel == "" {
		q := r.a.Dialect().QuoteIdent("shape__" + safeName(node.ID))
		cols := make([]ddl.Column, len(sh.cols))
		for i, c := range sh.cols {
			cols[i] = ddl.Column{Name: c.Name, Type: c.Type}
		}
		if err := r.a.Exec(r.ctx, ddl.CreateTable(mustStatements(r.a), warehouse.Relation{Name: "shape__" + safeName(node.ID)}, cols, false)); err != nil {
			sh.err = err
		}
		sh.rel = q
	}
	r.shapes[node.ID] = sh
	return sh
}

func (r *runner) computeShape(node *project.Node) shape {
	if r.opts.Columns != nil && node.Relation.Name != "" && !isEphemeral(node) {
		if cols, err := r.opts.Columns(r.ctx, node.Relation); err == nil {
			for i := range cols {
				cols[i].Type = duckType(cols[i].Type)
			}
			return shape{cols: cols}
		}
	}
	switch {
	case node.Kind == project.KindSeed:
		cols := make([]warehouse.Column, len(node.Seed.Columns))
		for i, c := range node.Seed.Columns {
			cols[i] = warehouse.Column{Name: c.Name, Type: c.Type}
		}
		return shape{cols: cols}
	case node.Kind == project.KindModel:
		sql, err := r.renderAs(node, true)
		if err != nil {
			return shape{err: err}
		}
		name := "shape__" + safeName(node.ID)
		q := r.a.Dialect().QuoteIdent(name)
		if err := r.a.Exec(r.ctx, "create table "+q+" as select * from (\n"+sql+"\n) as s limit 0"); err != nil {
			return shape{err: fmt.Errorf("shape of %s: %w", describe(node), err)}
		}
		cols, err := r.a.Columns(r.ctx, warehouse.Relation{Name: name})
		return shape{cols: cols, rel: q, err: err}
	}
	var cols []warehouse.Column
	for _, c := range node.Columns {
		if c.DataType == "" {
			return shape{err: fmt.Errorf("%s: column %s has no data_type", describe(node), c.Name)}
		}
		cols = append(cols, warehouse.Column{Name: c.Name, Type: c.DataType})
	}
	if len(cols) == 0 {
		return shape{err: fmt.Errorf("%s declares no columns", describe(node))}
	}
	return shape{cols: cols}
}

// shapeRelation is the empty table standing for node while shaping.
func (r *runner) shapeRelation(n *project.Node) (template.Relation, error) {
	if isEphemeral(n) {
		if sh, ok := r.shapes[n.ID]; ok {
			return template.Relation{Name: n.Name, Quoted: sh.rel}, sh.err
		}
		r.shapes[n.ID] = shape{err: fmt.Errorf("ephemeral model %s reads itself", n.Name)}
		sql, err := r.renderAs(n, true)
		if err != nil {
			return template.Relation{}, err
		}
		q := r.a.Dialect().QuoteIdent("shape__" + safeName(n.ID))
		if err := r.a.Exec(r.ctx, "create view "+q+" as\n"+sql); err != nil {
			return template.Relation{}, fmt.Errorf("shape of %s: %w", describe(n), err)
		}
		r.shapes[n.ID] = shape{rel: q}
		return template.Relation{Name: n.Name, Quoted: q}, nil
	}
	sh := r.shape(n)
	if sh.err != nil {
		return template.Relation{}, sh.err
	}
	return template.Relation{Name: n.Name, Quoted: sh.rel}, nil
}

func isEphemeral(n *project.Node) bool {
	return n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedEphemeral
}
