package compile

import (
	"fmt"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/template"
)

// cteName is what ref() to an ephemeral model renders to: the name of the
// CTE its SQL is inlined as.
func cteName(model string) string { return "__cdw_cte__" + model }

// inliner collects the ephemeral models a render refers to (recursively),
// in the order their CTEs must appear: every CTE after those it reads.
type inliner struct {
	p     *project.Project
	opts  Options
	names []string          // CTE order
	sql   map[string]string // model → compiled SQL
	busy  map[string]bool
}

func isEphemeral(n *project.Node) bool {
	return n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedEphemeral
}

// ref compiles an ephemeral model (once) and returns its CTE relation.
func (in *inliner) ref(n *project.Node) (template.Relation, error) {
	if _, done := in.sql[n.Name]; !done {
		if in.busy[n.Name] {
			return template.Relation{}, fmt.Errorf("ephemeral model %q refers to itself", n.Name)
		}
		in.busy[n.Name] = true
		out, err := n.Template.Render(in.context(n, false))
		if err != nil {
			return template.Relation{}, err
		}
		in.sql[n.Name] = strings.TrimRight(strings.TrimSpace(out.SQL), ";")
		in.names = append(in.names, n.Name)
	}
	return template.Relation{Name: cteName(n.Name), Quoted: cteName(n.Name)}, nil
}

// inject puts the collected CTEs in front of sql, merging with a leading
// WITH if the query has one.
func (in *inliner) inject(sql string) string {
	if len(in.names) == 0 {
		return sql
	}
	defs := make([]string, len(in.names))
	for i, name := range in.names {
		defs[i] = cteName(name) + " as (\n" + in.sql[name] + "\n)"
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
