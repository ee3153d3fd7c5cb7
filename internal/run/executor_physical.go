package run

import (
	"fmt"

	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// physical returns the adapter to build model n with: one that applies
// the model's dist/sort/backup config when the engine has such options
// (warehouse.Physical), else the executor's own adapter.
func (e *Executor) physical(n *project.Node) (warehouse.Adapter, error) {
	c := n.Config
	o := warehouse.PhysicalOptions{Dist: c.Dist, Sort: c.Sort, SortType: c.SortType, NoBackup: c.Backup != nil && !*c.Backup}
	ph, ok := e.Adapter.(warehouse.Physical)
	if o.IsZero() || !ok {
		return e.Adapter, nil
	}
	a, err := ph.WithPhysical(o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.Path, err)
	}
	return a, nil
}
