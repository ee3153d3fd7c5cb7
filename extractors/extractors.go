// Package extractors lists this project's extractors. cmd/cdw passes All()
// to the CLI; another team building its own cdw binary writes its own list.
package extractors

import (
	"github.com/cdw-dev/cdw/extractors/billing"
	"github.com/cdw-dev/cdw/extractors/d0010"
	"github.com/cdw-dev/cdw/extractors/halfhourly"
	"github.com/cdw-dev/cdw/internal/extract"
)

// All returns a new slice of this project's extractors in a stable order:
// the file extractors d0010 and halfhourly, then the billing-platform API
// extractor. The file extractors' Match functions are disjoint (a D0010
// head starts "ZHV|"; a half-hourly file is a .csv whose header names
// consumption, start and end columns), so order does not decide which
// extractor takes a file; billing reads no files (`cdw extract billing`).
func All() []extract.Extractor {
	return []extract.Extractor{d0010.New(), halfhourly.New(), billing.New()}
}
