package template

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Warehouse access from templates, all through Context.Query. Without a
// Query (parse, pure compile) nothing runs: run_query returns none,
// statements are skipped, load_result returns none and introspection
// finds nothing, as in dbt when `execute` is false.

// runQuery is dbt's run_query(sql): the rows as a table.
func (s *state) runQuery(sql string) (any, error) {
	if s.ctx.Query == nil {
		return nil, nil
	}
	res, err := s.ctx.Query(sql)
	if err != nil {
		return nil, s.fail("run_query: %v", err)
	}
	return newTable(res), nil
}

// statement is dbt's statement macro, used as
// {% call statement('name', fetch_result=True) %}SQL{% endcall %}: the
// body is run, and its result kept for load_result('name').
func (s *state) statement(e *exec.Evaluator, args *exec.VarArgs) (any, error) {
	caller, _ := e.Environment.Context.Get("__gonja_caller__")
	e.Environment.Context.Set("__gonja_caller__", nil)
	body, ok := caller.(func(*exec.VarArgs) *exec.Value)
	if !ok {
		return nil, s.fail("statement() is used as {%% call statement('name', fetch_result=True) %%}SQL{%% endcall %%}")
	}
	name := ""
	if len(args.Args) > 0 && !args.Args[0].IsNil() {
		name = args.Args[0].String()
	}
	if v, ok := args.KwArgs["name"]; ok && !v.IsNil() {
		name = v.String()
	}
	sql := body(exec.NewVarArgs())
	if sql.IsError() {
		return nil, fmt.Errorf("%s", sql.Error())
	}
	if s.ctx.Query == nil {
		return "", nil
	}
	res, err := s.ctx.Query(sql.String())
	if err != nil {
		return nil, s.fail("statement %q: %v", name, err)
	}
	if name != "" {
		s.results[name] = res
	}
	return "", nil
}

// loadResult is dbt's load_result('name'): {'data': rows, 'table': table,
// 'response': {...}} of a statement run in this render, or none.
func (s *state) loadResult(name string) any {
	res, ok := s.results[name]
	if !ok {
		return nil
	}
	data := make([]any, len(res.Rows))
	for i, r := range res.Rows {
		data[i] = append([]any(nil), r...)
	}
	return map[string]any{"data": data, "table": newTable(res),
		"response": map[string]any{"rows_affected": len(res.Rows), "code": "OK"}}
}

// columnsIn is adapter.get_columns_in_relation(relation): the relation's
// columns in order, from information_schema.
func (s *state) columnsIn(arg *exec.Value) (any, error) {
	rel, ok := asRelation(arg)
	if !ok {
		return nil, s.fail("adapter.get_columns_in_relation() takes a relation (ref(), source() or this), got %s", arg.String())
	}
	if s.ctx.Query == nil {
		return []any{}, nil
	}
	sql := "select column_name, data_type from information_schema.columns where table_schema = " + quoteLiteral(rel.Schema) +
		" and table_name = " + quoteLiteral(rel.Name) + " order by ordinal_position"
	res, err := s.ctx.Query(sql)
	if err != nil {
		return nil, s.fail("adapter.get_columns_in_relation(%s): %v", rel.Quoted, err)
	}
	out := make([]any, 0, len(res.Rows))
	for _, r := range res.Rows {
		if len(r) >= 2 {
			out = append(out, columnInfo{Name: fmt.Sprint(r[0]), Type: fmt.Sprint(r[1])})
		}
	}
	return out, nil
}

// getRelation is adapter.get_relation(database, schema, identifier): the
// relation if it exists, else none.
func (s *state) getRelation(args *exec.VarArgs) (any, error) {
	arg := func(i int, kw string) string {
		if v, ok := args.KwArgs[kw]; ok && !v.IsNil() {
			return v.String()
		}
		if i < len(args.Args) && !args.Args[i].IsNil() {
			return args.Args[i].String()
		}
		return ""
	}
	schema, name := arg(1, "schema"), arg(2, "identifier")
	if s.ctx.Query == nil || name == "" {
		return nil, nil
	}
	res, err := s.ctx.Query("select table_schema, table_name from information_schema.tables where table_schema = " +
		quoteLiteral(schema) + " and table_name = " + quoteLiteral(name))
	if err != nil {
		return nil, s.fail("adapter.get_relation(%s.%s): %v", schema, name, err)
	}
	if len(res.Rows) == 0 {
		return nil, nil
	}
	return relValue(Relation{Schema: schema, Name: name, Quoted: quoteIdent(schema) + "." + quoteIdent(name)}), nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// columnInfo is a column from adapter.get_columns_in_relation.
type columnInfo struct{ Name, Type string }

func (c columnInfo) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "name", "column":
		return exec.AsValue(c.Name), true
	case "data_type", "dtype":
		return exec.AsValue(c.Type), true
	case "quoted":
		return exec.AsValue(quoteIdent(c.Name)), true
	}
	return exec.AsValue(nil), false
}

func (c columnInfo) String() string { return c.Name }

// Table is what run_query returns, shaped like the agate table dbt users
// read: .rows (each indexable by position or column name), .columns (each
// with .name and .values()), .column_names, and table[i] for a row.
type Table struct {
	names []string
	rows  []any // of Row
	cols  Columns
}

func newTable(res *QueryResult) *Table {
	t := &Table{names: append([]string(nil), res.Columns...)}
	for _, r := range res.Rows {
		t.rows = append(t.rows, Row{names: t.names, vals: r})
	}
	for i, n := range t.names {
		c := &Column{Name: n}
		for _, r := range res.Rows {
			if i < len(r) {
				c.vals = append(c.vals, r[i])
			}
		}
		t.cols = append(t.cols, c)
	}
	return t
}

// GetAttribute exposes rows, columns and column_names.
func (t *Table) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "rows":
		return exec.AsValue(t.rows), true
	case "columns":
		return exec.AsValue(t.cols), true
	case "column_names":
		names := make([]any, len(t.names))
		for i, n := range t.names {
			names[i] = n
		}
		return exec.AsValue(names), true
	case "print_table":
		return exec.AsValue(func() string { return "" }), true
	}
	return exec.AsValue(nil), false
}

// GetItem returns a row by position.
func (t *Table) GetItem(key any) (*exec.Value, bool) {
	if i, ok := key.(int); ok && i >= 0 && i < len(t.rows) {
		return exec.AsValue(t.rows[i]), true
	}
	return exec.AsValue(nil), false
}

func (t *Table) String() string { return fmt.Sprintf("<table of %d rows>", len(t.rows)) }

// Row is one row of a Table.
type Row struct {
	names []string
	vals  []any
}

// GetItem returns a value by position or column name.
func (r Row) GetItem(key any) (*exec.Value, bool) {
	switch k := key.(type) {
	case int:
		if k < 0 {
			k += len(r.vals)
		}
		if k >= 0 && k < len(r.vals) {
			return exec.AsValue(r.vals[k]), true
		}
	case string:
		for i, n := range r.names {
			if n == k && i < len(r.vals) {
				return exec.AsValue(r.vals[i]), true
			}
		}
	}
	return exec.AsValue(nil), false
}

// GetAttribute returns a value by column name.
func (r Row) GetAttribute(name string) (*exec.Value, bool) {
	if v, ok := r.GetItem(name); ok {
		return v, true
	}
	if name == "values" {
		return exec.AsValue(func() []any { return append([]any(nil), r.vals...) }), true
	}
	return exec.AsValue(nil), false
}

func (r Row) String() string { return fmt.Sprint(r.vals) }

// Columns are a Table's columns, indexable by position or name.
type Columns []*Column

// GetItem returns a column by position or name.
func (cs Columns) GetItem(key any) (*exec.Value, bool) {
	switch k := key.(type) {
	case int:
		if k >= 0 && k < len(cs) {
			return exec.AsValue(cs[k]), true
		}
	case string:
		for _, c := range cs {
			if c.Name == k {
				return exec.AsValue(c), true
			}
		}
	}
	return exec.AsValue(nil), false
}

// Column is one column of a Table: .name and .values().
type Column struct {
	Name string
	vals []any
}

// GetAttribute exposes name and values().
func (c *Column) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "name":
		return exec.AsValue(c.Name), true
	case "values":
		return exec.AsValue(func() []any { return append([]any{}, c.vals...) }), true
	}
	return exec.AsValue(nil), false
}

func (c *Column) String() string { return c.Name }
