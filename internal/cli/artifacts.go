package cli

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/artifacts"
	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
)

// invocation is one command's identity and start, shared by its artifacts.
type invocation struct {
	id    string
	start time.Time
}

func (w *workspace) metadata(inv invocation) artifacts.Metadata {
	return artifacts.Metadata{
		CDWVersion: w.s.version, GeneratedAt: artifacts.Now(time.Now()), InvocationID: inv.id,
		ProjectName: w.cfg.Name, AdapterType: w.target.Type, TargetName: w.targetName,
	}
}

// targetDir is the artifacts folder (paths.target).
func (w *workspace) targetDir() string { return w.path(w.cfg.Paths.Target) }

// writeManifest writes target/manifest.json for the loaded project.
func (w *workspace) writeManifest(p *project.Project, inv invocation) error {
	return artifacts.WriteManifest(w.targetDir(), artifacts.BuildManifest(p, w.metadata(inv)))
}

// writeRunArtifacts writes the manifest, run_results.json (with args, so
// `cdw retry` can replay the command) and the SQL each node ran under
// target/run/.
func (w *workspace) writeRunArtifacts(p *project.Project, inv invocation, results []run.Result, args map[string]any) error {
	if err := w.writeManifest(p, inv); err != nil {
		return err
	}
	// run_results.json first: `cdw retry` and result: selection read it,
	// so a problem with one node's SQL file must not leave the last run's.
	rr := artifacts.BuildRunResults(p, results, w.metadata(inv), time.Since(inv.start), args)
	if err := artifacts.WriteRunResults(w.targetDir(), rr); err != nil {
		return err
	}
	for _, r := range results {
		if r.SQL == "" {
			continue
		}
		dst := filepath.Join(w.targetDir(), "run", filepath.FromSlash(compile.File(p, p.Nodes[r.ID])))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, []byte(strings.TrimRight(r.SQL, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}
