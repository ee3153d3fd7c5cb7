// Package extractors lists this project's extractors. cmd/cdw passes All()
// to the CLI; another team building its own cdw binary writes its own list.
package extractors

import (
	"github.com/cdw-dev/cdw/extractors/d0010"
	"github.com/cdw-dev/cdw/extractors/halfhourly"
	"github.com/cdw-dev/cdw/internal/extract"
)

// All returns a new slice of this project's extractors in a stable order:
// d0010, then halfhourly. Their Match functions are disjoint (a D0010 head
// starts "ZHV|"; a half-hourly file is a .csv whose header names
// consumption, start and end columns), so order does not decide which
// extractor takes a file.
func All() []extract.Extractor {
	return []extract.Extractor{d0010.New(), halfhourly.New()}
}
