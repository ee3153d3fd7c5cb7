package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/dag"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// rawSchema is where extractors land.
const rawSchema = "raw"

// landers describes the extractors to the project graph.
func landers(es []extract.Extractor) []project.Lander {
	out := make([]project.Lander, 0, len(es))
	for _, e := range es {
		l := project.Lander{Name: e.Name(), Schema: rawSchema}
		for _, s := range e.Streams() {
			l.Tables = append(l.Tables, s.Table)
		}
		out = append(out, l)
	}
	return out
}

// explicitExtractors keeps extractor nodes in ids only when a --select
// term names them itself (extract:NAME or resource_type:extractor, with or
// without graph operators): running an extractor calls an API or reads a
// folder, so `+readings` or a bare `cdw build` never does it by accident.
func explicitExtractors(p *project.Project, ids, exprs []string) ([]string, error) {
	named := map[string]bool{}
	for _, e := range exprs {
		for _, t := range strings.Fields(e) {
			for _, a := range strings.Split(t, ",") {
				base := strings.TrimLeft(strings.TrimPrefix(a, "@"), "0123456789")
				base = strings.TrimPrefix(base, "+")
				if i := strings.LastIndexByte(base, '+'); i >= 0 {
					base = base[:i]
				}
				if !strings.HasPrefix(base, "extract:") && base != "resource_type:"+project.KindExtractor {
					continue
				}
				matched, err := p.Graph.Select([]string{base}, nil, dag.SelectOptions{})
				if err != nil {
					return nil, err
				}
				for _, id := range matched {
					named[id] = true
				}
			}
		}
	}
	out := ids[:0:0]
	for _, id := range ids {
		if p.Nodes[id].Kind != project.KindExtractor || named[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// fileSettings are a file extractor's settings in project.yml.
type fileSettings struct {
	// From is the file or folder the extractor reads when it runs as a
	// node of `cdw run`/`cdw build` without --from.
	From string `yaml:"from"`
}

// nodeExtract returns run.Executor's Extract hook: it runs a file
// extractor over --from (or its `from:` setting) and an API extractor
// over its configured universe, writing the same lines as `cdw extract`.
// A file or account that fails makes the node an error, so models are not
// built over a partial landing.
func (w *workspace) nodeExtract(out io.Writer, a warehouse.Adapter, from string, fullRefresh bool) func(context.Context, string) run.Outcome {
	return func(ctx context.Context, name string) run.Outcome {
		var e extract.Extractor
		for _, x := range w.s.extractors {
			if x.Name() == name {
				e = x
			}
		}
		if e == nil {
			return errorOutcome(fmt.Errorf("extractor %s is not built into this binary", name))
		}
		if ue, ok := e.(extract.UnitExtractor); ok {
			r, err := extract.NewUnitRunner(a, rawSchema)
			if err != nil {
				return errorOutcome(err)
			}
			failedUnits, err := w.extractUnit(ctx, out, a, r, ue, unitRequest{fullRefresh: fullRefresh, mode: "lines"})
			switch {
			case err != nil:
				return errorOutcome(err)
			case failedUnits:
				return errorOutcome(fmt.Errorf("some units failed (recorded; retried on the next run)"))
			}
			return run.Outcome{Status: run.StatusSuccess, Message: "extracted", Rows: -1}
		}
		if from == "" {
			node, err := w.cfg.Extractor(name)
			if err != nil {
				return errorOutcome(err)
			}
			var fs fileSettings
			if node != nil {
				d := yamlx.NewDecoder(config.ProjectFile)
				d.Decode(node, "extractors."+name, &fs)
				if err := d.Diagnostics().Err(); err != nil {
					return errorOutcome(err)
				}
			}
			if fs.From == "" {
				return errorOutcome(fmt.Errorf("extractor %s: nothing to read: give --from PATH or set extractors.%s.from in project.yml", name, name))
			}
			from = w.path(fs.From)
		}
		sum, err := landFiles(ctx, out, w, a, w.s.extractors, []string{name}, from)
		if err != nil {
			return errorOutcome(err)
		}
		if sum.failed > 0 {
			return errorOutcome(fmt.Errorf("%d file(s) failed; the others landed: %s", sum.failed, sum))
		}
		return run.Outcome{Status: run.StatusSuccess, Message: sum.String(), Rows: sum.rows}
	}
}

func errorOutcome(err error) run.Outcome {
	return run.Outcome{Status: run.StatusError, Message: firstLine(err.Error()), Err: err, Rows: -1}
}

// pathOrEmpty resolves a command-line path, keeping "" (not given).
func (w *workspace) pathOrEmpty(p string) string {
	if p == "" {
		return ""
	}
	return w.pathFromCwd(p)
}
