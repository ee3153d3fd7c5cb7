package config

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// dbtSchemaYML uses dbt properties cdw does not read, beside ones it does.
const dbtSchemaYML = `version: 2
exposures:
  - name: dashboard
    type: dashboard
    owner: {name: ops}
sources:
  - name: shop
    database: raw
    loader: fivetran
    tables:
      - name: orders
        meta: {owner: ops}
        columns:
          - name: id
            quote: true
            tests: [unique]
models:
  - name: orders
    description: '{{ doc("orders") }}'
    meta: {owner: finance}
    docs: {show: true}
    access: public
    config:
      materialized: table
      contract: {enforced: false}
      persist_docs: {relation: true}
    columns:
      - name: order_id
        constraints: [{type: not_null}]
        data_tests:
          - unique:
              name: orders_pk
              config: {severity: warn, tags: [pk]}
          - not_null:
              config: {enabled: false}
          - relationships:
              to: ref('customers')
              field: customer_id
              enabled: false
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped']
              tags: [status]
seeds:
  - name: payments
    docs: {show: false}
    config:
      column_types: {amount: integer}
      quote_columns: true
      alias: pays
unit_tests:
  - name: orders_keep_status
    model: orders
    versions: {include: [2]}
    config: {tags: [unit], meta: {a: 1}}
    given: []
    expect: {rows: [{status: placed}]}
`

func TestLoadDBTProperties(t *testing.T) {
	fsys := fstest.MapFS{"models/schema.yml": {Data: []byte(dbtSchemaYML)}}
	props, warnings, err := LoadDBTProperties(fsys, []string{"models", "seeds"})
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings := []string{
		"models/schema.yml:2:1: exposures: not used by cdw in a properties file; ignored",
		"models/schema.yml:8:5: sources[0].database: not used by cdw in a source; ignored",
		"models/schema.yml:9:5: sources[0].loader: not used by cdw in a source; ignored",
		"models/schema.yml:12:9: sources[0].tables[0].meta: not used by cdw in a source table; ignored",
		"models/schema.yml:15:13: sources[0].tables[0].columns[0].quote: not used by cdw in a column; ignored",
		"models/schema.yml:20:5: models[0].meta: not used by cdw in a model; ignored",
		"models/schema.yml:21:5: models[0].docs: not used by cdw in a model; ignored",
		"models/schema.yml:22:5: models[0].access: not used by cdw in a model; ignored",
		"models/schema.yml:25:7: models[0].config.contract: not supported by cdw in a model config; ignored",
		"models/schema.yml:26:7: models[0].config.persist_docs: not supported by cdw in a model config; ignored",
		"models/schema.yml:29:9: models[0].columns[0].constraints: not used by cdw in a column; ignored",
		"models/schema.yml:32:15: models[0].columns[0].data_tests[0].unique.name: custom test names are not supported by cdw (the test keeps its generated name); ignored",
		"models/schema.yml:33:40: models[0].columns[0].data_tests[0].unique.config.tags: not supported by cdw in a test config; ignored",
		"models/schema.yml:44:15: models[0].columns[1].tests[0].accepted_values.tags: test tags are not supported by cdw; ignored",
		"models/schema.yml:47:5: seeds[0].docs: not used by cdw in a seed; ignored",
		"models/schema.yml:51:7: seeds[0].config.alias: not supported by cdw in a seed config; ignored",
		"models/schema.yml:55:5: unit_tests[0].versions: not used by cdw in a unit test; ignored",
		"models/schema.yml:56:28: unit_tests[0].config.meta: not supported by cdw in a unit test config; ignored",
	}
	if !reflect.DeepEqual(warnings, wantWarnings) {
		t.Errorf("warnings:\n got %q\nwant %q", warnings, wantWarnings)
	}
	m, ok := props.Model("orders")
	if !ok {
		t.Fatal("model orders not loaded")
	}
	if m.Description != `{{ doc("orders") }}` || m.Config.Materialized != "table" {
		t.Errorf("model = %+v", m)
	}
	var tests []string
	for _, tst := range m.AllTests() {
		tests = append(tests, tst.Name+"/"+tst.Column+"/"+tst.Severity)
	}
	if want := []string{"unique/order_id/warn", "accepted_values/status/error"}; !reflect.DeepEqual(tests, want) {
		t.Errorf("tests = %v, want %v (disabled tests dropped)", tests, want)
	}
	if len(props.UnitTests) != 1 || !reflect.DeepEqual(props.UnitTests[0].Tags, []string{"unit"}) {
		t.Errorf("unit tests = %+v", props.UnitTests)
	}
	if len(props.Seeds) != 1 || props.Seeds[0].Config.QuoteColumns == nil || !*props.Seeds[0].Config.QuoteColumns ||
		props.Seeds[0].Config.ColumnTypes["amount"] != "integer" {
		t.Errorf("seeds = %+v", props.Seeds)
	}
}

func TestLoadDBTPropertiesStaysStrictOnWhatCDWReads(t *testing.T) {
	src := "models:\n  - name: a\n    config: {materialized: tabel}\n    columns:\n      - name: x\n        tests:\n          - unique:\n              config: {severity: fatal}\n"
	fsys := fstest.MapFS{"models/schema.yml": {Data: []byte(src)}}
	_, _, err := LoadDBTProperties(fsys, []string{"models"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`models/schema.yml:3:28: models[0].config.materialized: unknown materialization "tabel"`,
		`models/schema.yml:8:34: models[0].columns[0].tests[0].unique.config.severity: unknown severity "fatal"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
