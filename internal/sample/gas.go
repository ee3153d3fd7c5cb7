package sample

import (
	"fmt"
	"strings"
	"time"
)

// ldzCV is each LDZ's typical calorific value (MJ/m³), as in National
// Grid's published figures for July 2014.
var ldzCV = map[string]float64{"EA": 39.0, "EM": 39.3, "NE": 39.7, "NO": 39.5, "NT": 39.0, "NW": 39.3, "SC": 39.3,
	"SE": 39.0, "SO": 39.0, "SW": 39.1, "WM": 39.4, "WN": 39.5, "WS": 39.2}

const dieHeader = "Applicable At,Applicable For,Data Item,Value,Generated Time,Quality Indicator"

// Planted National Grid defects (LDZ, day).
var (
	naCVDay      = time.Date(2024, 1, 17, 0, 0, 0, 0, time.UTC) // NW: value n/a
	doubledCVDay = time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)  // SO: 2 × the CV, text not doubled
	legacyDay    = time.Date(2024, 6, 29, 0, 0, 0, 0, time.UTC) // EA: also in two seed-system files, doubled
)

// gasDay holds the generated CV and WCF of every LDZ on one day.
type gasDay struct {
	day time.Time
	cv  map[string]string
	wcf map[string]string
}

// gasFiles writes one Data Item Explorer export per calendar year (CV and
// WCF of all LDZs), and the two legacy doubled files.
func (r *refGen) gasFiles() []*file {
	wcf := map[string]float64{}
	var all []gasDay
	for _, d := range days(GasFrom, GasTo) {
		g := gasDay{day: d, cv: map[string]string{}, wcf: map[string]string{}}
		for _, l := range LDZs {
			// CV: the LDZ's level, a little lower in summer, noise of 0.1.
			cv := ldzCV[l] - 0.15*(1-winter(d, 1))/2 + 0.1*r.r.normal()
			g.cv[l] = fmt.Sprintf("%.1f", cv)
			// WCF: weather that persists, mean zero.
			wcf[l] = 0.8*wcf[l] + 1.2*r.r.normal()
			g.wcf[l] = fmt.Sprintf("%.2f", wcf[l])
		}
		all = append(all, g)
	}
	var files []*file
	for y := GasFrom.Year(); y <= GasTo.Year(); y++ {
		f := &file{sum: FileSummary{Name: fmt.Sprintf("nationalgrid_SYNTHETIC_%d.csv", y), Extractor: ExtractorNationalGrid}}
		line := int64(1)
		f.body.WriteString(dieHeader + "\n")
		write := func(s string) int64 {
			f.body.WriteString(s + "\n")
			line++
			return line
		}
		for _, g := range all {
			if g.day.Year() != y {
				continue
			}
			at := g.day.Format("02/01/2006") + " 10:30:23"
			day := fmt.Sprintf("%d/%s", g.day.Day(), g.day.Format("01/2006"))
			gen := "01/07/2024 06:00:00"
			for _, l := range LDZs {
				v := g.cv[l]
				switch {
				case g.day.Equal(naCVDay) && l == "NW":
					n := write(fmt.Sprintf(`%s,%s,"Calorific Value, LDZ(%s)",n/a,%s,`, at, day, l, gen))
					f.sum.Rejections++
					r.note(KindRejection, f.sum.Name, n, "CV of LDZ NW on 2024-01-17 is n/a")
					continue
				case g.day.Equal(doubledCVDay) && l == "SO":
					var x float64
					fmt.Sscanf(v, "%g", &x)
					n := write(fmt.Sprintf(`%s,%s,"Calorific Value, LDZ(%s)",%.1f,%s,`, at, day, l, 2*x, gen))
					f.sum.Rejections++
					r.note(KindRejection, f.sum.Name, n, "CV of LDZ SO on 2024-03-05 doubled without the doubled text that would prove it")
					continue
				}
				write(fmt.Sprintf(`%s,%s,"Calorific Value, LDZ(%s)",%s,%s,`, at, day, l, v, gen))
				f.sum.Rows++
			}
			for _, l := range LDZs {
				write(fmt.Sprintf(`%s,%s,"Weather Correction Factor, Allocated (%s)",%s,%s,`, at, day, l, g.wcf[l], gen))
				f.sum.Rows++
			}
		}
		files = append(files, f)
	}
	// The seed system's MIPI extract: one row added to itself.
	last := all[len(all)-1]
	for _, g := range all {
		if g.day.Equal(legacyDay) {
			last = g
		}
	}
	for _, item := range []struct{ kind, name, value string }{
		{"cv", "Calorific Value, LDZ(EA)", last.cv["EA"]},
		{"wcf", "Weather Correction Factor, Allocated (EA)", last.wcf["EA"]},
	} {
		f := &file{sum: FileSummary{Name: fmt.Sprintf("mipi_legacy_SYNTHETIC_%s_EA_%s.csv", item.kind, legacyDay.Format("2006-01-02")), Extractor: ExtractorNationalGrid}}
		var v float64
		fmt.Sscanf(item.value, "%g", &v)
		at := legacyDay.AddDate(0, 0, 1).Format("2006-01-02") + "T09:30:23Z"
		day := legacyDay.Format("2006-01-02") + "T00:00:00Z"
		f.body.WriteString(",name,applicable_at,applicable_for,value\n")
		fmt.Fprintf(&f.body, "0,\"%s%s\",%s%s,%s%s,%s\n", item.name, item.name, at, at, day, day, trimFloat(2*v))
		f.sum.Rows++
		r.note(KindDoubled, f.sum.Name, 2, fmt.Sprintf("%s of LDZ EA on %s written doubled (%s); lands as %s", item.kind, legacyDay.Format(time.DateOnly), trimFloat(2*v), item.value))
		files = append(files, f)
	}
	return files
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// alpFiles writes one ALP/DAF file per gas year (1 October to 30
// September) from GasFrom to ALPTo, in the seed system's layout.
func (r *refGen) alpFiles() []*file {
	var files []*file
	for start := GasFrom; start.Before(ALPTo); start = start.AddDate(1, 0, 0) {
		end := start.AddDate(1, 0, -1)
		yy := start.Year() % 100
		f := &file{sum: FileSummary{Name: fmt.Sprintf("alp_daf_SYNTHETIC_%d-%02d.csv", start.Year(), (yy+1)%100), Extractor: ExtractorALP}}
		b := &f.body
		b.WriteString("RegionProfile,Date,ForecastDocumentation,Variance\n")
		line := int64(1)
		dates := days(start, end)
		// ALP per (LDZ, band): a winter-heavy curve summing to the days of
		// the gas year; DAF: more weather-sensitive in winter.
		type key struct{ ldz, band string }
		alps := map[key][]float64{}
		for li, l := range LDZs {
			for _, band := range []struct {
				id    string
				swing float64
			}{{"01B", 0.65}, {"02B", 0.45}} {
				v := make([]float64, len(dates))
				total := 0.0
				for i, d := range dates {
					v[i] = winter(d, band.swing) * (1 + 0.004*float64(li))
					total += v[i]
				}
				for i := range v {
					v[i] *= float64(len(dates)) / total
				}
				alps[key{l, band.id}] = v
			}
		}
		for i, d := range dates {
			for _, l := range LDZs {
				for _, band := range []string{"01B", "02B"} {
					daf := -(0.012 + 0.02*(winter(d, 1)/2))
					if band == "02B" {
						daf *= 0.8
					}
					fmt.Fprintf(b, "%s:E%02d%s,%s,%s,%s\n", l, yy, band, d.Format("02/01/2006"),
						trimFloat8(alps[key{l, band}][i]), trimFloat8(daf))
					line++
					f.sum.Rows++
				}
			}
			if d.Equal(start.AddDate(0, 2, 9)) && start.Year() == 2023 {
				fmt.Fprintf(b, "XX:E%02d01B,%s,1.1,-0.02\n", yy, d.Format("02/01/2006"))
				line++
				f.sum.Rejections++
				r.note(KindRejection, f.sum.Name, line, "unknown LDZ XX on "+d.Format(time.DateOnly))
			}
		}
		files = append(files, f)
	}
	return files
}

func trimFloat8(v float64) string {
	s := fmt.Sprintf("%.6f", v)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		return "0"
	}
	return s
}
