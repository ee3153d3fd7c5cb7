package sample

import (
	"fmt"

	"github.com/cdw-dev/cdw/internal/mpan"
)

// point is an invented metering point with one meter.
type point struct {
	core     string
	serial   string
	regs     []register
	readDay  [12]int  // day of month of each month's read (1..27)
	readHour [12]int  // hour of that read, mostly 0
	readType [12]byte // J0171 of that read
}

// register is a 5-dial cumulative register: it shows (start + rate*days)
// modulo 100000.
type register struct {
	id    string
	start int
	rate  int // kWh per day
}

// generator holds the random state and everything decided up front.
type generator struct {
	opts      Options
	r         *rng
	points    []point
	anomalies []Anomaly
	registers int

	hhDays, gapIntervals int
	deemed               int // 030 rows written under a deemed (D) 028
}

// distributors are the two-digit prefixes invented cores start with (the
// GB distribution areas 10-23).
var distributors = [...]int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}

const serialLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

func newGenerator(opts Options) (*generator, error) {
	g := &generator{opts: opts, r: newRNG(opts.Seed)}
	r := g.r
	seen := map[string]bool{}
	for i := 0; i < opts.MPANs; i++ {
		var p point
		for {
			core, err := mpan.Make(distributors[r.intn(len(distributors))], r.next()%10_000_000_000)
			if err != nil {
				return nil, fmt.Errorf("sample: %w", err)
			}
			if !seen[core] {
				seen[core] = true
				p.core = core
				break
			}
		}
		space := ""
		if i%3 == 0 {
			space = " "
		}
		p.serial = fmt.Sprintf("%c%02d%c%s%05d", serialLetters[r.intn(len(serialLetters))], r.between(10, 23),
			serialLetters[r.intn(len(serialLetters))], space, r.intn(100000))
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			p.regs = []register{{"S", r.between(1000, 60000), r.between(5, 15)}}
		case 5, 6:
			p.regs = []register{{"01", r.between(1000, 60000), r.between(6, 12)}, {"02", r.between(1000, 60000), r.between(2, 6)}}
		default:
			p.regs = []register{{"DY", r.between(1000, 60000), r.between(6, 12)}, {"NT", r.between(1000, 60000), r.between(2, 6)}}
		}
		if i == rolloverPoint {
			// Wraps past 99999 once, around day 200 (July).
			p.regs[0].start, p.regs[0].rate = 98000, 10
		}
		for m := range 12 {
			p.readDay[m] = r.between(1, 27)
			if r.intn(8) == 0 {
				p.readHour[m] = r.between(8, 18)
			}
			p.readType[m] = 'C'
			// About one read in seven is deemed (D), except on the points
			// that carry planted duplicates: a copy of a deemed read is
			// judged not_actual before it is judged a duplicate.
			if r.intn(7) == 0 && !carriesDuplicate(i) {
				p.readType[m] = 'D'
			}
		}
		g.registers += len(p.regs)
		g.points = append(g.points, p)
	}
	return g, nil
}
