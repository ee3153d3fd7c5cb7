package yamlx

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pair is one key/value entry of a mapping.
type Pair struct {
	Key   *yaml.Node
	Value *yaml.Node
}

// Pairs returns the entries of the mapping n (aliases resolved) in source
// order, with merge keys (`<<: *anchor` or `<<: [*a, *b]`) expanded:
// explicit keys come first and override merged ones, earlier merge sources
// override later ones. Duplicate explicit keys are reported at the second
// occurrence and dropped; non-scalar keys are reported and dropped. field is
// the key path of n, for messages.
func (d *Decoder) Pairs(n *yaml.Node, field string) []Pair {
	n = d.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var explicit, merged []Pair
	first := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := d.Resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.Report(k, field, "expected a string key, got "+Describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, d.mergeSources(val, Field(field, "<<"))...)
			continue
		}
		if prev, dup := first[k.Value]; dup {
			d.Reportf(k, Field(field, k.Value), "duplicate key, first set at line %d", prev.Line)
			continue
		}
		first[k.Value] = k
		explicit = append(explicit, Pair{Key: k, Value: val})
	}
	for _, p := range merged {
		if _, ok := first[p.Key.Value]; ok {
			continue
		}
		first[p.Key.Value] = p.Key
		explicit = append(explicit, p)
	}
	return explicit
}

// mergeSources returns the pairs contributed by the value of a merge key.
func (d *Decoder) mergeSources(val *yaml.Node, field string) []Pair {
	val, inc := d.enter(val)
	defer d.leave(inc)
	if val == nil {
		return nil
	}
	switch val.Kind {
	case yaml.MappingNode:
		return d.Pairs(val, field)
	case yaml.SequenceNode:
		var out []Pair
		for _, item := range val.Content {
			item, inc := d.enter(item)
			if item != nil && item.Kind == yaml.MappingNode {
				out = append(out, d.Pairs(item, field)...)
			} else if item != nil {
				d.TypeError(item, field, "a mapping to merge")
			}
			d.leave(inc)
		}
		return out
	default:
		d.TypeError(val, field, "a mapping or a list of mappings to merge")
		return nil
	}
}

// Any decodes n into plain Go values: map[string]any for mappings, []any
// for sequences, and for scalars bool, int (int64/uint64 when larger),
// float64, nil, or string (strings, timestamps and custom-tagged values).
func (d *Decoder) Any(n *yaml.Node, field string) any {
	n, inc := d.enter(n)
	defer d.leave(inc)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		pairs := d.Pairs(n, field)
		m := make(map[string]any, len(pairs))
		for _, p := range pairs {
			m[p.Key.Value] = d.Any(p.Value, Field(field, p.Key.Value))
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			s[i] = d.Any(item, Elem(field, i))
		}
		return s
	case yaml.ScalarNode:
		return scalarAny(n)
	default:
		return nil
	}
}

// scalarAny converts a scalar node to a Go value.
func scalarAny(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err == nil {
			return v
		}
	}
	return n.Value
}

// Describe names what a node is for "got ..." messages: `string "four"`,
// `integer 4`, `number 1.5`, `boolean true`, `null`, `a list`, `a mapping`.
// Long scalars are shortened.
func Describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
	default:
		return "nothing"
	}
	val := n.Value
	if r := []rune(val); len(r) > 40 {
		val = string(r[:37]) + "..."
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "boolean " + val
	case "!!int":
		return "integer " + val
	case "!!float":
		return "number " + val
	case "!!timestamp":
		return "timestamp " + val
	case "!!str":
		return fmt.Sprintf("string %q", val)
	default:
		return fmt.Sprintf("%s value %q", n.ShortTag(), val)
	}
}

// fieldInfo describes one decodable struct field.
type fieldInfo struct {
	name     string
	index    []int
	required bool
}

// structInfo describes how a struct type maps to mapping keys.
type structInfo struct {
	fields    map[string]*fieldInfo
	names     []string // declaration order, for suggestions and listings
	required  []*fieldInfo
	posFields [][]int
}

func (d *Decoder) structInfo(t reflect.Type) *structInfo {
	if info, ok := d.structs[t]; ok {
		return info
	}
	info := &structInfo{fields: make(map[string]*fieldInfo)}
	collectFields(t, nil, info)
	d.structs[t] = info
	return info
}

func collectFields(t reflect.Type, parent []int, info *structInfo) {
	for i := range t.NumField() {
		sf := t.Field(i)
		index := append(append([]int(nil), parent...), i)
		if sf.Type == posType {
			info.posFields = append(info.posFields, index)
			continue
		}
		tag, hasTag := sf.Tag.Lookup("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		inline := strings.Contains(","+opts+",", ",inline,") || (sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct)
		if inline {
			if sf.Type.Kind() != reflect.Struct {
				panic(fmt.Sprintf("yamlx: inline field %s must be a struct", sf.Name))
			}
			collectFields(sf.Type, index, info)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if !hasTag || name == "" {
			name = strings.ToLower(sf.Name)
		}
		if _, dup := info.fields[name]; dup {
			panic(fmt.Sprintf("yamlx: duplicate key %q in %s", name, t))
		}
		f := &fieldInfo{name: name, index: index, required: sf.Tag.Get("yamlx") == "required"}
		info.fields[name] = f
		info.names = append(info.names, name)
		if f.required {
			info.required = append(info.required, f)
		}
	}
}
