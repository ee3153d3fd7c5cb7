package deploy

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
)

// Resolution is where a ref deploys, and why.
type Resolution struct {
	Ref Ref
	// Environment is the matched environment's route; zero when !Matched.
	Environment config.EnvironmentRoute
	// Matched is false when no environment takes the ref.
	Matched bool
	// Reason explains the decision in one line, e.g. `branch develop (from
	// git) matches environments.uat.branches "develop"`.
	Reason string
}

// Resolve maps ref to the first environment, in routes order, that takes
// it: pull requests go to an environment with pull_requests: true, tags
// to one whose tags patterns match, branches to one whose branches
// patterns match. Patterns use path.Match (`*` does not cross `/`). It is
// pure and never fails; an unmatched ref has Matched false and a Reason
// saying so.
func Resolve(routes []config.EnvironmentRoute, ref Ref) Resolution {
	res := Resolution{Ref: ref}
	from := ref.String() + " (from " + ref.Source + ")"
	for _, r := range routes {
		switch ref.Kind {
		case PullRequest:
			if r.PullRequests {
				res.Environment, res.Matched = r, true
				res.Reason = fmt.Sprintf("%s goes to environments.%s (pull_requests: true)", from, r.Name)
				return res
			}
		case Tag, Branch:
			pats, key := r.Branches, "branches"
			if ref.Kind == Tag {
				pats, key = r.Tags, "tags"
			}
			for _, p := range pats {
				if ok, _ := path.Match(p, ref.Name); ok {
					res.Environment, res.Matched = r, true
					res.Reason = fmt.Sprintf("%s matches environments.%s.%s %q", from, r.Name, key, p)
					return res
				}
			}
		}
	}
	res.Reason = from + " matches no environment (" + describeRoutes(routes) + ")"
	return res
}

// describeRoutes summarises the routes: `uat: develop; prod: master, tags v*`.
func describeRoutes(routes []config.EnvironmentRoute) string {
	if len(routes) == 0 {
		return "no environments are declared"
	}
	parts := make([]string, 0, len(routes))
	for _, r := range routes {
		var takes []string
		takes = append(takes, r.Branches...)
		if len(r.Tags) > 0 {
			takes = append(takes, "tags "+strings.Join(r.Tags, ", "))
		}
		if r.PullRequests {
			takes = append(takes, "pull requests")
		}
		if len(takes) == 0 {
			takes = append(takes, "nothing")
		}
		parts = append(parts, r.Name+": "+strings.Join(takes, ", "))
	}
	return strings.Join(parts, "; ")
}

// ErrGuard is wrapped by the error Guard returns when it refuses.
var ErrGuard = errors.New("prod guard")

// GuardError is the prod guard refusing a protected target.
type GuardError struct {
	// Target is the refused target; Protected the environment(s) it is
	// protected by.
	Target    string
	Protected []string
	// Resolution is where the current ref deploys.
	Resolution Resolution
}

func (e *GuardError) Error() string {
	where := "deploys to no environment"
	if e.Resolution.Matched {
		where = "deploys to " + e.Resolution.Environment.Name
	}
	return fmt.Sprintf("prod guard: target %s belongs to protected environment %s, but %s (from %s) %s; "+
		"run from a ref that maps to %s, or pass --override-prod-guard (the override is logged)",
		e.Target, strings.Join(e.Protected, ", "), e.Resolution.Ref, e.Resolution.Ref.Source, where, strings.Join(e.Protected, ", "))
}

func (e *GuardError) Unwrap() error { return ErrGuard }

// Guard refuses a target that belongs to a protected environment unless
// res resolved to that very environment. Targets of no protected
// environment always pass. It returns nil or a *GuardError (wrapping
// ErrGuard).
func Guard(routes []config.EnvironmentRoute, target string, res Resolution) error {
	var protected []string
	for _, r := range routes {
		if r.Target != target || !r.Protected {
			continue
		}
		if res.Matched && res.Environment.Name == r.Name {
			return nil
		}
		protected = append(protected, r.Name)
	}
	if len(protected) == 0 {
		return nil
	}
	return &GuardError{Target: target, Protected: protected, Resolution: res}
}

// IsProtected reports whether target belongs to a protected environment.
func IsProtected(routes []config.EnvironmentRoute, target string) bool {
	for _, r := range routes {
		if r.Target == target && r.Protected {
			return true
		}
	}
	return false
}
