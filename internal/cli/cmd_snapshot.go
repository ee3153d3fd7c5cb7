package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// snapshotCommand is `cdw snapshot`: record the changes of the selected
// snapshots' relations as type-2 history (see package snapshot).
func snapshotCommand(s *settings) *ucli.Command {
	return kindCommand(s, "snapshot", "record what changed in the selected snapshots' relations (SCD type 2 history)")
}
