package d0010

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/extractors/internal/intern"
	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/extractors/internal/num"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/mpan"
)

// parser is the state of one ExtractFile call.
type parser struct {
	f      extract.File
	sink   extract.Sink
	lr     *lines.Reader
	fields [][]byte // fields of the current record, trimmed; reused
	w      *extract.RowWriter
	times  *intern.Cache // text → time.Time of date-times seen recently

	header  int64 // line of the ZHV, 0 until seen
	trailer int64 // line of the ZPT, 0 until seen
	fileID  string
	records int64 // non-blank records after the ZHV

	g026, g028     int64 // line of the current 026 / 028, 0 if none
	n028, n030     int   // 028s under the current 026, 030s under the current 028
	bad026, bad028 int64 // line of the current 026 / 028 if it was rejected
}

func newParser(f extract.File, sink extract.Sink) *parser {
	p := &parser{
		f:      f,
		sink:   sink,
		lr:     lines.NewReader(f.Body),
		fields: make([][]byte, 0, 16),
		w:      extract.NewRowWriter(sink, stream()),
		times:  intern.New(8192),
	}
	p.w.String(colLoadID, f.LoadID)
	p.w.String(colFileName, f.Name)
	return p
}

func (p *parser) run(ctx context.Context) error {
	err := lines.Each(ctx, p.lr, "d0010", p.f.Name, func(n int64, line []byte, tooLong bool) error {
		switch {
		case p.header == 0:
			return p.zhv(n, line, tooLong)
		case p.trailer != 0:
			return structErr(n, "content after the ZPT trailer at line %d", p.trailer)
		case tooLong:
			p.records++
			return p.reject(n, line, "line longer than %d bytes (raw text truncated)", lines.MaxLen)
		}
		p.records++
		return p.record(n, line)
	})
	if err != nil {
		return err
	}
	return p.finish()
}

func (p *parser) finish() error {
	switch {
	case p.header == 0:
		return structErr(0, "no ZHV header: the file has no records")
	case p.trailer == 0:
		return structErr(p.lr.Line(), "file ends at line %d without a ZPT trailer (truncated)", p.lr.Line())
	}
	return nil
}

// record handles one non-blank line between ZHV and ZPT.
func (p *parser) record(n int64, line []byte) error {
	p.split(line)
	switch string(p.fields[0]) {
	case "026":
		return p.rec026(n, line)
	case "028":
		return p.rec028(n, line)
	case "030":
		return p.rec030(n, line)
	case "ZPT":
		p.records-- // the trailer is not one of the records it counts
		return p.zpt(n)
	case "ZHV":
		return structErr(n, "second ZHV header (the first is at line %d)", p.header)
	default:
		return p.reject(n, line, "unknown record type %.20q", p.fields[0])
	}
}

func (p *parser) zhv(n int64, line []byte, tooLong bool) error {
	if tooLong {
		return structErr(n, "garbled ZHV header: line longer than %d bytes", lines.MaxLen)
	}
	p.split(line)
	if string(p.fields[0]) != "ZHV" {
		return structErr(n, "missing ZHV header: the first record is %.20q", p.fields[0])
	}
	d := p.fields[1:]
	if len(d) < 7 {
		return structErr(n, "garbled ZHV header: %d fields, want at least 7", len(d))
	}
	id, flow, created := d[0], d[1], d[6]
	if len(id) == 0 {
		return structErr(n, "garbled ZHV header: empty file identifier")
	}
	if !bytes.HasPrefix(flow, []byte("D0010")) {
		return structErr(n, "ZHV flow version %.20q is not D0010", flow)
	}
	if len(flow) != 8 || !num.AllDigits(flow[5:]) {
		return structErr(n, "garbled ZHV header: flow version %.20q is not D0010 and three digits", flow)
	}
	p.w.Null(colFlowCreatedAt)
	if len(created) > 0 {
		t, ok := parseDateTime(created)
		if !ok {
			return structErr(n, "garbled ZHV header: creation time %.20q is not yyyymmddhhmmss", created)
		}
		p.w.Time(colFlowCreatedAt, t)
	}
	p.fileID = string(id)
	p.w.String(colFlowFileID, p.fileID)
	p.header = n
	return nil
}

func (p *parser) zpt(n int64) error {
	if err := p.closed(n, "ZPT", true); err != nil {
		return err
	}
	d := p.fields[1:]
	if len(d) < 2 {
		return structErr(n, "garbled ZPT trailer: %d fields, want at least 2", len(d))
	}
	if string(d[0]) != p.fileID {
		return structErr(n, "ZPT file identifier %.20q differs from the ZHV's %q", d[0], p.fileID)
	}
	count, ok := num.Count(d[1])
	if !ok {
		return structErr(n, "garbled ZPT trailer: record count %.20q is not a number", d[1])
	}
	if count != p.records {
		return structErr(n, "ZPT record count %d does not match the %d records between ZHV and ZPT (truncated or padded file)", count, p.records)
	}
	p.trailer = n
	return nil
}

// closed checks that the open 028 (and, if all, the open 026) has something
// under it before the record `next` at line n begins a new group.
func (p *parser) closed(n int64, next string, all bool) error {
	if p.g028 != 0 && p.n030 == 0 {
		return structErr(p.g028, "028 meter group has no 030 reading before the %s at line %d (truncated group)", next, n)
	}
	if all && p.g026 != 0 && p.n028 == 0 {
		return structErr(p.g026, "026 MPAN group has no 028 meter group before the %s at line %d (truncated group)", next, n)
	}
	return nil
}

func (p *parser) rec026(n int64, line []byte) error {
	if err := p.closed(n, "026", true); err != nil {
		return err
	}
	p.g026, p.g028, p.n028, p.n030, p.bad026, p.bad028 = n, 0, 0, 0, 0, 0
	d, ok := p.data(2)
	if !ok {
		p.bad026 = n
		return p.reject(n, line, "026: %d fields, want 2 (J0003 MPAN core, J0022 validation status)", len(d))
	}
	core := d[0]
	if len(core) != mpan.Length || !num.AllDigits(core) {
		p.bad026 = n
		return p.reject(n, line, "026: J0003 MPAN core %.20q is not 13 digits", core)
	}
	p.w.Text(colMPANCore, core)
	p.w.Bool(colMPANCheckOK, mpan.ValidBytes(core))
	p.text(colValidationStatus, d[1])
	return nil
}

func (p *parser) rec028(n int64, line []byte) error {
	if p.g026 == 0 {
		return structErr(n, "028 with no 026 before it")
	}
	if err := p.closed(n, "028", false); err != nil {
		return err
	}
	p.g028, p.n030, p.bad028 = n, 0, 0
	p.n028++
	if p.bad026 != 0 {
		return p.reject(n, line, "028 belongs to the 026 at line %d, which was rejected", p.bad026)
	}
	d, ok := p.data(2)
	if !ok {
		p.bad028 = n
		return p.reject(n, line, "028: %d fields, want 2 (J0004 meter serial, J0171 reading type)", len(d))
	}
	if len(d[0]) == 0 {
		p.bad028 = n
		return p.reject(n, line, "028: J0004 meter serial is empty")
	}
	p.w.Text(colMeterSerial, d[0])
	p.text(colReadingType, d[1])
	return nil
}

func (p *parser) rec030(n int64, line []byte) error {
	if p.g028 == 0 {
		return structErr(n, "030 with no 028 before it")
	}
	p.n030++
	switch {
	case p.bad026 != 0:
		return p.reject(n, line, "030 belongs to the 026 at line %d, which was rejected", p.bad026)
	case p.bad028 != 0:
		return p.reject(n, line, "030 belongs to the 028 at line %d, which was rejected", p.bad028)
	}
	d, ok := p.data(7)
	if !ok {
		return p.reject(n, line, "030: %d fields, want 7 (J0010, J0016, J0040, J0044, J0045, J0046, J1888)", len(d))
	}
	reg, readAt, value, mdAt, mdCount := d[0], d[1], d[2], d[3], d[4]
	if len(reg) == 0 {
		return p.reject(n, line, "030: J0010 register id is empty")
	}
	at, ok := p.dateTime(readAt)
	if !ok || at.IsZero() {
		return p.reject(n, line, "030: J0016 reading date-time %.20q is not yyyymmddhhmmss", readAt)
	}
	v, ok := num.Decimal(value)
	if !ok {
		return p.reject(n, line, "030: J0040 register reading %.30q is not a number", value)
	}
	md, ok := p.dateTime(mdAt)
	if !ok {
		return p.reject(n, line, "030: J0044 MD reset date-time %.20q is not yyyymmddhhmmss", mdAt)
	}
	count, hasCount := int64(0), len(mdCount) > 0
	if hasCount {
		if count, ok = num.Count(mdCount); !ok {
			return p.reject(n, line, "030: J0045 number of MD resets %.20q is not a whole number", mdCount)
		}
	}
	w := p.w
	w.Int64(colLineNo, n)
	w.Text(colRegisterID, reg)
	w.Time(colReadAt, at)
	w.Float64(colReadingValue, v)
	if md.IsZero() {
		w.Null(colMDResetAt)
	} else {
		w.Time(colMDResetAt, md)
	}
	if hasCount {
		w.Int64(colMDResetCount, count)
	} else {
		w.Null(colMDResetCount)
	}
	p.text(colReadingFlag, d[5])
	p.text(colReadingMethod, d[6])
	return w.Commit()
}

// dateTime returns the wall-clock time of b (the zero Time when b is
// empty) and whether b was valid. Repeated values are not parsed again.
func (p *parser) dateTime(b []byte) (time.Time, bool) {
	if len(b) == 0 {
		return time.Time{}, true
	}
	if v, ok := p.times.Get(b); ok {
		return v.(time.Time), true
	}
	t, ok := parseDateTime(b)
	if !ok {
		return time.Time{}, false
	}
	p.times.Put(b, t)
	return t, true
}

// text sets Text column col to b, or to NULL when b is empty.
func (p *parser) text(col int, b []byte) {
	if len(b) == 0 {
		p.w.Null(col)
		return
	}
	p.w.Text(col, b)
}

// split fills p.fields with line's "|"-separated fields, trimmed.
func (p *parser) split(line []byte) {
	p.fields = p.fields[:0]
	for {
		i := bytes.IndexByte(line, '|')
		if i < 0 {
			p.fields = append(p.fields, bytes.TrimSpace(line))
			return
		}
		p.fields = append(p.fields, bytes.TrimSpace(line[:i]))
		line = line[i+1:]
	}
}

// data returns the record's fields after the record type and whether there
// are exactly want of them. When there are more, a last empty field (left
// by a trailing "|") is dropped first; with exactly want fields a last empty
// field is an empty value, so "a|b|" is two fields or one plus a trailing
// "|" depending on what the record type expects.
func (p *parser) data(want int) ([][]byte, bool) {
	d := p.fields[1:]
	if len(d) > want && len(d[len(d)-1]) == 0 {
		d = d[:len(d)-1]
	}
	return d, len(d) == want
}

func (p *parser) reject(n int64, line []byte, format string, args ...any) error {
	return p.sink.Reject(extract.Rejection{Line: n, Raw: string(line), Reason: fmt.Sprintf(format, args...)})
}

func structErr(line int64, format string, args ...any) error {
	return &extract.StructureError{Line: line, Reason: fmt.Sprintf(format, args...)}
}
