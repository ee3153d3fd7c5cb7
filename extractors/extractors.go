// Package extractors lists this project's extractors. cmd/cdw passes All()
// to the CLI; another team building its own cdw binary writes its own list.
package extractors

import (
	"github.com/cdw-dev/cdw/extractors/alp"
	"github.com/cdw-dev/cdw/extractors/billing"
	"github.com/cdw-dev/cdw/extractors/d0010"
	"github.com/cdw-dev/cdw/extractors/d0018"
	"github.com/cdw-dev/cdw/extractors/halfhourly"
	"github.com/cdw-dev/cdw/extractors/nationalgrid"
	"github.com/cdw-dev/cdw/internal/extract"
)

// All returns a new slice of this project's extractors in a stable order:
// the file extractors d0010 and halfhourly, the reference-data file
// extractors nationalgrid (gas CV and WCF), d0018 (profile coefficients)
// and alp (ALP and DAF), then the billing-platform API extractor. The file
// extractors' Match functions are disjoint (a D0010 head starts with a ZHV
// naming D0010, a D0018 head with a ZHV naming D0018 or a ZPD; the .csv
// extractors each need header columns the others' headers lack:
// consumption/start/end, applicable for/data item/value, region
// profile/date/ALP/DAF), so order does not decide which extractor takes a
// file; billing reads no files (`cdw extract billing`).
func All() []extract.Extractor {
	return []extract.Extractor{d0010.New(), halfhourly.New(), nationalgrid.New(), d0018.New(), alp.New(), billing.New()}
}
