package d0018

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/extractors/internal/num"
	"github.com/cdw-dev/cdw/extractors/internal/ukdate"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Context levels, outermost first. A record at a level needs every level
// above it; BPP needs PFL, PPC needs VMR.
const (
	lvlZPD = iota
	lvlGSP
	lvlPCL
	lvlPFL
	lvlSSC
	lvlVMR
	numLevels
)

var levelNames = [numLevels]string{"ZPD", "GSP", "PCL", "PFL", "SSC", "VMR"}

// gspGroups are the 14 GSP group ids.
var gspGroups = map[string]bool{"_A": true, "_B": true, "_C": true, "_D": true, "_E": true, "_F": true, "_G": true,
	"_H": true, "_J": true, "_K": true, "_L": true, "_M": true, "_N": true, "_P": true}

// parser is the state of one ExtractFile call.
type parser struct {
	f      extract.File
	sink   extract.Sink
	lr     *lines.Reader
	fields [][]byte // fields of the current record, trimmed; reused
	bpp    *extract.RowWriter
	ppc    *extract.RowWriter

	header  int64 // line of the ZHV, 0 if none (yet)
	first   bool  // a first record has been seen
	trailer int64 // line of the ZPT, 0 until seen
	fileID  string
	records int64 // non-blank records after the ZHV

	at  [numLevels]int64 // line of the current record of each level, 0 if none
	bad [numLevels]bool  // whether it was rejected

	// The current context values (valid where at[] is set and not bad).
	day                     time.Time
	periods                 int
	code, runType           []byte
	runNo                   int64
	gsp, sunset             []byte
	noonAct, noonEff, sunV  float64
	hasAct, hasEff, hasSunV bool
	class, profile          int64
	ssc, tpr                []byte
}

func newParser(f extract.File, sink extract.Sink) *parser {
	p := &parser{
		f:      f,
		sink:   sink,
		lr:     lines.NewReader(f.Body),
		fields: make([][]byte, 0, 2*Slots+2),
		bpp:    extract.NewRowWriter(sink, basicStream()),
		ppc:    extract.NewRowWriter(sink, periodStream()),
	}
	for _, w := range []*extract.RowWriter{p.bpp, p.ppc} {
		w.String(colLoadID, f.LoadID)
		w.String(colFileName, f.Name)
		w.Null(colFlowFileID)
	}
	return p
}

func (p *parser) run(ctx context.Context) error {
	err := lines.Each(ctx, p.lr, "d0018", p.f.Name, func(n int64, line []byte, tooLong bool) error {
		switch {
		case !p.first:
			p.first = true
			return p.firstRecord(n, line, tooLong)
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
	case !p.first:
		return structErr(0, "no ZHV header or ZPD record: the file has no records")
	case p.header != 0 && p.trailer == 0:
		return structErr(p.lr.Line(), "file ends at line %d without a ZPT trailer (truncated)", p.lr.Line())
	}
	return nil
}

// firstRecord handles the first non-blank line: a ZHV, or a ZPD in a file
// without a header.
func (p *parser) firstRecord(n int64, line []byte, tooLong bool) error {
	if tooLong {
		return structErr(n, "garbled first record: line longer than %d bytes", lines.MaxLen)
	}
	p.split(line)
	switch string(p.fields[0]) {
	case "ZHV":
		return p.zhv(n)
	case "ZPD":
		return p.zpd(n, line)
	}
	return structErr(n, "missing ZHV header: the first record is %.20q, want ZHV or ZPD", p.fields[0])
}

func (p *parser) zhv(n int64) error {
	d := p.fields[1:]
	if len(d) < 2 || len(d[0]) == 0 {
		return structErr(n, "garbled ZHV header: want a file identifier and a flow version")
	}
	if !bytes.HasPrefix(d[1], []byte("D0018")) {
		return structErr(n, "ZHV flow version %.20q is not D0018", d[1])
	}
	if len(d[1]) != 8 || !num.AllDigits(d[1][5:]) {
		return structErr(n, "garbled ZHV header: flow version %.20q is not D0018 and three digits", d[1])
	}
	p.fileID = string(d[0])
	for _, w := range []*extract.RowWriter{p.bpp, p.ppc} {
		w.String(colFlowFileID, p.fileID)
	}
	p.header = n
	return nil
}

func (p *parser) zpt(n int64) error {
	if p.header == 0 {
		return structErr(n, "ZPT trailer in a file without a ZHV header")
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

// record handles one non-blank line after the first record.
func (p *parser) record(n int64, line []byte) error {
	p.split(line)
	switch string(p.fields[0]) {
	case "ZPD":
		return p.zpd(n, line)
	case "GSP":
		return p.gspRec(n, line)
	case "PCL":
		return p.pcl(n, line)
	case "PFL":
		return p.pfl(n, line)
	case "BPP":
		return p.bppRec(n, line)
	case "SSC":
		return p.sscRec(n, line)
	case "VMR":
		return p.vmr(n, line)
	case "PPC":
		return p.ppcRec(n, line)
	case "ZPT":
		p.records-- // the trailer is not one of the records it counts
		return p.zpt(n)
	case "ZHV":
		if p.header != 0 {
			return structErr(n, "second ZHV header (the first is at line %d)", p.header)
		}
		return structErr(n, "ZHV header at line %d, after the first record", n)
	}
	return p.reject(n, line, "unknown record type %.20q", p.fields[0])
}

// open starts a record of level lvl at line n: it checks that its
// enclosing records exist (a structure error otherwise), forgets every
// record below it, and says which rejected ancestor, if any, makes it
// unusable (0: none).
func (p *parser) open(n int64, lvl int) (badParent int64, err error) {
	parent := lvl - 1
	if lvl == lvlSSC {
		parent = lvlPFL
	}
	if parent >= 0 && p.at[parent] == 0 {
		return 0, structErr(n, "%s with no %s before it", levelNames[lvl], levelNames[parent])
	}
	for l := lvl; l < numLevels; l++ {
		p.at[l], p.bad[l] = 0, false
	}
	p.at[lvl] = n
	return p.badAncestor(parent), nil
}

// badAncestor is the line of the outermost rejected record at or above
// level lvl (on the path ZPD, GSP, PCL, PFL, SSC, VMR), or 0: the record
// whose rejection is the cause.
func (p *parser) badAncestor(lvl int) int64 {
	for l := 0; l <= lvl; l++ {
		if p.bad[l] {
			return p.at[l]
		}
	}
	return 0
}

// enter handles the common part of a context record: open it, reject it
// when its parent was rejected or its field count is wrong, and return
// its data fields.
func (p *parser) enter(n int64, line []byte, lvl int, want int, what string) ([][]byte, bool, error) {
	badParent, err := p.open(n, lvl)
	if err != nil {
		return nil, false, err
	}
	if badParent != 0 {
		p.bad[lvl] = true
		return nil, false, p.reject(n, line, "%s belongs to the %s at line %d, which was rejected", levelNames[lvl], p.levelOf(badParent), badParent)
	}
	d, ok := p.data(want, want)
	if !ok {
		p.bad[lvl] = true
		return nil, false, p.reject(n, line, "%s: %d fields, want %d (%s)", levelNames[lvl], len(d), want, what)
	}
	return d, true, nil
}

func (p *parser) levelOf(line int64) string {
	for l := range numLevels {
		if p.at[l] == line {
			return levelNames[l]
		}
	}
	return "record"
}

func (p *parser) fail(n int64, line []byte, lvl int, format string, args ...any) error {
	p.bad[lvl] = true
	return p.reject(n, line, levelNames[lvl]+": "+format, args...)
}

func (p *parser) zpd(n int64, line []byte) error {
	d, ok, err := p.enter(n, line, lvlZPD, 4, "settlement date, settlement code, run type, run number")
	if !ok {
		return err
	}
	if len(d[0]) != 8 || !num.AllDigits(d[0]) {
		return p.fail(n, line, lvlZPD, "settlement date %.20q is not yyyymmdd", d[0])
	}
	day, ok := ukdate.Date(d[0])
	if !ok {
		return p.fail(n, line, lvlZPD, "settlement date %.20q is not a date", d[0])
	}
	if len(d[1]) == 0 {
		return p.fail(n, line, lvlZPD, "settlement code is empty")
	}
	run, ok := num.Count(d[3])
	if !ok {
		return p.fail(n, line, lvlZPD, "run number %.20q is not a whole number", d[3])
	}
	p.day, p.periods = day, ukdate.SettlementPeriods(day)
	p.code, p.runType, p.runNo = append(p.code[:0], d[1]...), append(p.runType[:0], d[2]...), run
	return nil
}

// optFloat parses an optional decimal (empty: NULL).
func optFloat(b []byte) (v float64, present, ok bool) {
	if len(b) == 0 {
		return 0, false, true
	}
	v, ok = num.Decimal(b)
	return v, ok, ok
}

func (p *parser) gspRec(n int64, line []byte) error {
	d, ok, err := p.enter(n, line, lvlGSP, 5, "GSP group, noon temperature actual and effective, time of sunset, sunset variable")
	if !ok {
		return err
	}
	if !gspGroups[string(d[0])] {
		return p.fail(n, line, lvlGSP, "GSP group %.20q is not one of _A.._P", d[0])
	}
	act, hasAct, ok := optFloat(d[1])
	if !ok {
		return p.fail(n, line, lvlGSP, "noon temperature actual %.20q is not a number", d[1])
	}
	eff, hasEff, ok := optFloat(d[2])
	if !ok {
		return p.fail(n, line, lvlGSP, "noon temperature effective %.20q is not a number", d[2])
	}
	if !validSunset(d[3]) {
		return p.fail(n, line, lvlGSP, "time of sunset %.20q is not hhmm or hh:mm", d[3])
	}
	sv, hasSV, ok := optFloat(d[4])
	if !ok {
		return p.fail(n, line, lvlGSP, "sunset variable %.20q is not a number", d[4])
	}
	p.gsp, p.sunset = append(p.gsp[:0], d[0]...), append(p.sunset[:0], d[3]...)
	p.noonAct, p.hasAct = act, hasAct
	p.noonEff, p.hasEff = eff, hasEff
	p.sunV, p.hasSunV = sv, hasSV
	return nil
}

// validSunset accepts "", "hhmm" or "hh:mm".
func validSunset(b []byte) bool {
	switch {
	case len(b) == 0:
		return true
	case len(b) == 4 && num.AllDigits(b):
	case len(b) == 5 && b[2] == ':' && num.AllDigits(b[:2]) && num.AllDigits(b[3:]):
		b = []byte{b[0], b[1], b[3], b[4]}
	default:
		return false
	}
	return num.Digits(b[:2]) <= 23 && num.Digits(b[2:]) <= 59
}

func (p *parser) pcl(n int64, line []byte) error {
	d, ok, err := p.enter(n, line, lvlPCL, 1, "profile class")
	if !ok {
		return err
	}
	v, ok := num.Count(d[0])
	if !ok || v < 1 || v > 8 {
		return p.fail(n, line, lvlPCL, "profile class %.20q is not 1..8", d[0])
	}
	p.class = v
	return nil
}

func (p *parser) pfl(n int64, line []byte) error {
	d, ok, err := p.enter(n, line, lvlPFL, 1, "profile")
	if !ok {
		return err
	}
	v, ok := num.Count(d[0])
	if !ok || len(d[0]) > 6 {
		return p.fail(n, line, lvlPFL, "profile %.20q is not a whole number", d[0])
	}
	p.profile = v
	return nil
}

func (p *parser) sscRec(n int64, line []byte) error {
	d, ok, err := p.enter(n, line, lvlSSC, 1, "standard settlement configuration")
	if !ok {
		return err
	}
	if len(d[0]) == 0 || len(d[0]) > 4 || !num.AllDigits(d[0]) {
		return p.fail(n, line, lvlSSC, "standard settlement configuration %.20q is not 1 to 4 digits", d[0])
	}
	p.ssc = append(p.ssc[:0], d[0]...)
	return nil
}

func (p *parser) vmr(n int64, line []byte) error {
	d, ok, err := p.enter(n, line, lvlVMR, 1, "time pattern regime")
	if !ok {
		return err
	}
	if len(d[0]) == 0 || len(d[0]) > 5 || !num.AllDigits(d[0]) {
		return p.fail(n, line, lvlVMR, "time pattern regime %.20q is not 1 to 5 digits", d[0])
	}
	p.tpr = append(p.tpr[:0], d[0]...)
	return nil
}

// leaf checks a BPP or PPC record at line n: its context exists (else a
// structure error) and was not rejected (else a rejection).
func (p *parser) leaf(n int64, line []byte, kind string, parent int) (bool, error) {
	if p.at[parent] == 0 {
		return false, structErr(n, "%s with no %s before it", kind, levelNames[parent])
	}
	if bad := p.badAncestor(parent); bad != 0 {
		return false, p.reject(n, line, "%s belongs to the %s at line %d, which was rejected", kind, p.levelOf(bad), bad)
	}
	return true, nil
}

func (p *parser) bppRec(n int64, line []byte) error {
	if ok, err := p.leaf(n, line, "BPP", lvlPFL); !ok {
		return err
	}
	d, ok := p.data(p.periods, Slots)
	if !ok {
		return p.reject(n, line, "BPP: %d slots, want %d to %d: the settlement day %s has %d periods", len(d), p.periods, Slots, p.day.Format(time.DateOnly), p.periods)
	}
	w := p.bpp
	for i := 0; i < Slots; i++ {
		col := colBPPFirst + i
		if i >= len(d) || (i >= p.periods && len(d[i]) == 0) {
			w.Null(col)
			continue
		}
		v, ok := num.Decimal(d[i])
		switch {
		case len(d[i]) == 0:
			return p.reject(n, line, "BPP: slot %d is empty: the settlement day %s has %d periods", i+1, p.day.Format(time.DateOnly), p.periods)
		case !ok:
			return p.reject(n, line, "BPP: slot %d %.20q is not a number", i+1, d[i])
		case v < 0:
			return p.reject(n, line, "BPP: slot %d %.20q is negative", i+1, d[i])
		case i >= p.periods && v != 0:
			return p.reject(n, line, "BPP: slot %d holds %.20q but the settlement day %s has only %d periods", i+1, d[i], p.day.Format(time.DateOnly), p.periods)
		}
		w.Float64(col, v)
	}
	p.setContext(w, n)
	w.Int64(colBPPPeriods, int64(p.periods))
	return w.Commit()
}

func (p *parser) ppcRec(n int64, line []byte) error {
	if ok, err := p.leaf(n, line, "PPC", lvlVMR); !ok {
		return err
	}
	d, ok := p.data(2*p.periods, 2*Slots+1)
	if len(d)%2 != 0 && len(d) > 0 && len(d[len(d)-1]) == 0 {
		d = d[:len(d)-1] // a trailing "|" after an even number of fields
	}
	if !ok || len(d)%2 != 0 || len(d) > 2*Slots {
		return p.reject(n, line, "PPC: %d fields, want a coefficient and a register status for each of %d to %d slots: the settlement day %s has %d periods",
			len(d), p.periods, Slots, p.day.Format(time.DateOnly), p.periods)
	}
	w := p.ppc
	for i := 0; i < Slots; i++ {
		cCol, sCol := colPPCFirst+2*i, colPPCFirst+2*i+1
		if 2*i >= len(d) {
			w.Null(cCol)
			w.Null(sCol)
			continue
		}
		c, s := d[2*i], d[2*i+1]
		beyond := i >= p.periods
		if len(c) == 0 {
			if !beyond {
				return p.reject(n, line, "PPC: slot %d coefficient is empty", i+1)
			}
			w.Null(cCol)
		} else {
			v, ok := num.Decimal(c)
			switch {
			case !ok:
				return p.reject(n, line, "PPC: slot %d coefficient %.20q is not a number", i+1, c)
			case v < 0:
				return p.reject(n, line, "PPC: slot %d coefficient %.20q is negative", i+1, c)
			case beyond && v != 0:
				return p.reject(n, line, "PPC: slot %d holds %.20q but the settlement day %s has only %d periods", i+1, c, p.day.Format(time.DateOnly), p.periods)
			}
			w.Float64(cCol, v)
		}
		switch string(s) {
		case "":
			w.Null(sCol)
		case "0":
			w.Int64(sCol, 0)
		case "1":
			w.Int64(sCol, 1)
		default:
			return p.reject(n, line, "PPC: slot %d register status %.20q is not 0 or 1", i+1, s)
		}
	}
	p.setContext(w, n)
	w.Text(colSSC, p.ssc)
	w.Text(colTPR, p.tpr)
	w.Int64(colPPCPeriods, int64(p.periods))
	return w.Commit()
}

// setContext writes the ZPD..PFL context and line n into w's row.
func (p *parser) setContext(w *extract.RowWriter, n int64) {
	w.Int64(colLineNo, n)
	w.Time(colSettlementDate, p.day)
	w.Text(colSettlementCode, p.code)
	if len(p.runType) == 0 {
		w.Null(colRunType)
	} else {
		w.Text(colRunType, p.runType)
	}
	w.Int64(colRunNumber, p.runNo)
	w.Text(colGSP, p.gsp)
	optional := func(col int, v float64, has bool) {
		if has {
			w.Float64(col, v)
		} else {
			w.Null(col)
		}
	}
	optional(colNoonActual, p.noonAct, p.hasAct)
	optional(colNoonEffective, p.noonEff, p.hasEff)
	if len(p.sunset) == 0 {
		w.Null(colSunsetTime)
	} else {
		w.Text(colSunsetTime, p.sunset)
	}
	optional(colSunsetVariable, p.sunV, p.hasSunV)
	w.Int64(colProfileClass, p.class)
	w.Int64(colProfile, p.profile)
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
// are between lo and hi of them. A last empty field, which a trailing "|"
// leaves, is dropped first when there are more than hi fields, or (for a
// record of fixed length lo = hi) fewer than lo; otherwise it is an empty
// value.
func (p *parser) data(lo, hi int) ([][]byte, bool) {
	d := p.fields[1:]
	if len(d) > 0 && len(d[len(d)-1]) == 0 && (len(d) > hi || (lo == hi && len(d) < lo)) {
		d = d[:len(d)-1]
	}
	return d, len(d) >= lo && len(d) <= hi
}

func (p *parser) reject(n int64, line []byte, format string, args ...any) error {
	return p.sink.Reject(extract.Rejection{Line: n, Raw: string(line), Reason: fmt.Sprintf(format, args...)})
}

func structErr(line int64, format string, args ...any) error {
	return &extract.StructureError{Line: line, Reason: fmt.Sprintf(format, args...)}
}
