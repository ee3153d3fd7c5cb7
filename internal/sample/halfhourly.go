package sample

import (
	"fmt"
	"strings"
	"time"
)

// A season of half-hourly data: five UK local dates around a clock change.
type season struct {
	month    time.Month
	firstDay int
}

var seasons = [...]season{{time.March, 24}, {time.October, 27}}

const seasonDays = 5

// Half-hourly styles, by MPAN index modulo 4.
const (
	styleOctopusCRLF = iota // the Octopus export exactly
	styleOctopusGap         // the same; MPAN 1's October file has the gap
	styleColumns            // MPAN and Meter Serial columns, UTC "Z" times, LF
	styleOctopusBOM         // Octopus header and values, BOM, LF
)

// hhWriter writes one half-hourly CSV.
type hhWriter struct {
	f     *file
	crlf  bool
	style int
	core  string
	msn   string
	line  int64
}

func (w *hhWriter) write(s string) int64 {
	w.f.body.WriteString(s)
	if w.crlf {
		w.f.body.WriteByte('\r')
	}
	w.f.body.WriteByte('\n')
	w.line++
	return w.line
}

// row formats an interval the way the file's style does.
func (w *hhWriter) row(kwh string, start, end time.Time) string {
	if w.style == styleColumns {
		return fmt.Sprintf("%s,%s,%s,%s,%s", w.core, w.msn, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), kwh)
	}
	return fmt.Sprintf("%s, %s, %s", kwh, ukLocal(start), ukLocal(end))
}

func (g *generator) halfHourlyFiles() []*file {
	var files []*file
	for j := 0; j < g.opts.HalfHourlyMPANs; j++ {
		p := &g.points[j]
		for si, s := range seasons {
			f := &file{sum: FileSummary{
				Name:      fmt.Sprintf("hh_%s_2023-%02d.csv", p.core, int(s.month)),
				Extractor: ExtractorHalfHourly,
			}}
			w := &hhWriter{f: f, style: j % 4, core: p.core, msn: p.serial}
			switch w.style {
			case styleColumns:
				w.write("MPAN,Meter Serial,Start,End,Consumption (kWh)")
			case styleOctopusBOM:
				f.body.WriteString("\xEF\xBB\xBF")
				w.write("Consumption (kWh), Start, End")
			default:
				w.crlf = true
				w.write("Consumption (kWh), Start, End")
			}
			for d := s.firstDay; d < s.firstDay+seasonDays; d++ {
				g.hhDays++
				g.writeDay(w, j, si, time.Date(2023, s.month, d, 0, 0, 0, 0, time.UTC))
			}
			files = append(files, f)
		}
	}
	return files
}

// writeDay writes the intervals of one UK local date, with the defects
// planted on it.
func (g *generator) writeDay(w *hhWriter, j, si int, date time.Time) {
	f := w.f
	note := func(kind string, line int64, detail string) {
		g.anomalies = append(g.anomalies, Anomaly{kind, f.sum.Name, line, w.core, detail})
	}
	reject := func(text, detail string) {
		f.sum.Rejections++
		note(KindRejection, w.write(text), detail)
	}
	day := date.Format("2006-01-02")
	gap := j == 1 && si == 1 && date.Day() == 31
	if gap {
		note(KindGap, 0, fmt.Sprintf("10:00-13:00 on %s missing (6 intervals)", day))
	}
	start := ukMidnight(date.Year(), date.Month(), date.Day())
	end := ukMidnight(date.Year(), date.Month(), date.Day()+1)
	for t := start; t.Before(end); t = t.Add(30 * time.Minute) {
		local := t.Add(ukOffset(t))
		h := local.Hour()
		if gap && h >= 10 && h < 13 {
			g.gapIntervals++
			continue
		}
		f.sum.Rows++
		w.write(w.row(g.kwh(h, w.style != styleColumns), t, t.Add(30*time.Minute)))
		if h != 12 || local.Minute() != 0 {
			continue
		}
		switch {
		case j == 0 && si == 0 && date.Day() == 25:
			reject(w.row("n/a", t, t.Add(30*time.Minute)), "consumption n/a")
		case j == 0 && si == 1 && date.Day() == 28:
			reject(fmt.Sprintf("0.100, %s", ukLocal(t)), "two columns instead of three")
		case j == 2 && si == 0 && date.Day() == 27:
			bad := strings.Replace(w.row("0.100", t, t.Add(30*time.Minute)), ","+t.UTC().Format(time.RFC3339)+",", ","+day+"T25:00:00Z,", 1)
			reject(bad, "start hour 25")
		case j == 3 && si == 1 && date.Day() == 30:
			reject(w.row("0.100", t, t.Add(time.Hour)), "a 60-minute interval")
		}
	}
}

// kwh invents one half-hour's consumption for a local hour: a low base,
// morning and evening peaks, and now and then a kettle or a car. octopus
// writes it as the Octopus export does (20 decimals, 16 from 1 kWh).
func (g *generator) kwh(hour int, octopus bool) string {
	r := g.r
	v := r.between(60, 120)
	switch {
	case hour < 6:
		v -= 30
	case hour >= 7 && hour < 9:
		v += r.between(150, 350)
	case hour >= 17 && hour < 21:
		v += r.between(250, 650)
	}
	if r.intn(25) == 0 {
		v += r.between(800, 2500)
	}
	switch {
	case !octopus:
		return fmt.Sprintf("%d.%03d", v/1000, v%1000)
	case v < 1000:
		return fmt.Sprintf("0.%03d%s", v, strings.Repeat("0", 17))
	default:
		return fmt.Sprintf("%d.%03d%s", v/1000, v%1000, strings.Repeat("0", 13))
	}
}
