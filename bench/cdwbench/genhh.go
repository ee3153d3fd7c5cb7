package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cdw-dev/cdw/internal/mpan"
)

// hhSpec describes a generated half-hourly input: Meters meters, each with
// Intervals consecutive half-hours starting at First (UTC), offset by Skip
// intervals (so a "next day" file continues where the big one ends).
type hhSpec struct {
	Meters    int
	Intervals int
	Skip      int
	First     time.Time
}

// hhFirst is where every generated half-hourly series starts.
var hhFirst = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

// Rows is the number of data rows the spec produces.
func (s hhSpec) Rows() int64 { return int64(s.Meters) * int64(s.Intervals) }

// meter returns the invented MPAN core and meter serial of meter i.
func meter(i int) (core, serial string, err error) {
	core, err = mpan.Make(19, uint64(7_000_000+i))
	if err != nil {
		return "", "", err
	}
	return core, fmt.Sprintf("Z%02dB%06d", i%90+10, i), nil
}

// kwh is a deterministic pseudo-random consumption for (meter, interval),
// always three decimals, so the CSV and the flow file agree exactly.
func kwh(m, i int) string {
	x := uint64(m)*0x9E3779B97F4A7C15 + uint64(i)*0xBF58476D1CE4E5B9
	x ^= x >> 31
	x *= 0x94D049BB133111EB
	x ^= x >> 29
	v := x % 2500 // 0.000 .. 2.499 kWh
	return strconv.FormatUint(v/1000, 10) + "." + fmt.Sprintf("%03d", v%1000)
}

// writeHH writes the flow-like file the halfhourly extractor reads (an
// Octopus-style export with MPAN and serial columns, Europe/London offsets,
// CRLF) and, when csvPath is not empty, the equivalent CSV in the raw
// table's column order for `psql \copy` and DuckDB's CSV reader: the same
// rows with the same load_id, file_name and line numbers.
func writeHH(flowPath, csvPath, loadID string, s hhSpec) error {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return fmt.Errorf("time zone data: %w", err)
	}
	// The interval bounds are shared by every meter: format them once.
	flowTS := make([]string, s.Intervals+1)
	utcTS := make([]string, s.Intervals+1)
	for i := range flowTS {
		t := s.First.Add(time.Duration(s.Skip+i) * 30 * time.Minute)
		flowTS[i] = t.In(london).Format("2006-01-02T15:04:05-07:00")
		utcTS[i] = t.Format("2006-01-02 15:04:05") + "+00"
	}
	flow, err := create(flowPath)
	if err != nil {
		return err
	}
	var csv *output
	if csvPath != "" {
		if csv, err = create(csvPath); err != nil {
			flow.f.Close()
			return err
		}
	}
	name := baseName(flowPath)
	flow.w.WriteString("MPAN,Serial,Consumption (kWh),Start,End\r\n")
	line := 1
	for m := 0; m < s.Meters; m++ {
		core, serial, err := meter(m)
		if err != nil {
			return err
		}
		for i := 0; i < s.Intervals; i++ {
			line++
			k := kwh(m, s.Skip+i)
			w := flow.w
			w.WriteString(core)
			w.WriteByte(',')
			w.WriteString(serial)
			w.WriteByte(',')
			w.WriteString(k)
			w.WriteByte(',')
			w.WriteString(flowTS[i])
			w.WriteByte(',')
			w.WriteString(flowTS[i+1])
			w.WriteString("\r\n")
			if csv != nil {
				c := csv.w
				c.WriteString(loadID)
				c.WriteByte(',')
				c.WriteString(name)
				c.WriteByte(',')
				c.WriteString(strconv.Itoa(line))
				c.WriteByte(',')
				c.WriteString(core)
				c.WriteByte(',')
				c.WriteString(serial)
				c.WriteByte(',')
				c.WriteString(utcTS[i])
				c.WriteByte(',')
				c.WriteString(utcTS[i+1])
				c.WriteByte(',')
				c.WriteString(k)
				c.WriteByte('\n')
			}
		}
	}
	if err := flow.close(); err != nil {
		return err
	}
	if csv != nil {
		return csv.close()
	}
	return nil
}

// output is a buffered file being written.
type output struct {
	f *os.File
	w *bufio.Writer
}

func create(path string) (*output, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &output{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (o *output) close() error {
	if err := o.w.Flush(); err != nil {
		o.f.Close()
		return fmt.Errorf("write %s: %w", o.f.Name(), err)
	}
	return o.f.Close()
}
