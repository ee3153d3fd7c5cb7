package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/deploy"
	"github.com/cdw-dev/cdw/internal/secrets"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/redshift"
)

// envState is what the workspace knows about deployment environments:
// the environment its target belongs to (if any) and how the prod guard
// is to be applied.
type envState struct {
	// environment is the target's environment, resolved (nil: none).
	environment *config.Environment
	// overrideGuard is --override-prod-guard; errOut receives its log line.
	overrideGuard bool
	errOut        io.Writer
	// noRegister keeps open from recording the per-PR schema (the janitor
	// must not make the schema it runs with look fresh).
	noRegister bool
}

// loadEnvironment resolves the environment of the workspace's target and
// layers its vars under --vars.
func (w *workspace) loadEnvironment(c *ucli.Context) error {
	w.env = envState{overrideGuard: c.Bool("override-prod-guard"), errOut: c.App.ErrWriter}
	route, ok := w.cfg.EnvironmentForTarget(w.targetName)
	if !ok {
		return nil
	}
	env, err := w.cfg.Environment(route.Name)
	if err != nil {
		return invalid(err)
	}
	w.env.environment = &env
	if len(env.Vars) > 0 {
		if w.vars == nil {
			w.vars = map[string]any{}
		}
		for k, v := range env.Vars {
			if _, set := w.vars[k]; !set {
				w.vars[k] = v
			}
		}
	}
	return nil
}

// resolution detects the git ref and maps it to an environment. A ref that
// cannot be detected resolves to no environment, with the reason.
func (w *workspace) resolution(ctx context.Context) deploy.Resolution {
	ref, err := deploy.DetectRef(ctx, w.s.env, w.dir)
	if err != nil {
		return deploy.Resolution{Ref: deploy.Ref{Kind: "ref", Name: "(unknown)", Source: "nowhere"}, Reason: err.Error()}
	}
	return deploy.Resolve(w.cfg.EnvironmentRoutes(), ref)
}

// guard applies the prod guard to the workspace's target: a target of a
// protected environment is refused unless the current ref deploys to that
// environment, or --override-prod-guard is given (then a warning is
// logged to stderr). Targets of no protected environment pass without
// looking at git.
func (w *workspace) guard(ctx context.Context) error {
	routes := w.cfg.EnvironmentRoutes()
	if !deploy.IsProtected(routes, w.targetName) {
		return nil
	}
	res := w.resolution(ctx)
	err := deploy.Guard(routes, w.targetName, res)
	if err == nil {
		return nil
	}
	if w.env.overrideGuard {
		who := "(unknown user)"
		// The person behind the run: the shell's user, else the CI's.
		for _, k := range []string{"USER", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BITBUCKET_STEP_TRIGGERER_UUID", "LOGNAME"} {
			if v, ok := w.s.env(k); ok && v != "" {
				who = v
				break
			}
		}
		fmt.Fprintf(w.env.errOut, "WARNING: prod guard overridden with --override-prod-guard: target %s used from %s (from %s) by %q at %s\n",
			w.targetName, res.Ref, res.Ref.Source, who, time.Now().UTC().Format(time.RFC3339))
		return nil
	}
	return invalid(err)
}

// resolvedTarget returns the target with secret references resolved
// (secret://NAME#KEY through AWS Secrets Manager) and every secret
// registered for redaction. The workspace's own target keeps the
// references, so nothing printed from it holds a secret.
func (w *workspace) resolvedTarget(ctx context.Context) (config.Target, error) {
	t := w.target
	r := secrets.NewResolver(secrets.NewAWSClient(w.s.env), w.s.redactor)
	if err := r.ResolveAll(ctx, &t.URL, &t.Host, &t.User, &t.Password, &t.DBName); err != nil {
		return config.Target{}, fmt.Errorf("target %s: %w", w.targetName, err)
	}
	w.s.redactor.Add(t.Password)
	if u, err := url.Parse(t.URL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			w.s.redactor.Add(p)
		}
	}
	return t, nil
}

// openRedshift connects to a Redshift target, staging bulk loads on the
// environment's landing bucket when it has one.
func (w *workspace) openRedshift(ctx context.Context, t config.Target) (warehouse.Adapter, error) {
	opts := redshift.Options{URL: postgresURL(t), MaxConns: t.Threads + 2}
	if env := w.env.environment; env != nil && env.Landing != nil {
		l := *env.Landing
		r := secrets.NewResolver(secrets.NewAWSClient(w.s.env), w.s.redactor)
		if err := r.ResolveAll(ctx, &l.Bucket, &l.IAMRole); err != nil {
			return nil, err
		}
		cfg, err := secrets.LoadAWSConfig(ctx, w.s.env)
		if err != nil {
			return nil, err
		}
		client := s3.NewFromConfig(cfg, func(o *s3.Options) {
			if l.Region != "" {
				o.Region = l.Region
			}
			if l.Endpoint != "" {
				o.BaseEndpoint, o.UsePathStyle = aws.String(l.Endpoint), true
			}
		})
		opts.Staging = &redshift.Staging{S3: client, Bucket: l.Bucket, Prefix: l.Prefix, IAMRole: l.IAMRole, Region: l.Region}
	}
	return redshift.Open(ctx, opts)
}

// registerEphemeral records the target schema of an ephemeral (per-PR)
// environment in the janitor's registry.
func (w *workspace) registerEphemeral(ctx context.Context, a warehouse.Adapter) error {
	env := w.env.environment
	if env == nil || !env.Ephemeral || w.env.noRegister || !strings.HasPrefix(w.target.Schema, env.SchemaPrefix) {
		return nil
	}
	ref := w.resolution(ctx).Ref.String()
	if err := deploy.RegisterSchema(ctx, a, w.target.Schema, env.Name, ref, time.Now()); err != nil {
		return fmt.Errorf("target %s: %w", w.targetName, err)
	}
	return nil
}

func envCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:        "env",
		Usage:       "print the environment this git ref deploys to, its target, and why",
		Flags:       []ucli.Flag{&ucli.StringFlag{Name: "output", Value: "text", Usage: "text or json"}},
		Subcommands: []*ucli.Command{schedulesCommand(s)},
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return invalidf("unknown env command %q (schedules)", c.Args().First())
			}
			w, err := loadWorkspace(c, s)
			if err != nil {
				return err
			}
			res := w.resolution(c.Context)
			out := envReport{Ref: res.Ref.String(), RefSource: res.Ref.Source, Reason: res.Reason}
			if res.Matched {
				out.Environment = res.Environment.Name
				out.Target = res.Environment.Target
				out.Protected = res.Environment.Protected
				out.Ephemeral = res.Environment.Ephemeral
			}
			if c.IsSet("target") {
				out.Requested = w.targetName
				if err := deploy.Guard(w.cfg.EnvironmentRoutes(), w.targetName, res); err != nil {
					out.Guard = err.Error()
				} else {
					out.Guard = "ok"
				}
			}
			if !w.cfg.EnvironmentsDeclared() {
				out.Note = "project.yml has no environments: section; using the defaults (develop → uat, release/* → preprod, master/main and v* tags → prod)"
			}
			return out.write(c.App.Writer, c.String("output"))
		},
	}
}

// envReport is what `cdw env` prints.
type envReport struct {
	Environment string `json:"environment"`
	Target      string `json:"target"`
	Ref         string `json:"ref"`
	RefSource   string `json:"ref_source"`
	Reason      string `json:"reason"`
	Protected   bool   `json:"protected"`
	Ephemeral   bool   `json:"ephemeral"`
	Requested   string `json:"requested_target,omitempty"`
	Guard       string `json:"guard,omitempty"`
	Note        string `json:"note,omitempty"`
}

func (e envReport) write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	case "text":
	default:
		return invalidf("--output must be text or json, got %q", format)
	}
	env, target := e.Environment, e.Target
	if env == "" {
		env, target = "none", "none (commands use the target: of project.yml or --target)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "environment: %s\n", env)
	fmt.Fprintf(&b, "target:      %s\n", target)
	fmt.Fprintf(&b, "ref:         %s (from %s)\n", e.Ref, e.RefSource)
	fmt.Fprintf(&b, "why:         %s\n", e.Reason)
	if e.Environment != "" {
		fmt.Fprintf(&b, "protected:   %v\n", e.Protected)
	}
	if e.Requested != "" {
		fmt.Fprintf(&b, "--target %s: %s\n", e.Requested, e.Guard)
	}
	if e.Note != "" {
		fmt.Fprintf(&b, "note:        %s\n", e.Note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// schedulesCommand is `cdw env schedules`: the scheduled cdw invocations
// of each environment, for a scheduler of the user's choice.
func schedulesCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "schedules",
		Usage: "print each environment's schedules (environments.<env>.schedules); --crontab prints crontab lines",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "environment", Aliases: []string{"e"}, Usage: "only this environment"},
			&ucli.BoolFlag{Name: "crontab", Usage: "crontab(5) lines (UTC), each job's commands joined with &&"},
		},
		Action: func(c *ucli.Context) error { return scheduleList(c, s) },
	}
}

func scheduleList(c *ucli.Context, s *settings) error {
	w, err := loadWorkspace(c, s)
	if err != nil {
		return err
	}
	only := c.String("environment")
	out := c.App.Writer
	found := false
	for _, r := range w.cfg.EnvironmentRoutes() {
		if only != "" && r.Name != only {
			continue
		}
		env, err := w.cfg.Environment(r.Name)
		if err != nil {
			return invalid(err)
		}
		found = found || only != ""
		if len(env.Schedules) == 0 {
			continue
		}
		if !c.Bool("crontab") {
			fmt.Fprintf(out, "%s (target %s)\n", env.Name, env.Target)
		}
		for _, sc := range env.Schedules {
			cmds := make([]string, len(sc.Run))
			for i, r := range sc.Run {
				cmds[i] = "cdw --target " + env.Target + " " + r
			}
			if c.Bool("crontab") {
				fmt.Fprintf(out, "# %s/%s: %s\n%s cd %s && %s\n", env.Name, sc.Name, sc.Description, sc.Cron, shellQuote(w.dir), strings.Join(cmds, " && "))
				continue
			}
			fmt.Fprintf(out, "  %-24s %-16s %s\n", sc.Name, sc.Cron, strings.Join(cmds, " && "))
			if sc.Description != "" {
				fmt.Fprintf(out, "  %-24s %-16s # %s\n", "", "", sc.Description)
			}
		}
	}
	if only != "" && !found {
		_, err := w.cfg.Environment(only)
		return invalid(err)
	}
	return nil
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
