package config

import (
	"fmt"
	"regexp"
	"strings"
)

// envVarName matches an environment variable name.
var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envVarCall matches a dbt-style `{{ env_var('NAME') }}` or
// `{{ env_var('NAME', 'default') }}` at the start of the text, with optional
// type-conversion filters (| int, | as_number, ...) that do not change the
// text. The default may also be a bare number.
var envVarCall = regexp.MustCompile(`^\{\{-?\s*env_var\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,\s*(?:'([^']*)'|"([^"]*)"|(-?[0-9]+(?:\.[0-9]+)?))\s*)?\)\s*(?:\|\s*(?:int|float|string|as_number|as_text|as_bool|as_native)\s*)*-?\}\}`)

// expandEnv expands environment references in s:
//
//   - ${NAME}: the variable's value; an error when it is not set.
//   - ${NAME:-default}: the value, or default when the variable is unset
//     or empty (as in the shell).
//   - {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}: dbt's
//     form; the default applies only when the variable is unset.
//   - $${ is an escaped, literal ${.
//
// Other {{ ... }} text is kept as is when keepJinja is true (it may be Jinja
// rendered later, e.g. in vars), and is an error otherwise. Every problem in
// s is returned, in order; the expanded text is meaningful only when there
// are none. lookup reports whether a variable is set and its value.
func expandEnv(s string, lookup func(string) (string, bool), keepJinja bool) (string, []string) {
	if !strings.Contains(s, "${") && !strings.Contains(s, "{{") {
		return s, nil
	}
	var b strings.Builder
	var problems []string
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				problems = append(problems, fmt.Sprintf("unterminated %q (use $${ for a literal ${)", s[i:]))
				return s, problems
			}
			ref := s[i+2 : i+end]
			name, def, hasDef := strings.Cut(ref, ":-")
			switch val, ok := lookup(name); {
			case !envVarName.MatchString(name):
				problems = append(problems, fmt.Sprintf("invalid variable reference %q; use ${NAME} or ${NAME:-default}", s[i:i+end+1]))
			case hasDef && (!ok || val == ""):
				b.WriteString(def)
			case !ok:
				problems = append(problems, fmt.Sprintf("environment variable %s is not set", name))
			default:
				b.WriteString(val)
			}
			i += end + 1
		case strings.HasPrefix(s[i:], "{{"):
			m := envVarCall.FindStringSubmatch(s[i:])
			if m == nil {
				end := strings.Index(s[i:], "}}")
				expr := s[i:]
				if end >= 0 {
					expr = s[i : i+end+2]
				}
				if keepJinja && !strings.Contains(expr, "env_var") {
					b.WriteString(expr)
					i += len(expr)
					continue
				}
				problems = append(problems, fmt.Sprintf("unsupported template %q; only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }} are expanded here", expr))
				i += len(expr)
				continue
			}
			name := m[1] + m[2]
			def, hasDef := m[3]+m[4]+m[5], m[3] != "" || m[4] != "" || m[5] != "" || strings.Contains(m[0], ",")
			switch val, ok := lookup(name); {
			case !envVarName.MatchString(name):
				problems = append(problems, fmt.Sprintf("invalid environment variable name %q", name))
			case ok:
				b.WriteString(val)
			case hasDef:
				b.WriteString(def)
			default:
				problems = append(problems, fmt.Sprintf("environment variable %s is not set", name))
			}
			i += len(m[0])
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), problems
}

// hasEnvRef reports whether s contains something expandEnv would expand.
func hasEnvRef(s string) bool {
	return strings.Contains(s, "${") || strings.Contains(s, "env_var")
}

// noEnv is the lookup used when LoadOptions.Env is nil: nothing is set.
func noEnv(string) (string, bool) { return "", false }
