package sample

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// profileClass is one profile class of the synthetic D0018 set.
type profileClass struct {
	id, ssc string
	// winter is the seasonal swing, night the weight of a night half-hour
	// relative to the daytime base. The night weights give a day/night
	// register's night TPR about the 38% of the day that the billing
	// simulator gives its night registers, so the demo's day/night EACs
	// come out near the simulator's.
	winter, night float64
}

var profileClasses = []profileClass{
	{id: "1", ssc: "0393", winter: 0.30, night: 1.9}, // domestic unrestricted
	{id: "2", ssc: "0151", winter: 0.45, night: 2.0}, // domestic economy 7
}

// Time pattern regimes with PPC lines: day (local 07:00–24:00) and night.
// TPR 00001 (all day) is left to the BPP fallback.
var dayNightTPRs = []struct {
	id    string
	night bool
}{{"00043", false}, {"00210", true}}

// nightHour is the hour local night ends.
const nightHour = 7

// slotHours returns the UK local hour each settlement period of date d
// starts in: 46, 48 or 50 of them.
func slotHours(d time.Time) []int {
	start := ukMidnight(d.Year(), d.Month(), d.Day())
	end := ukMidnight(d.Year(), d.Month(), d.Day()+1)
	var hours []int
	for t := start; t.Before(end); t = t.Add(30 * time.Minute) {
		hours = append(hours, t.Add(ukOffset(t)).Hour())
	}
	return hours
}

// dailyShape is the relative weight of a half-hour starting at local hour h.
func dailyShape(pc profileClass, h int) float64 {
	switch {
	case h < nightHour:
		return pc.night
	case h < 9:
		return 1.4
	case h < 17:
		return 0.9
	case h < 21:
		return 1.8
	}
	return 1.1
}

// coefficient formats a coefficient with eight decimals, trailing zeros
// dropped ("0.00005712", "0").
func coefficient(v float64) string {
	s := strconv.FormatFloat(v, 'f', 8, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// yearFractions returns, for one GSP group and profile class, each window
// day's share of the year: a winter-heavy curve with weekends a little
// higher and a little noise, summing to 1 over the window.
func (r *refGen) yearFractions(gi int, pc profileClass, dates []time.Time) []float64 {
	w := make([]float64, len(dates))
	total := 0.0
	for i, d := range dates {
		v := winter(d, pc.winter) * (1 + 0.01*float64(gi))
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			v *= 1.06
		}
		v *= 1 + 0.03*r.r.normal()
		w[i] = v
		total += v
	}
	for i := range w {
		w[i] /= total
	}
	return w
}

// slots spreads a day's fraction over its periods by the daily shape.
// restated raises the noon hour by 2% (a later run's revision).
func slots(pc profileClass, hours []int, fraction float64, restated bool) []float64 {
	weights := make([]float64, len(hours))
	total := 0.0
	for i, h := range hours {
		weights[i] = dailyShape(pc, h)
		total += weights[i]
	}
	out := make([]float64, len(hours))
	for i, h := range hours {
		out[i] = fraction * weights[i] / total
		if restated && h == 12 {
			out[i] *= 1.02
		}
	}
	return out
}

// profileFiles writes one D0018 flow per month of the profile window.
func (r *refGen) profileFiles() []*file {
	dates := days(ProfileFrom, ProfileTo)
	// fractions[g][p][day]
	fractions := make([][][]float64, len(GSPGroups))
	for gi := range GSPGroups {
		for _, pc := range profileClasses {
			fractions[gi] = append(fractions[gi], r.yearFractions(gi, pc, dates))
		}
	}
	// A time pattern regime's PPCs are the BPPs of its periods divided by
	// the year's share of consumption in them (its average fraction of
	// yearly consumption), so a register's PPCs sum to 1 over the year as
	// every register's do (domain.md §1.5): afyc[g][p][t].
	afyc := make([][][]float64, len(GSPGroups))
	for gi := range GSPGroups {
		afyc[gi] = make([][]float64, len(profileClasses))
		for pi, pc := range profileClasses {
			afyc[gi][pi] = make([]float64, len(dayNightTPRs))
			for di, d := range dates {
				hours := slotHours(d)
				for i, v := range slots(pc, hours, fractions[gi][pi][di], false) {
					for ti, tpr := range dayNightTPRs {
						if (hours[i] < nightHour) == tpr.night {
							afyc[gi][pi][ti] += v
						}
					}
				}
			}
		}
	}
	var files []*file
	var f *file
	var w *flowWriter
	closeFlow := func() {
		if f == nil {
			return
		}
		w.write("ZPT", fileID(f), strconv.Itoa(w.records), "", "1", "20240701060000", "")
		files = append(files, f)
	}
	for di, d := range dates {
		if f == nil || d.Day() == 1 {
			closeFlow()
			f = &file{sum: FileSummary{Name: fmt.Sprintf("d0018_SYNTHETIC_%s.flw", d.Format("2006-01")), Extractor: ExtractorD0018}}
			w = &flowWriter{f: f, pipe: true}
			w.write("ZHV", fileID(f), "D0018001", "X", "SYNTHETIC", "X", "SAMPLE", d.AddDate(0, 1, 0).Format("20060102")+"060000", "", "", "", "OPER")
		}
		hours := slotHours(d)
		runs := []struct {
			code, run string
			restated  bool
		}{{"SF", "1", false}}
		if d.Day() == 1 {
			runs = append(runs, struct {
				code, run string
				restated  bool
			}{"R1", "2", true})
		}
		for _, run := range runs {
			w.record("ZPD", d.Format("20060102"), run.code, "D", run.run)
			for gi, gsp := range GSPGroups {
				noon := 11 - 7*math.Cos(2*math.Pi*float64(d.YearDay()-15)/365.25) + 2*r.r.normal()
				mins := int(1120 + 160*math.Cos(2*math.Pi*float64(d.YearDay()-172)/365.25)) // sunset, minutes after midnight
				w.record("GSP", gsp, fmt.Sprintf("%.1f", noon), fmt.Sprintf("%.1f", noon-0.4), fmt.Sprintf("%02d%02d", mins/60, mins%60), fmt.Sprintf("%.2f", 1+0.5*math.Cos(2*math.Pi*float64(d.YearDay())/365.25)))
				for pi, pc := range profileClasses {
					values := slots(pc, hours, fractions[gi][pi][di], run.restated)
					w.record("PCL", pc.id)
					w.record("PFL", "1")
					r.bpp(w, f, d, gsp, pc, values)
					w.record("SSC", pc.ssc)
					for ti, tpr := range dayNightTPRs {
						w.record("VMR", tpr.id)
						r.ppc(w, f, d, gsp, pc, tpr.id, tpr.night, hours, values, afyc[gi][pi][ti])
					}
				}
			}
		}
	}
	closeFlow()
	return files
}

func fileID(f *file) string {
	return "SYNTH" + strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(f.sum.Name, "d0018_SYNTHETIC_"), ".flw"), "-", "")
}

// Planted D0018 defects.
var (
	badBPPDay = time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC) // GSP _P, profile class 2: a letter in slot 20
	badPPCDay = time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)  // GSP _C, profile class 1, TPR 00210: PRSI 2 in slot 3
)

func (r *refGen) bpp(w *flowWriter, f *file, d time.Time, gsp string, pc profileClass, values []float64) {
	fields := []string{"BPP"}
	for i := range Slots {
		if i < len(values) {
			fields = append(fields, coefficient(values[i]))
		} else {
			fields = append(fields, "")
		}
	}
	bad := d.Equal(badBPPDay) && gsp == "_P" && pc.id == "2"
	if bad {
		fields[20] = "0.0000x"
	}
	line := w.record(fields...)
	if bad {
		f.sum.Rejections++
		r.note(KindRejection, f.sum.Name, line, "BPP slot 20 is not a number (GSP _P, profile class 2, 2023-11-15)")
		return
	}
	f.sum.Rows++
}

func (r *refGen) ppc(w *flowWriter, f *file, d time.Time, gsp string, pc profileClass, tpr string, night bool, hours []int, values []float64, afyc float64) {
	fields := []string{"PPC"}
	for i := range Slots {
		switch {
		case i >= len(values):
			fields = append(fields, "", "")
		case (hours[i] < nightHour) == night:
			fields = append(fields, coefficient(values[i]/afyc), "1")
		default:
			fields = append(fields, "0", "0")
		}
	}
	bad := d.Equal(badPPCDay) && gsp == "_C" && pc.id == "1" && tpr == "00210"
	if bad {
		fields[6] = "2" // slot 3's PRSI
	}
	line := w.record(fields...)
	if bad {
		f.sum.Rejections++
		r.note(KindRejection, f.sum.Name, line, "PPC slot 3 register status 2 (GSP _C, profile class 1, TPR 00210, 2024-02-10)")
		return
	}
	f.sum.Rows++
}

// Slots is the number of half-hour slots of a D0018 BPP or PPC record.
const Slots = 50
