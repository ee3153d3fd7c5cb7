package sample

import (
	"fmt"
	"strings"
	"time"
)

// Which meter points carry which planted D0010 defect (indices into
// generator.points; Options.MPANs is at least 12).
const (
	rolloverPoint    = 1  // S register starting at 98000
	crossDupPoint1   = 2  // month 4 read re-delivered at the start of flow 2
	crossDupPoint2   = 3  // the same, serial written without its space, lower case
	crossDupPoint3   = 4  // month 8 read re-delivered at the start of flow 3
	withinDupPoint   = 5  // an 030 repeated under its 028 in flow 3
	negativePoint    = 6  // an extra read of -6575
	implausiblePoint = 7  // an extra read of 1234567890
	badDatePoint     = 8  // an 030 dated 30 February
	voidPoint        = 9  // an 030 whose value is VOID
	shortPoint       = 10 // an 030 with four fields
	typoPoint        = 11 // an 030 whose value is 12O45.0
)

const d0010Files = 3

// flowWriter writes one D0010 flow, counting lines and records.
type flowWriter struct {
	f          *file
	pipe, crlf bool
	line       int64
	records    int
}

// write writes a record and returns its line number.
func (w *flowWriter) write(fields ...string) int64 {
	b := &w.f.body
	b.WriteString(strings.Join(fields, "|"))
	if w.pipe {
		b.WriteByte('|')
	}
	w.eol()
	return w.line
}

func (w *flowWriter) eol() {
	if w.crlf {
		w.f.body.WriteByte('\r')
	}
	w.f.body.WriteByte('\n')
	w.line++
}

// record writes a body record (one counted by the ZPT).
func (w *flowWriter) record(fields ...string) int64 {
	w.records++
	return w.write(fields...)
}

func dtc(t time.Time) string { return t.Format("20060102150405") }

// readAt is the date-time of month m's read of p.
func (p *point) readAt(m int) time.Time {
	return time.Date(2023, time.Month(m+1), p.readDay[m], p.readHour[m], 0, 0, 0, time.UTC)
}

// raw is the register's advance-including value at t, before the dials wrap.
func (r register) raw(t time.Time) int {
	days := t.Sub(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return r.start + int(float64(r.rate)*days)
}

func value(v int) string { return fmt.Sprintf("%d.0", v) }

func (g *generator) d0010Files() []*file {
	var files []*file
	for fi := range d0010Files {
		first, last := 4*fi, 4*fi+3
		f := &file{sum: FileSummary{
			Name:      fmt.Sprintf("d0010_2023-%02d_2023-%02d.uff", first+1, last+1),
			Extractor: ExtractorD0010,
		}}
		w := &flowWriter{f: f, pipe: fi != 1, crlf: fi == 2}
		if fi == 2 {
			f.body.WriteString("\xEF\xBB\xBF")
		}
		fileID := fmt.Sprintf("%010d", 4700001+fi)
		created := time.Date(2023, time.Month(last+2), 1, 6, 0, 0, 0, time.UTC)
		w.write("ZHV", fileID, "D0010002", "D", "SMPL", "X", "CDWS", dtc(created), "", "", "", "OPER")
		for i := range g.points {
			if fi == 1 && i == len(g.points)/2 {
				w.eol() // a blank line, which the extractor skips
			}
			g.writePoint(w, fi, i, first, last)
		}
		w.write("ZPT", fileID, fmt.Sprint(w.records), "", fmt.Sprint(len(g.points)), dtc(created.Add(5*time.Minute)))
		files = append(files, f)
	}
	return files
}

// carriesDuplicate reports whether point i has a planted duplicate read.
func carriesDuplicate(i int) bool {
	return i == crossDupPoint1 || i == crossDupPoint2 || i == crossDupPoint3 || i == withinDupPoint
}

// writePoint writes one 026 group: the meter point's reads for months
// first..last of flow fi, with any defect planted there.
func (g *generator) writePoint(w *flowWriter, fi, i, first, last int) {
	p := &g.points[i]
	f := w.f
	row := func(reg register, at time.Time, v string) int64 {
		f.sum.Rows++
		return w.record("030", reg.id, dtc(at), v, "", "", "T", "N")
	}
	reject := func(detail string, fields ...string) {
		f.sum.Rejections++
		line := w.record(fields...)
		g.anomalies = append(g.anomalies, Anomaly{KindRejection, f.sum.Name, line, p.core, detail})
	}
	note := func(kind string, line int64, detail string) {
		g.anomalies = append(g.anomalies, Anomaly{kind, f.sum.Name, line, p.core, detail})
	}

	w.record("026", p.core, "V")
	// Re-delivery of the previous flow's last read, first in this group.
	if (i == crossDupPoint1 || i == crossDupPoint2) && fi == 1 || i == crossDupPoint3 && fi == 2 {
		m := first - 1
		serial := p.serial
		if i == crossDupPoint2 {
			serial = strings.ToLower(strings.ReplaceAll(serial, " ", ""))
		}
		w.record("028", serial, "C")
		reg := p.regs[0]
		line := row(reg, p.readAt(m), value(reg.raw(p.readAt(m))%100000))
		note(KindDuplicate, line, fmt.Sprintf("register %s read %s re-delivered (serial as %q)", reg.id, p.readAt(m).Format("2006-01-02 15:04"), serial))
	}
	for m := first; m <= last; m++ {
		at := p.readAt(m)
		w.record("028", p.serial, string(p.readType[m]))
		if p.readType[m] == 'D' {
			g.deemed += len(p.regs)
		}
		for _, reg := range p.regs {
			v := reg.raw(at)
			line := row(reg, at, value(v%100000))
			if m > 0 && v/100000 > reg.raw(p.readAt(m-1))/100000 {
				note(KindRollover, line, fmt.Sprintf("register %s wrapped from %d to %d", reg.id, reg.raw(p.readAt(m-1))%100000, v%100000))
			}
		}
		extra := time.Date(2023, time.Month(m+1), 28, 12, 0, 0, 0, time.UTC)
		reg := p.regs[0]
		switch {
		case i == withinDupPoint && fi == 2 && m == first:
			line := row(reg, at, value(reg.raw(at)%100000))
			note(KindDuplicate, line, fmt.Sprintf("register %s read %s repeated under the same 028", reg.id, at.Format("2006-01-02 15:04")))
		case i == badDatePoint && m == 1:
			reject("030 dated 30 February", "030", reg.id, "20230230000000", value(reg.raw(at)%100000), "", "", "T", "N")
		case i == voidPoint && m == 2:
			reject("030 value VOID", "030", reg.id, dtc(extra), "VOID", "", "", "T", "N")
		case i == shortPoint && m == 5:
			reject("030 with four fields", "030", reg.id, dtc(extra), value(reg.raw(extra)%100000), "T")
		case i == typoPoint && m == 9:
			reject("030 value 12O45.0", "030", reg.id, dtc(extra), "12O45.0", "", "", "T", "N")
		}
		switch {
		case i == negativePoint && m == 1:
			w.record("028", p.serial, "C")
			line := row(reg, extra, "-6575.0")
			note(KindNegative, line, fmt.Sprintf("register %s read -6575 at %s", reg.id, extra.Format("2006-01-02 15:04")))
		case i == implausiblePoint && m == 5:
			w.record("028", p.serial, "C")
			line := row(reg, extra, "1234567890.0")
			note(KindImplausible, line, fmt.Sprintf("register %s read 1234567890 at %s", reg.id, extra.Format("2006-01-02 15:04")))
		}
	}
}
