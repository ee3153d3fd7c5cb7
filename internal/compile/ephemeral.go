package compile

import (
	"fmt"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// cteName is what ref() to an ephemeral model renders to: the name of the
// CTE its SQL is inlined as.
func cteName(model string) string { return "__cdw_cte__" + model }

// batchCTEName is what ref() to a model filtered to a microbatch window
// renders to.
func batchCTEName(name string) string {
	return "__cdw_batch__" + strings.ReplaceAll(name, ".", "__") // source names are source.table
}

// inliner collects the CTEs a render refers to, in the order they must
// appear (every CTE after those it reads): ephemeral models (recursively)
// and batch-filtered models.
type inliner struct {
	p     *project.Project
	opts  Options
	names []string          // CTE names, in order
	sql   map[string]string // CTE name → its SQL
	busy  map[string]bool   // ephemeral models being compiled
}

func isEphemeral(n *project.Node) bool {
	return n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedEphemeral
}

// ref compiles an ephemeral model (once) and returns its CTE relation.
func (in *inliner) ref(n *project.Node) (template.Relation, error) {
	name := cteName(n.Name)
	if _, done := in.sql[name]; !done {
		if in.busy[n.Name] {
			return template.Relation{}, fmt.Errorf("ephemeral model %q refers to itself", n.Name)
		}
		in.busy[n.Name] = true
		out, err := n.Template.Render(in.context(n, false))
		if err != nil {
			return template.Relation{}, err
		}
		in.sql[name] = strings.TrimRight(strings.TrimSpace(out.SQL), ";")
		in.names = append(in.names, name)
	}
	return template.Relation{Name: name, Quoted: name}, nil
}

// batchRef returns the CTE reading model n's relation rel filtered to the
// batch window on n's event_time.
func (in *inliner) batchRef(n *project.Node, rel warehouse.Relation, b Batch) template.Relation {
	name := batchCTEName(n.Name)
	if _, done := in.sql[name]; !done {
		w := warehouse.Window{Column: n.Config.EventTime, Start: b.Start, End: b.End}
		in.sql[name] = "select * from " + in.p.Dialect.QuoteRelation(rel) + " where " + warehouse.WindowPredicate(in.p.Dialect, w)
		in.names = append(in.names, name)
	}
	return template.Relation{Schema: rel.Schema, Name: name, Quoted: name}
}

// inject puts the collected CTEs in front of sql, merging with a leading
// WITH if the query has one.
func (in *inliner) inject(sql string) string {
	if len(in.names) == 0 {
		return sql
	}
	defs := make([]string, len(in.names))
	for i, name := range in.names {
		defs[i] = name + " as (\n" + in.sql[name] + "\n)"
	}
	ctes := strings.Join(defs, ",\n")
	i := skipSpaceAndComments(sql)
	word := strings.ToLower(leadingWord(sql[i:]))
	if word != "with" {
		return sql[:i] + "with " + ctes + "\n" + sql[i:]
	}
	j := i + len("with")
	k := j + skipSpaceAndComments(sql[j:])
	if strings.ToLower(leadingWord(sql[k:])) == "recursive" {
		j = k + len("recursive")
	}
	return sql[:j] + " " + ctes + ",\n" + strings.TrimLeft(sql[j:], " \t")
}

// skipSpaceAndComments returns the offset of the first SQL token.
func skipSpaceAndComments(s string) int {
	i := 0
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return len(s)
			}
			i += nl + 1
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return len(s)
			}
			i += end + 4
		default:
			return i
		}
	}
	return i
}

func leadingWord(s string) string {
	i := 0
	for i < len(s) && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	return s[:i]
}
