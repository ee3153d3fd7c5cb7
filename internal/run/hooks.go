package run

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// ProjectHooks renders project.yml's on-run-start or on-run-end
// statements (which is "on-run-start" or "on-run-end") with opts and runs
// them in order on a, each on its own. It returns how many ran; the first
// failure stops them and is returned naming the hook.
func ProjectHooks(ctx context.Context, a warehouse.Adapter, p *project.Project, which string, opts compile.Options) (int, error) {
	var hooks []string
	switch which {
	case "on-run-start":
		hooks = p.Config.OnRunStart
	case "on-run-end":
		hooks = p.Config.OnRunEnd
	default:
		return 0, fmt.Errorf("no project hook %q", which)
	}
	sqls, err := compile.RunHooks(p, which, hooks, opts)
	if err != nil {
		return 0, err
	}
	for i, sql := range sqls {
		if err := a.Exec(ctx, sql); err != nil {
			return i, fmt.Errorf("%s hook %d of %d failed: %w", which, i+1, len(sqls), err)
		}
	}
	return len(sqls), nil
}
