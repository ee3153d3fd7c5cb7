package config

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Environments: the `environments:` section of project.yml maps deployment
// environments (uat, preprod, prod, per-PR CI, ...) to a target and to the
// git refs that deploy to them, and holds each environment's own settings
// (vars such as sample sizes and account limits, S3 landing for Redshift,
// schedules). Code never tests an environment's name: every difference
// between environments is a setting here.
//
//	environments:
//	  uat:
//	    target: uat
//	    branches: [develop]
//	    vars: {account_limit: 24}
//	    landing: {bucket: "${CDW_UAT_BUCKET}", iam_role: "${CDW_UAT_COPY_ROLE}", region: eu-west-1}
//	    schedules:
//	      - {name: evening_readings, cron: "0 18 * * *", run: ["build --select readings+"]}
//	  prod:
//	    target: prod
//	    branches: [master, main]
//	    tags: ["v*"]
//	    protected: true
//
// Routing keys (target, branches, tags, pull_requests, protected,
// ephemeral) are read at load time and may not hold environment
// references: which environment a branch deploys to must be known without
// credentials. The other keys are expanded lazily by Environment, like
// targets, so a variable only prod needs is only required when prod is
// used.

// EnvironmentRoute is the routing part of an environment: how git refs map
// to it and how it is guarded. It is known at load time.
type EnvironmentRoute struct {
	// Name is the key under environments:.
	Name string
	// Target names the target in targets: that the environment deploys to.
	Target string
	// Branches are path.Match patterns of branch names ("develop",
	// "release/*"; `*` does not cross `/`).
	Branches []string
	// Tags are path.Match patterns of tag names ("v*").
	Tags []string
	// PullRequests routes pull/merge-request builds here (slim CI).
	PullRequests bool
	// Protected environments (production) refuse to be used unless the
	// current ref routes to them (the prod guard).
	Protected bool
	// Ephemeral environments build into throw-away schemas (one per pull
	// request) that `cdw janitor` drops when they grow old.
	Ephemeral bool
	// Pos is where the environment is declared ({} for the defaults).
	Pos yamlx.Pos
}

// Environment is a resolved environment: its route plus its settings,
// with environment references expanded.
type Environment struct {
	EnvironmentRoute
	// Description is free text for `cdw env`.
	Description string
	// Vars override project vars (and are overridden by --vars) when the
	// environment's target is used. Never nil.
	Vars map[string]any
	// Landing is where bulk loads are staged on S3 (Redshift COPY); nil
	// when the environment has none.
	Landing *Landing
	// Schedules are the environment's scheduled cdw invocations.
	Schedules []Schedule
	// SchemaPrefix (required when Ephemeral) is how per-PR schemas start:
	// only target schemas with it are registered for the janitor, and only
	// registered schemas with it are ever dropped.
	SchemaPrefix string
}

// Landing is an S3 staging area for bulk loads into Redshift.
type Landing struct {
	// Bucket is the S3 bucket (required).
	Bucket string `yaml:"bucket" yamlx:"required"`
	// Prefix is the key prefix under which each load writes its parts and
	// manifest ("" = the bucket root).
	Prefix string `yaml:"prefix"`
	// IAMRole is the ARN of the role Redshift assumes to read the bucket
	// (COPY ... IAM_ROLE), required.
	IAMRole string `yaml:"iam_role" yamlx:"required"`
	// Region is the bucket's AWS region ("" = the SDK's default).
	Region string `yaml:"region"`
	// Endpoint overrides the S3 endpoint (S3-compatible stores, tests).
	Endpoint string `yaml:"endpoint"`
}

// Schedule is one scheduled job: cdw invocations run in order, on a cron
// schedule in UTC, by a scheduler of the user's choice.
type Schedule struct {
	// Name identifies the schedule within its environment.
	Name string `yaml:"name" yamlx:"required"`
	// Cron is a five-field cron expression (minute hour day-of-month month
	// day-of-week), in UTC.
	Cron string `yaml:"cron" yamlx:"required"`
	// Run lists cdw command lines without the leading "cdw", run in order;
	// a failing one stops the job.
	Run []string `yaml:"run" yamlx:"required"`
	// Description says what the job does.
	Description string `yaml:"description"`
	// Pos is where the schedule is declared.
	Pos yamlx.Pos `yaml:"-"`
}

// environmentFile is the raw shape of one environment.
type environmentFile struct {
	Target       string         `yaml:"target" yamlx:"required"`
	Branches     []string       `yaml:"branches"`
	Tags         []string       `yaml:"tags"`
	PullRequests bool           `yaml:"pull_requests"`
	Protected    bool           `yaml:"protected"`
	Ephemeral    bool           `yaml:"ephemeral"`
	Description  string         `yaml:"description"`
	Vars         map[string]any `yaml:"vars"`
	Landing      *Landing       `yaml:"landing"`
	Schedules    []Schedule     `yaml:"schedules"`
	SchemaPrefix string         `yaml:"schema_prefix"`
	Pos          yamlx.Pos
}

// routingKeys may not hold environment references.
var routingKeys = []string{"target", "branches", "tags", "pull_requests", "protected", "ephemeral"}

// DefaultEnvironments are used when project.yml has no environments:
// section: the seed system's git flow, each environment deploying to the
// target of the same name — develop → uat, release/* → preprod, master,
// main and v* tags → prod. Nothing is protected by default: the prod guard
// applies to environments declared with protected: true, so a project
// that names a scratch target "prod" is not refused by surprise.
func DefaultEnvironments() []EnvironmentRoute {
	return []EnvironmentRoute{
		{Name: "uat", Target: "uat", Branches: []string{"develop"}},
		{Name: "preprod", Target: "preprod", Branches: []string{"release/*"}},
		{Name: "prod", Target: "prod", Branches: []string{"master", "main"}, Tags: []string{"v*"}},
	}
}

// loadEnvironments validates the environments: section and records its
// routes and raw nodes. Values are expanded with every variable treated as
// set, so only the shape and the routing keys are checked here.
func (p *Project) loadEnvironments(d *yamlx.Decoder, n *yaml.Node) {
	p.environments = make(map[string]*yaml.Node)
	n = d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return
	}
	p.environmentsDeclared = true
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, "environments", "a mapping of environment names to environments")
		return
	}
	for _, pair := range d.Pairs(n, "environments") {
		name, field := pair.Key.Value, yamlx.Field("environments", pair.Key.Value)
		val := d.Resolve(pair.Value)
		if val == nil {
			continue
		}
		if !projectName.MatchString(name) {
			d.Reportf(pair.Key, field, "%q is not a valid environment name; use lowercase letters, digits and underscores", name)
			continue
		}
		if val.Kind == yaml.MappingNode {
			for _, kv := range d.Pairs(val, field) {
				if slices.Contains(routingKeys, kv.Key.Value) && nodeHasEnvRef(d.Resolve(kv.Value)) {
					d.Reportf(kv.Value, yamlx.Field(field, kv.Key.Value),
						"environment references are not allowed in routing keys (%s): the environment of a branch must be known without credentials",
						strings.Join(routingKeys, ", "))
				}
			}
		}
		ex := &expander{d: d, env: checkLookup, memo: make(map[*yaml.Node]*yaml.Node)}
		var raw environmentFile
		d.Decode(ex.copy(val, field), field, &raw)
		route := EnvironmentRoute{
			Name: name, Target: raw.Target, Branches: raw.Branches, Tags: raw.Tags,
			PullRequests: raw.PullRequests, Protected: raw.Protected, Ephemeral: raw.Ephemeral, Pos: raw.Pos,
		}
		p.checkRoute(d, val, field, route)
		if raw.Ephemeral && raw.SchemaPrefix == "" {
			d.Reportf(val, field, "ephemeral environments need schema_prefix (e.g. cdw_pr_): only schemas starting with it are registered and dropped by the janitor")
		}
		for i, s := range raw.Schedules {
			if msg := CheckCron(s.Cron); msg != "" && !hasEnvRef(s.Cron) {
				d.Report(scheduleNode(d, val, i), yamlx.Field(yamlx.Elem(yamlx.Field(field, "schedules"), i), "cron"), msg)
			}
		}
		p.environments[name] = val
		p.environmentRoutes = append(p.environmentRoutes, route)
	}
}

// checkRoute validates a route's target and patterns.
func (p *Project) checkRoute(d *yamlx.Decoder, n *yaml.Node, field string, r EnvironmentRoute) {
	if r.Target != "" {
		if _, ok := p.targets[r.Target]; !ok {
			d.Report(valueNode(d, n, "target"), yamlx.Field(field, "target"), p.unknownTargetMessage(r.Target))
		}
	}
	for key, pats := range map[string][]string{"branches": r.Branches, "tags": r.Tags} {
		for i, pat := range pats {
			if _, err := path.Match(pat, ""); err != nil || pat == "" {
				d.Reportf(valueNode(d, n, key), yamlx.Elem(yamlx.Field(field, key), i), "%q is not a valid pattern (path.Match syntax: *, ?, [a-z])", pat)
			}
		}
	}
}

// scheduleNode returns the node of the i-th schedule, for positions.
func scheduleNode(d *yamlx.Decoder, env *yaml.Node, i int) *yaml.Node {
	s := d.Resolve(valueNode(d, env, "schedules"))
	if s == nil || s.Kind != yaml.SequenceNode || i >= len(s.Content) {
		return env
	}
	return valueNode(d, d.Resolve(s.Content[i]), "cron")
}

// nodeHasEnvRef reports whether any scalar under n holds an environment
// reference.
func nodeHasEnvRef(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return n.ShortTag() == "!!str" && hasEnvRef(n.Value)
	}
	for _, c := range n.Content {
		if nodeHasEnvRef(c) {
			return true
		}
	}
	return false
}

// EnvironmentsDeclared reports whether project.yml has an environments:
// section (otherwise EnvironmentRoutes returns DefaultEnvironments).
func (p *Project) EnvironmentsDeclared() bool { return p.environmentsDeclared }

// EnvironmentRoutes returns every environment's route in declaration order
// (the order in which refs are matched), or DefaultEnvironments when the
// section is absent. The result is a copy.
func (p *Project) EnvironmentRoutes() []EnvironmentRoute {
	if !p.environmentsDeclared {
		return DefaultEnvironments()
	}
	out := make([]EnvironmentRoute, len(p.environmentRoutes))
	for i, r := range p.environmentRoutes {
		r.Branches, r.Tags = slices.Clone(r.Branches), slices.Clone(r.Tags)
		out[i] = r
	}
	return out
}

// EnvironmentForTarget returns the first environment (in declaration
// order) that deploys to the named target; ok is false when none does.
func (p *Project) EnvironmentForTarget(target string) (EnvironmentRoute, bool) {
	for _, r := range p.EnvironmentRoutes() {
		if r.Target == target {
			return r, true
		}
	}
	return EnvironmentRoute{}, false
}

// Environment resolves the named environment, expanding its environment
// references now. A missing variable is a yamlx.Diagnostics error at the
// value (e.g. `project.yml:40:17: environments.prod.landing.bucket:
// environment variable CDW_PROD_BUCKET is not set`). An undeclared name is
// an error naming the declared ones. Without an environments: section the
// defaults resolve with no settings.
func (p *Project) Environment(name string) (Environment, error) {
	var route EnvironmentRoute
	found := false
	for _, r := range p.EnvironmentRoutes() {
		if r.Name == name {
			route, found = r, true
			break
		}
	}
	if !found {
		names := make([]string, 0)
		for _, r := range p.EnvironmentRoutes() {
			names = append(names, r.Name)
		}
		msg := fmt.Sprintf("no environment named %q", name)
		if s := yamlx.Suggest(name, names); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return Environment{}, fmt.Errorf("config: %s (environments: %s)", msg, strings.Join(names, ", "))
	}
	env := Environment{EnvironmentRoute: route, Vars: map[string]any{}}
	n, ok := p.environments[name]
	if !ok {
		return env, nil
	}
	field := yamlx.Field("environments", name)
	d := yamlx.NewDecoder(ProjectFile)
	ex := &expander{d: d, env: p.env, memo: make(map[*yaml.Node]*yaml.Node)}
	var raw environmentFile
	d.Decode(ex.copy(n, field), field, &raw)
	if err := d.Diagnostics().Err(); err != nil {
		return Environment{}, err
	}
	env.Description = raw.Description
	if raw.Vars != nil {
		env.Vars = raw.Vars
	}
	env.Landing = raw.Landing
	env.SchemaPrefix = raw.SchemaPrefix
	env.Schedules = raw.Schedules
	if s := d.Resolve(valueNode(d, n, "schedules")); s != nil && s.Kind == yaml.SequenceNode {
		for i := range env.Schedules {
			if i < len(s.Content) {
				env.Schedules[i].Pos = d.Pos(d.Resolve(s.Content[i]))
			}
		}
	}
	for i, s := range env.Schedules {
		if msg := CheckCron(s.Cron); msg != "" {
			return Environment{}, yamlx.Diagnostics{yamlx.At(s.Pos, yamlx.Prefix(fmt.Sprintf("%s.schedules[%d].cron", field, i), msg))}
		}
	}
	return env, nil
}

// cronFields are the five fields of a cron expression with their ranges.
var cronFields = []struct {
	name     string
	min, max int
}{{"minute", 0, 59}, {"hour", 0, 23}, {"day of month", 1, 31}, {"month", 1, 12}, {"day of week", 0, 7}}

// CheckCron validates a five-field cron expression (numbers, *, ranges
// a-b, lists a,b and steps */n or a-b/n; no names, no @macros) and
// returns "" or a message saying what is wrong.
func CheckCron(expr string) string {
	fields := strings.Fields(expr)
	if len(fields) != len(cronFields) {
		return fmt.Sprintf("%q: a cron expression has 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(fields))
	}
	for i, f := range fields {
		spec := cronFields[i]
		for _, part := range strings.Split(f, ",") {
			rng, step, hasStep := strings.Cut(part, "/")
			if hasStep {
				if n, err := strconv.Atoi(step); err != nil || n < 1 {
					return fmt.Sprintf("%q: %s step %q is not a positive number", expr, spec.name, step)
				}
			}
			if rng == "*" {
				continue
			}
			lo, hi, isRange := strings.Cut(rng, "-")
			a, errA := strconv.Atoi(lo)
			b := a
			var errB error
			if isRange {
				b, errB = strconv.Atoi(hi)
			}
			if errA != nil || errB != nil {
				return fmt.Sprintf("%q: %s %q is not a number, range or *", expr, spec.name, part)
			}
			if a < spec.min || b > spec.max || a > b {
				return fmt.Sprintf("%q: %s %q is outside %d-%d", expr, spec.name, part, spec.min, spec.max)
			}
		}
	}
	return ""
}

// withoutKey returns a shallow copy of the mapping root without key, and
// key's raw value (nil when absent), so that the section can be expanded
// lazily instead of with the rest of the file.
func withoutKey(root *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if root == nil || root.Kind != yaml.MappingNode {
		return root, nil
	}
	var val *yaml.Node
	out := *root
	out.Content = make([]*yaml.Node, 0, len(root.Content))
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == key && val == nil {
			val = root.Content[i+1]
			continue
		}
		out.Content = append(out.Content, k, root.Content[i+1])
	}
	return &out, val
}
