package alp

import (
	"bytes"
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/extractors/internal/csvfields"
	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/extractors/internal/num"
	"github.com/cdw-dev/cdw/extractors/internal/ukdate"
	"github.com/cdw-dev/cdw/internal/extract"
)

var isLDZ = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range LDZs {
		m[l] = true
	}
	return m
}()

// parser is the state of one ExtractFile call.
type parser struct {
	f      extract.File
	sink   extract.Sink
	lr     *lines.Reader
	split  csvfields.Splitter
	w      *extract.RowWriter
	layout layout
}

func newParser(f extract.File, sink extract.Sink) *parser {
	p := &parser{f: f, sink: sink, lr: lines.NewReader(f.Body), w: extract.NewRowWriter(sink, stream())}
	p.w.String(colLoadID, f.LoadID)
	p.w.String(colFileName, f.Name)
	return p
}

func (p *parser) run(ctx context.Context) error {
	return lines.Headed{
		Extractor: "alp", File: p.f.Name,
		Header: func(line []byte) string {
			var reason string
			p.layout, reason = parseHeader(line)
			return reason
		},
		Row:    p.dataRow,
		Reject: p.sink.Reject,
	}.Run(ctx, p.lr)
}

func (p *parser) dataRow(n int64, line []byte) error {
	fields, ok := p.split.Split(line)
	if !ok {
		return p.reject(n, line, "broken quoting: a quoted field is not closed, or text follows its closing quote")
	}
	l := p.layout
	if len(fields) != l.n {
		return p.reject(n, line, "%d columns, want %d as in the header", len(fields), l.n)
	}
	var ldz, euc, region []byte
	if l.ldz >= 0 && l.euc >= 0 {
		ldz, euc = bytes.ToUpper(fields[l.ldz]), fields[l.euc]
	} else {
		region = fields[l.region]
		ldz, euc = splitRegion(region)
	}
	if !isLDZ[string(ldz)] {
		return p.reject(n, line, "LDZ %.20q is not one of the 13 LDZs", ldz)
	}
	if len(euc) == 0 {
		return p.reject(n, line, "end-user category is empty")
	}
	day, ok := ukdate.Date(fields[l.day])
	if !ok {
		return p.reject(n, line, "date %.40q is not a date (d/m/yyyy or yyyy-mm-dd)", fields[l.day])
	}
	alp, ok := num.Decimal(fields[l.alp])
	if !ok || alp < 0 {
		return p.reject(n, line, "ALP %.40q is not a non-negative number", fields[l.alp])
	}
	daf, ok := num.Decimal(fields[l.daf])
	if !ok {
		return p.reject(n, line, "DAF %.40q is not a number", fields[l.daf])
	}
	w := p.w
	w.Int64(colLineNo, n)
	if len(region) > 0 {
		w.Text(colRegionProfile, region)
	} else {
		w.Null(colRegionProfile)
	}
	w.Text(colLDZ, ldz)
	w.Text(colEUC, euc)
	w.Time(colGasDay, day)
	w.Float64(colALP, alp)
	w.Float64(colDAF, daf)
	return w.Commit()
}

// splitRegion splits "EA:E2301B", "EA_E2301B", "EA E2301B" or "EAE2301B"
// into the LDZ (upper-cased) and the EUC.
func splitRegion(b []byte) (ldz, euc []byte) {
	if len(b) < 2 {
		return bytes.ToUpper(b), nil
	}
	ldz, euc = bytes.ToUpper(b[:2]), b[2:]
	if len(euc) > 0 && (euc[0] == ':' || euc[0] == '_' || euc[0] == ' ' || euc[0] == '-') {
		euc = euc[1:]
	}
	return ldz, bytes.TrimSpace(euc)
}

func (p *parser) reject(n int64, line []byte, format string, args ...any) error {
	return p.sink.Reject(extract.Rejection{Line: n, Raw: string(line), Reason: fmt.Sprintf(format, args...)})
}
