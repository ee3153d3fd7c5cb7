package nationalgrid

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/extractors/internal/csvfields"
	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/extractors/internal/num"
	"github.com/cdw-dev/cdw/extractors/internal/ukdate"
	"github.com/cdw-dev/cdw/internal/extract"
)

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
		Extractor: "nationalgrid", File: p.f.Name,
		Header: func(line []byte) string {
			var reason string
			p.layout, reason = parseHeader(line)
			return reason
		},
		Row:    p.dataRow,
		Reject: p.sink.Reject,
	}.Run(ctx, p.lr)
}

// twice reports whether b is some text of at least four bytes written
// twice over, and returns that text.
func twice(b []byte) ([]byte, bool) {
	if len(b) < 8 || len(b)%2 != 0 {
		return b, false
	}
	h := len(b) / 2
	if !bytes.Equal(b[:h], b[h:]) {
		return b, false
	}
	return b[:h], true
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
	name := fields[l.item]
	if len(name) == 0 {
		return p.reject(n, line, "data item is empty")
	}
	name, doubled := twice(name)

	// Every date field present must be doubled exactly when the name is.
	dates := []struct {
		label string
		col   int
		wall  bool
	}{{"applicable for", l.forDay, false}, {"applicable at", l.at, true}, {"generated time", l.gen, true}}
	var times [3]time.Time
	var present [3]bool
	for i, d := range dates {
		if d.col < 0 || (len(fields[d.col]) == 0 && d.wall) {
			continue
		}
		text, isTwice := twice(fields[d.col])
		switch {
		case doubled && !isTwice:
			return p.reject(n, line, "data item %q is written twice (the legacy extract's doubling) but %s %.40q is not: not halved", name, d.label, fields[d.col])
		case !doubled && isTwice:
			return p.reject(n, line, "%s %.40q is written twice but the data item is not: not halved", d.label, fields[d.col])
		}
		var t time.Time
		if d.wall {
			t, ok = ukdate.WallClock(text)
		} else {
			t, ok = ukdate.Date(text)
		}
		if !ok {
			return p.reject(n, line, "%s %.40q is not a date (d/m/yyyy or yyyy-mm-dd%s)", d.label, text, map[bool]string{true: ", optionally with a time", false: ""}[d.wall])
		}
		times[i], present[i] = t, true
	}
	delivered, ok := num.Decimal(fields[l.value])
	if !ok {
		return p.reject(n, line, "value %.40q is not a number", fields[l.value])
	}
	value := delivered
	if doubled {
		value = delivered / 2
	}
	item, area := classify(name)
	if item == ItemCV && (value < PlausibleCV[0] || value > PlausibleCV[1]) {
		hint := ""
		if !doubled && value/2 >= PlausibleCV[0] && value/2 <= PlausibleCV[1] {
			hint = " (twice a plausible one, as the legacy extract's doubling made it; not halved without the doubled text that proves it)"
		}
		return p.reject(n, line, "calorific value %s MJ/m³ is outside %g–%g%s", fields[l.value], PlausibleCV[0], PlausibleCV[1], hint)
	}

	w := p.w
	w.Int64(colLineNo, n)
	w.Text(colDataItem, name)
	setText(w, colItem, []byte(item))
	setText(w, colArea, area)
	for i, col := range []int{colApplicableFor, colApplicableAt, colGeneratedAt} {
		if present[i] {
			w.Time(col, times[i])
		} else {
			w.Null(col)
		}
	}
	if l.quality >= 0 {
		setText(w, colQualityIndicator, fields[l.quality])
	} else {
		w.Null(colQualityIndicator)
	}
	w.Float64(colValue, value)
	w.Float64(colValueAsDelivered, delivered)
	w.Bool(colDoubled, doubled)
	return w.Commit()
}

func setText(w *extract.RowWriter, col int, b []byte) {
	if len(b) == 0 {
		w.Null(col)
		return
	}
	w.Text(col, b)
}

// classify names the kind of a data item and the area it is for:
// "Calorific Value, LDZ(EA)" → (ItemCV, "EA"); "Calorific Value,
// Campbeltown" → (ItemCV, "Campbeltown"); "Weather Correction Factor,
// Allocated (EA)" → (ItemWCF, "EA"). Other items have no kind; their area
// is still taken from a final "(XX)" or the text after the last comma.
func classify(name []byte) (string, []byte) {
	item := ""
	switch {
	case hasPrefixFold(name, "calorific value"):
		item = ItemCV
	case hasPrefixFold(name, "weather correction factor"):
		item = ItemWCF
	}
	t := bytes.TrimSpace(name)
	if len(t) > 0 && t[len(t)-1] == ')' {
		if i := bytes.LastIndexByte(t, '('); i >= 0 {
			return item, bytes.ToUpper(bytes.TrimSpace(t[i+1 : len(t)-1]))
		}
	}
	if i := bytes.LastIndexByte(t, ','); i >= 0 {
		return item, bytes.TrimSpace(t[i+1:])
	}
	return item, nil
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

func (p *parser) reject(n int64, line []byte, format string, args ...any) error {
	return p.sink.Reject(extract.Rejection{Line: n, Raw: string(line), Reason: fmt.Sprintf(format, args...)})
}
