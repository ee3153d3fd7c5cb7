package template

import (
	"github.com/nikolalohinski/gonja/v2/exec"
)

// relationValue is a Relation as templates see it. dbt's relations are
// mappings, and packages check them so (dbt_utils: `obj is mapping and
// obj.get("metadata", {}).get("type", "").endswith("Relation")`), so it
// is a mapping: schema, name, identifier, table, database, is_cte and
// metadata, plus render() and include(). It renders as the quoted
// relation.
type relationValue map[string]any

// relationKey holds the Relation itself inside the mapping.
const relationKey = "__cdw_relation"

func relValue(r Relation) relationValue {
	return relationValue{
		"schema": r.Schema, "name": r.Name, "identifier": r.Name, "table": r.Name, "database": "",
		"is_cte": false, "metadata": map[string]any{"type": "Relation"}, relationKey: r,
	}
}

func (v relationValue) relation() Relation {
	r, _ := v[relationKey].(Relation)
	return r
}

func (v relationValue) String() string { return v.relation().Quoted }

// GetAttribute exposes the keys and dbt's render() and include().
func (v relationValue) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "render":
		return exec.AsValue(func() string { return v.relation().Quoted }), true
	case "include":
		return exec.AsValue(func(*exec.VarArgs) relationValue { return v }), true
	case relationKey:
		return exec.AsValue(nil), false
	}
	if x, ok := v[name]; ok {
		return exec.AsValue(x), true
	}
	return exec.AsValue(nil), false
}

// asRelation reads a relation argument: a ref(), source() or this.
func asRelation(v *exec.Value) (Relation, bool) {
	switch x := v.Interface().(type) {
	case relationValue:
		return x.relation(), true
	case Relation:
		return x, true
	}
	return Relation{}, false
}
