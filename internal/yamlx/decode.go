package yamlx

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Unmarshaler is implemented by types that decode themselves from a node,
// reporting problems through d (Report, TypeError, ...). n has aliases
// resolved and may be a null scalar; field is the dotted key path of the
// value ("targets.local.threads", "models[2].columns[0]") used as the prefix
// of messages. Implement it on the pointer receiver.
type Unmarshaler interface {
	UnmarshalYAMLX(d *Decoder, n *yaml.Node, field string)
}

// maxAliasVisits bounds the nodes visited through aliases by one Decoder, so
// that "billion laughs" documents fail fast instead of exhausting memory.
const maxAliasVisits = 1_000_000

// Decoder decodes nodes of one file into Go values and collects
// Diagnostics. It keeps decoding after a problem, so one pass reports them
// all. A Decoder is not safe for concurrent use; use one per file.
//
// Decoding rules, by Go type of the destination:
//
//   - string: any non-null scalar (its literal text; `version: 1` gives "1").
//   - bool: a YAML boolean (true/false); "yes" is a string, hence an error.
//   - int*, uint*: a YAML integer that fits the type. float32/64: an integer
//     or a float.
//   - []T: a sequence. map[string]T: a mapping. *T: null leaves it nil.
//   - struct: a mapping whose keys are the fields' yaml tag names (untagged
//     exported fields use the lower-cased field name; `yaml:"-"` skips a
//     field; `yaml:",inline"` and untagged embedded structs are flattened).
//     A `yamlx:"required"` tag makes a key required. Fields of type Pos
//     receive the position of the mapping and are never keys. Unknown keys
//     are reported, with a suggestion for near misses.
//   - any: the raw value: map[string]any, []any, string, int, float64,
//     bool or nil. Timestamps stay strings.
//   - yaml.Node, *yaml.Node: the node itself, for decoding by hand later.
//   - types implementing Unmarshaler (on the pointer): their method.
//
// A null value (`key:` or `key: ~`) leaves an optional field at its zero
// value; for a required field it is reported. Mapping keys may repeat only
// once: duplicates are reported and the first value wins. Anchors, aliases
// and merge keys (`<<: *defaults`) are followed; explicit keys override
// merged ones.
//
// Decode panics when out is not a non-nil pointer or holds a type outside
// the list above; those are programming errors, never caused by input.
type Decoder struct {
	file       string
	diags      Diagnostics
	structs    map[reflect.Type]*structInfo
	hints      map[string]string
	aliasDepth int
	active     map[*yaml.Node]bool // alias targets being expanded
	stack      []*yaml.Node
	visits     int
	exhausted  bool
}

// NewDecoder returns a Decoder whose diagnostics name file (a path relative
// to the project root).
func NewDecoder(file string) *Decoder {
	return &Decoder{file: file, structs: make(map[reflect.Type]*structInfo)}
}

// Unmarshal parses data as the single YAML document of file and decodes it
// into out. An empty document leaves out untouched (and reports nothing,
// even for required keys: callers decide whether an empty file is fine).
func Unmarshal(file string, data []byte, out any) Diagnostics {
	root, diags := Parse(file, data)
	if diags != nil || root == nil {
		return diags
	}
	d := NewDecoder(file)
	d.Decode(root, "", out)
	return d.Diagnostics()
}

// File returns the path the Decoder reports diagnostics against.
func (d *Decoder) File() string { return d.file }

// Diagnostics returns the problems collected so far, in the order found.
func (d *Decoder) Diagnostics() Diagnostics { return d.diags }

// SetHint replaces the generic "unknown key" message for the key at the
// dotted path field (e.g. "model-paths") with msg.
func (d *Decoder) SetHint(field, msg string) {
	if d.hints == nil {
		d.hints = make(map[string]string)
	}
	d.hints[field] = msg
}

// Pos returns the position of n in the Decoder's file.
func (d *Decoder) Pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

// Report records a problem at n: "field: msg", or just msg when field is "".
func (d *Decoder) Report(n *yaml.Node, field, msg string) {
	d.diags.Add(d.Pos(n), Prefix(field, msg))
}

// Reportf is Report with a formatted message.
func (d *Decoder) Reportf(n *yaml.Node, field, format string, args ...any) {
	d.Report(n, field, fmt.Sprintf(format, args...))
}

// TypeError reports "field: expected <expected>, got <what n is>", e.g.
// `threads: expected an integer, got string "four"`.
func (d *Decoder) TypeError(n *yaml.Node, field, expected string) {
	d.Report(n, field, "expected "+expected+", got "+Describe(n))
}

// Prefix joins a key path and a message as "field: msg" ("msg" when field
// is empty).
func Prefix(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// Field returns the key path of key inside parent ("targets" + "local" =
// "targets.local").
func Field(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// Elem returns the key path of element i of the list at parent ("models[3]").
func Elem(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

// IsNull reports whether n is a null scalar (`~`, `null`, or nothing).
func IsNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// Decode decodes n into out (a non-nil pointer), reporting problems with
// field as the key path prefix.
func (d *Decoder) Decode(n *yaml.Node, field string, out any) {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic(fmt.Sprintf("yamlx: Decode needs a non-nil pointer, got %T", out))
	}
	d.decodeValue(n, field, v.Elem())
}

// Resolve follows aliases from n and returns the node they point to, or nil
// when the alias expansion budget is exhausted (already reported).
func (d *Decoder) Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		if !d.charge(n) {
			return nil
		}
		n = n.Alias
	}
	return n
}

// charge counts a node visited through an alias and reports (once) when
// the budget is exhausted.
func (d *Decoder) charge(n *yaml.Node) bool {
	if d.exhausted {
		return false
	}
	if n.Kind != yaml.AliasNode && d.aliasDepth == 0 {
		return true
	}
	d.visits++
	if d.visits > maxAliasVisits {
		d.exhausted = true
		d.Report(n, "", "too many alias expansions; the document is too large to decode")
		return false
	}
	return true
}

// enter resolves aliases at n for a recursive decode and returns the
// target node (nil when the value must be skipped: the alias budget is
// exhausted or the alias refers to a node that contains it). leave must be
// called with the returned count when done.
func (d *Decoder) enter(n *yaml.Node) (*yaml.Node, int) {
	inc := 0
	for n != nil && n.Kind == yaml.AliasNode {
		if !d.charge(n) {
			return nil, inc
		}
		target := n.Alias
		if d.active[target] {
			d.Reportf(n, "", "alias *%s refers to a value that contains it", n.Value)
			return nil, inc
		}
		if d.active == nil {
			d.active = make(map[*yaml.Node]bool)
		}
		d.active[target] = true
		d.stack = append(d.stack, target)
		d.aliasDepth++
		inc++
		n = target
	}
	if n != nil && !d.charge(n) {
		return nil, inc
	}
	return n, inc
}

// leave undoes the alias bookkeeping of the matching enter.
func (d *Decoder) leave(inc int) {
	for range inc {
		last := d.stack[len(d.stack)-1]
		d.stack = d.stack[:len(d.stack)-1]
		delete(d.active, last)
		d.aliasDepth--
	}
}

var (
	posType  = reflect.TypeFor[Pos]()
	nodeType = reflect.TypeFor[yaml.Node]()
)

func (d *Decoder) decodeValue(n *yaml.Node, field string, v reflect.Value) {
	n, inc := d.enter(n)
	defer d.leave(inc)
	if n == nil {
		return
	}
	t := v.Type()
	switch {
	case t == posType:
		v.Set(reflect.ValueOf(d.Pos(n)))
		return
	case t == nodeType:
		v.Set(reflect.ValueOf(*n))
		return
	case t == reflect.PointerTo(nodeType):
		v.Set(reflect.ValueOf(n))
		return
	}
	if v.CanAddr() {
		if u, ok := v.Addr().Interface().(Unmarshaler); ok {
			u.UnmarshalYAMLX(d, n, field)
			return
		}
	}
	if IsNull(n) && t.Kind() != reflect.Struct {
		v.Set(reflect.Zero(t))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decodeValue(n, field, v.Elem())
	case reflect.Interface:
		if t.NumMethod() != 0 {
			panic(fmt.Sprintf("yamlx: cannot decode into non-empty interface %s", t))
		}
		if a := d.Any(n, field); a != nil {
			v.Set(reflect.ValueOf(a))
		} else {
			v.Set(reflect.Zero(t))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.TypeError(n, field, "a string")
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.TypeError(n, field, "a boolean")
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.TypeError(n, field, "an integer")
			return
		}
		if n.Decode(&i) != nil || v.OverflowInt(i) {
			d.Report(n, field, fmt.Sprintf("integer %s is out of range", n.Value))
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.TypeError(n, field, "a non-negative integer")
			return
		}
		if n.Decode(&u) != nil || v.OverflowUint(u) {
			d.Report(n, field, fmt.Sprintf("integer %s is out of range", n.Value))
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.TypeError(n, field, "a number")
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		d.decodeSlice(n, field, v)
	case reflect.Map:
		d.decodeMap(n, field, v)
	case reflect.Struct:
		d.decodeStruct(n, field, v)
	default:
		panic(fmt.Sprintf("yamlx: unsupported destination type %s", t))
	}
}

func (d *Decoder) decodeSlice(n *yaml.Node, field string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.TypeError(n, field, "a list")
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decodeValue(item, Elem(field, i), s.Index(i))
	}
	v.Set(s)
}

func (d *Decoder) decodeMap(n *yaml.Node, field string, v reflect.Value) {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		panic(fmt.Sprintf("yamlx: map keys must be strings, got %s", t))
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, field, "a mapping")
		return
	}
	pairs := d.Pairs(n, field)
	m := reflect.MakeMapWithSize(t, len(pairs))
	for _, p := range pairs {
		elem := reflect.New(t.Elem()).Elem()
		d.decodeValue(p.Value, Field(field, p.Key.Value), elem)
		m.SetMapIndex(reflect.ValueOf(p.Key.Value).Convert(t.Key()), elem)
	}
	v.Set(m)
}

func (d *Decoder) decodeStruct(n *yaml.Node, field string, v reflect.Value) {
	info := d.structInfo(v.Type())
	for _, idx := range info.posFields {
		v.FieldByIndex(idx).Set(reflect.ValueOf(d.Pos(n)))
	}
	if IsNull(n) {
		for _, f := range info.required {
			d.Reportf(n, field, "missing required key %q", f.name)
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, field, "a mapping")
		return
	}
	seen := make(map[string]bool, len(info.fields))
	for _, p := range d.Pairs(n, field) {
		key := p.Key.Value
		f, ok := info.fields[key]
		if !ok {
			d.UnknownKey(p.Key, field, info.names)
			continue
		}
		seen[key] = true
		sub := Field(field, key)
		if f.required {
			if val := d.Resolve(p.Value); val != nil && IsNull(val) {
				d.TypeError(val, sub, expectedFor(v.FieldByIndex(f.index).Type()))
				continue
			}
		}
		d.decodeValue(p.Value, sub, v.FieldByIndex(f.index))
	}
	for _, f := range info.required {
		if !seen[f.name] {
			d.Reportf(n, field, "missing required key %q", f.name)
		}
	}
}

// UnknownKey reports the mapping key node key under parent as unknown,
// suggesting the closest of valid when it looks like a typo, or listing
// valid otherwise. A hint set with SetHint for the key's path wins.
func (d *Decoder) UnknownKey(key *yaml.Node, parent string, valid []string) {
	sub := Field(parent, key.Value)
	if h, ok := d.hints[sub]; ok {
		d.Report(key, sub, h)
		return
	}
	d.Report(key, sub, UnknownMessage("key", key.Value, valid))
}

// UnknownMessage words the problem of an unknown name among valid ones:
// `unknown key; did you mean "threads"?` or
// `unknown key (expected one of: a, b, c)`. what names the kind of thing.
func UnknownMessage(what, name string, valid []string) string {
	if s := Suggest(name, valid); s != "" {
		return fmt.Sprintf("unknown %s; did you mean %q?", what, s)
	}
	if len(valid) == 0 {
		return "unknown " + what
	}
	return fmt.Sprintf("unknown %s (expected one of: %s)", what, strings.Join(valid, ", "))
}

// expectedFor names what a Go type expects, for type errors.
func expectedFor(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Pointer:
		return expectedFor(t.Elem())
	default:
		return "a value"
	}
}
