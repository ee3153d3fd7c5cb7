package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/artifacts"
	"github.com/cdw-dev/cdw/internal/deploy"
	"github.com/cdw-dev/cdw/internal/migrate"
)

// DeployResultsFile is the deploy report written into the target folder.
const DeployResultsFile = "deploy_results.json"

func deployCommand(s *settings) *ucli.Command {
	flags := append(selectionFlags(), deferFlags()...)
	flags = append(flags,
		&ucli.BoolFlag{Name: "fail-fast", Aliases: []string{"x"}, Usage: "stop the build at the first failure"},
		&ucli.BoolFlag{Name: "full-refresh", Usage: "rebuild incremental models from scratch"},
	)
	return &ucli.Command{
		Name: "deploy",
		Usage: "deploy this git ref to its environment: migrate up, build (models and tests), artifacts; " +
			"exit 0 deployed, 1 a step failed, 2 refused (prod guard, no environment) or invalid",
		Flags:  flags,
		Action: func(c *ucli.Context) error { return deployRun(c, s) },
	}
}

func deployRun(c *ucli.Context, s *settings) error {
	if c.Args().Len() > 0 {
		return invalidf("deploy takes no arguments; select nodes with --select")
	}
	ctx := c.Context
	out := c.App.Writer
	// Where does this ref deploy? Without --target, to its environment's
	// target; a ref of no environment cannot deploy.
	w, err := loadWorkspace(c, s)
	if err != nil {
		return err
	}
	res := w.resolution(ctx)
	if !c.IsSet("target") {
		if !res.Matched {
			return invalidf("nothing to deploy: %s; pass --target to choose one", res.Reason)
		}
		if err := c.Set("target", res.Environment.Target); err != nil {
			return err
		}
		if w, err = loadWorkspace(c, s); err != nil {
			return err
		}
	}
	report := &deploy.Report{Target: w.targetName, Ref: res.Ref.String() + " (from " + res.Ref.Source + ")", Reason: res.Reason}
	if env := w.env.environment; env != nil {
		report.Environment = env.Name
	} else {
		report.Environment = "(none)"
	}
	if err := w.guard(ctx); err != nil {
		return err
	}
	if env := w.env.environment; env != nil && env.Ephemeral && res.Ref.Kind == deploy.PullRequest && !strings.HasPrefix(w.target.Schema, env.SchemaPrefix) {
		// Building a pull request into the target's shared schema would
		// overwrite what everyone else reads there.
		return invalidf("%s deploys to the ephemeral environment %s, but target %s's schema %q does not start with its schema_prefix %q: give the pull request a schema of its own (e.g. CDW_SCHEMA=%s%s, as the CI templates do)",
			res.Ref, env.Name, w.targetName, w.target.Schema, env.SchemaPrefix, env.SchemaPrefix, res.Ref.PR)
	}
	report.Override = deploy.Guard(w.cfg.EnvironmentRoutes(), w.targetName, res) != nil
	why := res.Reason
	if c.IsSet("target") && (!res.Matched || res.Environment.Target != w.targetName) {
		// The environment is the target's, not the ref's: say so.
		why = fmt.Sprintf("target %s from --target (environment %s is that target's); the ref itself: %s", w.targetName, report.Environment, res.Reason)
	}
	fmt.Fprintf(out, "deploy: %s → environment %s, target %s\n  %s\n", res.Ref, report.Environment, w.targetName, why)

	start := time.Now()
	err = report.Run(ctx, []deploy.Step{
		{Name: "migrate", Run: func(ctx context.Context) (string, error) { return deployMigrate(ctx, w) }},
		{Name: "build", Run: func(ctx context.Context) (string, error) {
			if err := runRun(c, s, "build"); err != nil {
				return "", err
			}
			return "", nil
		}},
		{Name: "artifacts", Run: func(ctx context.Context) (string, error) { return deployArtifacts(w, start) }},
	})
	summaryErr := report.WriteSummary(out)
	jsonErr := report.WriteJSON(filepath.Join(w.targetDir(), DeployResultsFile))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == ExitInvalid {
			return err
		}
		return failed(fmt.Sprintf("deploy to %s failed at %s", report.Environment, report.FailedStep()))
	}
	return errors.Join(summaryErr, jsonErr)
}

// deployMigrate applies pending migrations and says how many.
func deployMigrate(ctx context.Context, w *workspace) (string, error) {
	a, err := w.open(ctx)
	if err != nil {
		return "", err
	}
	defer a.Close()
	m, err := migrate.New(a.DB(), a.Dialect().Name(), os.DirFS(w.path(w.cfg.Paths.Migrations)))
	if err != nil {
		return "", invalid(err)
	}
	res, err := m.Up(ctx)
	if err != nil {
		return "", err
	}
	v, _ := m.Version(ctx)
	return fmt.Sprintf("applied %d migration(s), at version %d", len(res), v), nil
}

// deployArtifacts checks the build left its artifacts (manifest.json for
// the next slim CI's --state, run_results.json) and counts the results.
func deployArtifacts(w *workspace, since time.Time) (string, error) {
	dir := w.targetDir()
	for _, f := range []string{artifacts.ManifestFile, artifacts.RunResultsFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			return "", fmt.Errorf("the build left no %s: %w", f, err)
		}
		if st.ModTime().Before(since.Add(-time.Second)) {
			return "", fmt.Errorf("%s is older than this deploy", f)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, artifacts.RunResultsFile))
	if err != nil {
		return "", err
	}
	var rr struct {
		Results []struct {
			Status string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &rr); err != nil {
		return "", fmt.Errorf("read %s: %w", artifacts.RunResultsFile, err)
	}
	counts := map[string]int{}
	var order []string
	for _, r := range rr.Results {
		if counts[r.Status] == 0 {
			order = append(order, r.Status)
		}
		counts[r.Status]++
	}
	msg := fmt.Sprintf("%s/{%s,%s,%s}:", filepath.Base(dir), artifacts.ManifestFile, artifacts.RunResultsFile, DeployResultsFile)
	for _, st := range order {
		msg += fmt.Sprintf(" %d %s", counts[st], st)
	}
	return msg, nil
}
