// Package cli is cdw's command line: it maps flags to options of the engine
// packages and their results to text and exit codes. It is the only package
// that imports urfave/cli. The engine never prints; this package does.
//
// Exit codes: 0 success · 1 a model, test or extract failed · 2 invalid
// invocation or project · 130 interrupted.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/secrets"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitInvalid     = 2
	ExitInterrupted = 130
)

// Option configures Main.
type Option func(*settings)

type settings struct {
	extractors []extract.Extractor
	env        func(string) (string, bool)
	version    string
	// redactor masks resolved secrets in everything Main prints.
	redactor *secrets.Redactor
}

// WithExtractors makes extractors available to `cdw extract`. A project's
// own binary passes its list here (see extractors.All).
func WithExtractors(es ...extract.Extractor) Option {
	return func(s *settings) { s.extractors = append(s.extractors, es...) }
}

// WithEnv replaces the process environment (tests).
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(s *settings) { s.env = lookup }
}

// WithVersion sets the version `cdw --version` prints.
func WithVersion(v string) Option { return func(s *settings) { s.version = v } }

// Main runs cdw with args (args[0] is the program name) and returns the
// exit code. It never calls os.Exit, so tests call it in-process.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...Option) int {
	s := &settings{env: os.LookupEnv, version: "dev", redactor: secrets.NewRedactor()}
	for _, o := range opts {
		o(s)
	}
	// Everything printed passes through the redactor, so a secret resolved
	// at connect time never reaches a log, even inside a driver's error.
	out, errOut := s.redactor.Writer(stdout), s.redactor.Writer(stderr)
	app := newApp(s, stdin, out, errOut)
	err := app.RunContext(ctx, intersperse(app, args))
	code := exitCode(ctx, err, errOut)
	out.Flush()
	errOut.Flush()
	return code
}

// exitError carries an exit code and an optional message for stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// invalid marks a bad invocation or a bad project (exit 2).
func invalid(err error) error { return &exitError{code: ExitInvalid, err: err} }

func invalidf(format string, args ...any) error { return invalid(fmt.Errorf(format, args...)) }

// failed marks a run whose models, tests or files failed (exit 1). The
// results have been printed already; msg is a one-line summary or "".
func failed(msg string) error {
	if msg == "" {
		return &exitError{code: ExitFailed}
	}
	return &exitError{code: ExitFailed, err: errors.New(msg)}
}

func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "interrupted")
		return ExitInterrupted
	}
	if strings.HasPrefix(err.Error(), "Required flag") {
		// urfave/cli's missing-required-flag error is unexported; it is a usage error.
		fmt.Fprintln(stderr, "error: "+err.Error())
		return ExitInvalid
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "error: "+indent(ee.err.Error()))
		}
		return ee.code
	}
	// Anything else is the tool failing (a warehouse error, I/O).
	fmt.Fprintln(stderr, "error: "+indent(err.Error()))
	return ExitFailed
}

// indent keeps multi-line messages (lists of diagnostics) readable.
func indent(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	return "\n  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func newApp(s *settings, stdin io.Reader, stdout, stderr io.Writer) *ucli.App {
	app := &ucli.App{
		Name:                 "cdw",
		Usage:                "build a customer data warehouse: migrate, extract, run, test",
		Version:              s.version,
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: false,
		HideHelpCommand:      true,
		// Selectors use commas for intersection: never split flag values on them.
		DisableSliceFlagSeparator: true,
		Flags:                     globalFlags(),
		ExitErrHandler:            func(*ucli.Context, error) {}, // Main decides exit codes
		OnUsageError: func(c *ucli.Context, err error, isSub bool) error {
			return invalid(err)
		},
		CommandNotFound: func(c *ucli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "error: unknown command %q; see `cdw --help`\n", name)
		},
	}
	app.Commands = []*ucli.Command{
		migrateCommand(s),
		extractCommand(s),
		runCommand(s, "run"),
		runCommand(s, "test"),
		runCommand(s, "build"),
		seedCommand(s),
		snapshotCommand(s),
		freshnessCommand(s),
		retryCommand(s),
		compileCommand(s),
		lsCommand(s),
		showCommand(s),
		sampleCommand(s),
		debugCommand(s),
		envCommand(s),
		deployCommand(s),
		janitorCommand(s),
	}
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
	}
	app.Action = func(c *ucli.Context) error {
		if c.Args().Len() > 0 {
			return invalidf("unknown command %q; see `cdw --help`", c.Args().First())
		}
		return ucli.ShowAppHelp(c)
	}
	return app
}

func globalFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "project-dir", Value: ".", Usage: "the project's root folder (holds project.yml)", EnvVars: []string{"CDW_PROJECT_DIR"}},
		&ucli.StringFlag{Name: "target", Aliases: []string{"t"}, Usage: "target from project.yml (default: its target: key)", EnvVars: []string{"CDW_TARGET"}},
		&ucli.IntFlag{Name: "threads", Usage: "nodes to run at once (default: the target's threads)"},
		&ucli.StringFlag{Name: "vars", Usage: "YAML map overriding project vars, e.g. '{max_register_value: 999999}'"},
		&ucli.DurationFlag{Name: "lock-timeout", Value: 5 * time.Minute, Usage: "how long to wait for another run on the same target (its run lock, or a DuckDB file it holds); 0 fails at once", EnvVars: []string{"CDW_LOCK_TIMEOUT"}},
		&ucli.BoolFlag{Name: "override-prod-guard", Usage: "use a protected (prod) target from a ref that does not deploy to it; logged"},
		profilesDirFlag(),
	}
}
