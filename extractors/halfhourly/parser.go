package halfhourly

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/extractors/internal/intern"
	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/extractors/internal/num"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Interval is the length every row's interval must have.
const Interval = 30 * time.Minute

// parser is the state of one ExtractFile call.
type parser struct {
	f        extract.File
	sink     extract.Sink
	lr       *lines.Reader
	fields   [][]byte // fields of the current line; reused
	w        *extract.RowWriter
	layout   layout
	nameMPxN string // MPxN from the file name, or ""
	kwh      *intern.Cache
	prevEnd  time.Time // end of the previous row and its text, which the
	prevText []byte    // next row's start usually equals
}

func newParser(f extract.File, sink extract.Sink) *parser {
	p := &parser{
		f:        f,
		sink:     sink,
		lr:       lines.NewReader(f.Body),
		fields:   make([][]byte, 0, 8),
		w:        extract.NewRowWriter(sink, stream()),
		kwh:      intern.New(8192),
		nameMPxN: MPxNFromName(f.Name),
	}
	p.w.String(colLoadID, f.LoadID)
	p.w.String(colFileName, f.Name)
	return p
}

func (p *parser) run(ctx context.Context) error {
	return lines.Headed{
		Extractor: "halfhourly", File: p.f.Name,
		Header: func(line []byte) string {
			var reason string
			p.layout, reason = parseHeader(line, p.fields)
			return reason
		},
		Row:    p.dataRow,
		Reject: p.sink.Reject,
	}.Run(ctx, p.lr)
}

func (p *parser) dataRow(n int64, line []byte) error {
	p.fields = splitCSV(line, p.fields[:0])
	l := p.layout
	if len(p.fields) != l.n {
		return p.reject(n, line, "%d columns, want %d as in the header", len(p.fields), l.n)
	}
	kwhText, startText, endText := p.fields[l.kwh], p.fields[l.start], p.fields[l.end]
	var kwh float64
	if v, ok := p.kwh.Get(kwhText); ok {
		kwh = v.(float64)
	} else {
		v, ok := num.Decimal(kwhText)
		if !ok {
			return p.reject(n, line, "consumption %.40q is not a number", kwhText)
		}
		p.kwh.Put(kwhText, v)
		kwh = v
	}
	// A row's start is usually the previous row's end: not parsed twice.
	start, st := p.prevEnd, instantOK
	if p.prevText == nil || !bytes.Equal(startText, p.prevText) {
		start, st = parseInstant(startText)
		if st != instantOK {
			return p.reject(n, line, "start %s", instantProblem(startText, st))
		}
	}
	end, st := parseInstant(endText)
	if st != instantOK {
		return p.reject(n, line, "end %s", instantProblem(endText, st))
	}
	if !end.After(start) {
		return p.reject(n, line, "end %s is not after start %s", endText, startText)
	}
	if d := end.Sub(start); d != Interval {
		return p.reject(n, line, "interval from %s to %s is %s, want 30m", startText, endText, d)
	}
	p.prevEnd, p.prevText = end, append(p.prevText[:0], endText...)

	w := p.w
	w.Int64(colLineNo, n)
	switch {
	case l.mpxn >= 0 && len(p.fields[l.mpxn]) > 0:
		w.Text(colMPxN, p.fields[l.mpxn])
	case p.nameMPxN != "":
		w.String(colMPxN, p.nameMPxN)
	default:
		w.Null(colMPxN)
	}
	if l.serial >= 0 && len(p.fields[l.serial]) > 0 {
		w.Text(colMeterSerial, p.fields[l.serial])
	} else {
		w.Null(colMeterSerial)
	}
	w.Time(colIntervalStart, start)
	w.Time(colIntervalEnd, end)
	w.Float64(colKWh, kwh)
	return w.Commit()
}

func instantProblem(b []byte, st instantStatus) string {
	if st == instantNoOffset {
		return fmt.Sprintf("%.40q has no UTC offset, so it is not an instant", b)
	}
	return fmt.Sprintf("%.40q is not an ISO-8601 date-time with a UTC offset", b)
}

func (p *parser) reject(n int64, line []byte, format string, args ...any) error {
	return p.sink.Reject(extract.Rejection{Line: n, Raw: string(line), Reason: fmt.Sprintf(format, args...)})
}
