package main

import (
	"fmt"
	"strconv"
	"time"
)

// d0010Spec is a generated D0010 flow: Meters MPANs (the same invented
// meters as the half-hourly files), each with one 028 meter group holding
// a daily "S" register read for Days days from First + Skip days.
type d0010Spec struct {
	FileID string
	Meters int
	Days   int
	Skip   int
	First  time.Time
}

// writeD0010 writes the flow to path: a ZHV header, per meter a 026, an
// 028 and its 030 reads, and a ZPT trailer whose record count matches.
func writeD0010(path string, s d0010Spec) error {
	o, err := create(path)
	if err != nil {
		return err
	}
	w := o.w
	fmt.Fprintf(w, "ZHV|%s|D0010002|D|TSTM|X|CDWS|20240101090000||||OPER|\n", s.FileID)
	records := 0
	for m := 0; m < s.Meters; m++ {
		core, serial, err := meter(m)
		if err != nil {
			o.f.Close()
			return err
		}
		fmt.Fprintf(w, "026|%s|V|\n028|%s|C|\n", core, serial)
		records += 2
		for d := s.Skip; d < s.Skip+s.Days; d++ {
			at := s.First.AddDate(0, 0, d).Add(9 * time.Hour).Format("20060102150405")
			value := 10_000 + m*7 + d*12 + (m*d)%5
			w.WriteString("030|S|" + at + "|" + strconv.Itoa(value) + ".0|||T|N|\n")
			records++
		}
	}
	fmt.Fprintf(w, "ZPT|%s|%d||%d|20240101090500|\n", s.FileID, records, s.Meters)
	return o.close()
}
