package billingsim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/cdw-dev/cdw/internal/mpan"
)

// The generated world: every account's meter point tree is fixed and dated
// before 2024; its readings run monthly to Horizon and are visible once
// their created date is at or before the server's AsOf, so a later AsOf
// only ever adds readings.
var (
	// Horizon is the last date readings are generated for.
	Horizon = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	// EarliestAsOf is the earliest AsOf a Server accepts: the whole tree
	// exists by then.
	EarliestAsOf = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	dateTimeLayout = "2006-01-02T15:04:05"
	openEnded      = "9999-12-31 23:59:59" // the platform's EffectiveTo of a current estimate
)

func fmtTime(t time.Time) string { return t.Format(dateTimeLayout) }

// fmtCreated renders a created timestamp with centiseconds, as the
// platform does ("2021-05-12T11:55:26.17").
func fmtCreated(t time.Time) string {
	return t.Format(dateTimeLayout) + fmt.Sprintf(".%02d", t.Nanosecond()/1e7)
}

// account is everything the platform knows about one account.
type account struct {
	id        int64
	points    []MeterPoint
	current   []bool // per point: association still open
	readings  []genReading
	estimates EstimatedUsage
	tariffs   []Tariff
	status    string
}

// genReading is a Reading with its instants kept for filtering and sorting.
type genReading struct {
	Reading
	readAt, created time.Time
}

// registerInfo drives the readings of one register on one meter.
type registerInfo struct {
	point    *MeterPoint
	meter    *Meter
	reg      *Register
	digits   int
	from, to time.Time // readings between these dates
	initial  bool      // the meter was fitted at an exchange: starts with an INITIAL 0
	final    bool      // the meter was removed at an exchange: ends with a FINAL read
	start    float64
}

// generate builds account id of the world of seed. It is a pure function
// of (seed, id).
func generate(seed int64, id int64) *account {
	r := newRNG(uint64(seed), uint64(id)*0x9e3779b97f4a7c15+1)
	a := &account{id: id}
	gasOnly := r.chance(0.05)
	hasGas := gasOnly || r.chance(0.6)
	moved := r.chance(0.2) // an earlier home's electricity point, association ended
	type plan struct {
		fuel string
		old  bool
	}
	var plans []plan
	if moved {
		plans = append(plans, plan{"E", true})
	}
	if !gasOnly {
		plans = append(plans, plan{"E", false})
	}
	if hasGas {
		plans = append(plans, plan{"G", false})
	}
	var regs []registerInfo
	meterSeq, regSeq := 0, 0
	for k, p := range plans {
		mp, infos := genPoint(r, id, k, p.fuel, p.old, &meterSeq, &regSeq)
		a.points = append(a.points, mp)
		a.current = append(a.current, !p.old)
		regs = append(regs, infos...)
	}
	// The infos point into a.points' slices: fix them up now the slice is final.
	idx := 0
	for pi := range a.points {
		for mi := range a.points[pi].Meters {
			for ri := range a.points[pi].Meters[mi].Registers {
				regs[idx].point = &a.points[pi]
				regs[idx].meter = &a.points[pi].Meters[mi]
				regs[idx].reg = &a.points[pi].Meters[mi].Registers[ri]
				idx++
			}
		}
	}
	a.readings = genReadings(r, id, regs)
	a.estimates = genEstimates(r, a.points)
	a.tariffs = genTariffs(r, a.points)
	a.status = "Tracker.Registration.Live"
	if len(a.points) > 0 && !a.current[len(a.points)-1] {
		a.status = "Tracker.Registration.Final"
	}
	return a
}

var (
	gspGroups = []string{"_A", "_B", "_C", "_D", "_E", "_F", "_G", "_H", "_J", "_K", "_L", "_M", "_N", "_P"}
	ldzs      = []string{"EA", "EM", "NE", "NO", "NT", "NW", "SC", "SE", "SO", "SW", "WM", "WN", "WS"}
)

func day(r *rng, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.intn(days+1))
}

func ptr[T any](v T) *T { return &v }

// genPoint builds one meter point with its meters and registers. Register
// infos are returned in tree order (meters, then registers).
func genPoint(r *rng, acct int64, k int, fuel string, old bool, meterSeq, regSeq *int) (MeterPoint, []registerInfo) {
	supplyStart := day(r, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC))
	if old {
		supplyStart = day(r, time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 6, 30, 0, 0, 0, 0, time.UTC))
	}
	assocStart := supplyStart.AddDate(0, 0, -r.intn(30))
	mp := MeterPoint{
		AssociationStartDate: fmtTime(assocStart),
		SupplyStartDate:      fmtTime(supplyStart),
		ID:                   300_000_000 + acct*10 + int64(k),
		MeterPointType:       fuel,
		Meters:               []Meter{},
		Attributes:           []DatedAttribute{},
	}
	// The platform sends a missing end date as null, or (in older data) as "".
	var blank any
	if r.chance(0.3) {
		blank = ""
	}
	mp.AssociationEndDate, mp.SupplyEndDate = blank, blank
	end := Horizon
	if old {
		end = supplyStart.AddDate(0, r.between(12, 30), 0)
		mp.AssociationEndDate, mp.SupplyEndDate = fmtTime(end), fmtTime(end)
	}
	mp.IsSmart = r.chance(0.4)
	mp.IsSmartCommunicating = mp.IsSmart && r.chance(0.8)
	unique := uint64(acct)*10 + uint64(k)
	if fuel == "E" {
		core, err := mpan.Make(10+r.intn(14), 1_000_000+unique)
		if err != nil {
			panic(err) // distributor and number are in range by construction
		}
		mp.MeterPointNumber, _ = strconv.ParseInt(core, 10, 64)
		pc := []string{"1", "1", "1", "2"}[r.intn(4)]
		ssc := map[string]string{"1": "0393", "2": "0151"}[pc]
		mp.Attributes = append(mp.Attributes,
			DatedAttribute{"GSP", gspGroups[r.intn(len(gspGroups))], "1996-04-01T00:00:00", nil, "GSP"},
			DatedAttribute{"Profile Class", pc, nil, nil, "Profile Class"},
			DatedAttribute{"SSC", ssc, nil, nil, "SSC"},
			DatedAttribute{"Metering Type", "NHH", "", "", "Metering Type"},
			DatedAttribute{"MTC", []string{"801", "845", "181"}[r.intn(3)], nil, nil, "MTC"},
			DatedAttribute{"LLFC", fmt.Sprintf("%03d", r.between(1, 999)), nil, nil, "LLFC"},
			DatedAttribute{"Supply_Status", map[bool]string{true: "LOSS", false: "LIVE"}[old], fmtTime(supplyStart), nil, "Supply Status"},
		)
	} else {
		body := strconv.FormatUint(10_000_000+unique, 10)
		check, err := MPRNCheckDigits(body)
		if err != nil {
			panic(err)
		}
		mp.MeterPointNumber, _ = strconv.ParseInt(body+check, 10, 64)
		mp.Attributes = append(mp.Attributes,
			DatedAttribute{"LDZ", ldzs[r.intn(len(ldzs))], nil, nil, "LDZ"},
			DatedAttribute{"Gas_Imperial_Meter_Indicator", []string{"N", "N", "N", "Y", "U"}[r.intn(5)], nil, nil, "Gas Imperial Meter Indicator"},
			DatedAttribute{"SUPPLY_POINT_CATEGORY", "NDMA", nil, nil, "Supply Point Category"},
			DatedAttribute{"Supply_Status", "LIVE", fmtTime(supplyStart), nil, "Supply Status"},
		)
	}
	// One meter, or two with an exchange part-way through supply.
	exchange := time.Time{}
	if r.chance(0.25) {
		latest := end.AddDate(0, -3, 0)
		if cap := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC); latest.After(cap) {
			latest = cap
		}
		if earliest := supplyStart.AddDate(0, 6, 0); earliest.Before(latest) {
			exchange = day(r, earliest, latest)
		}
	}
	elecLayout := [][2]string{{"1", "00001"}}
	if fuel == "E" && r.chance(0.3) {
		elecLayout = [][2]string{{"1", "00043"}, {"2", "00210"}}
	}
	digits := 5
	if (fuel == "E" && r.chance(0.2)) || (fuel == "G" && r.chance(0.4)) {
		digits = map[string]int{"E": 6, "G": 4}[fuel]
	}
	eac := float64(r.between(1800, 5200)) + float64(r.intn(10))/10
	if fuel == "G" {
		eac = float64(r.between(8000, 18000)) + float64(r.intn(10))/10
	}
	var infos []registerInfo
	nMeters := 1
	if !exchange.IsZero() {
		nMeters = 2
	}
	for m := 0; m < nMeters; m++ {
		*meterSeq++
		installed := supplyStart.AddDate(-r.between(0, 6), 0, 0)
		from, to := supplyStart, end
		if nMeters == 2 && m == 0 {
			to = exchange
		}
		if m == 1 {
			installed, from = exchange, exchange
		}
		meter := Meter{
			MeterID:           400_000_000 + acct*100 + int64(*meterSeq),
			MeterSerialNumber: serial(r, fuel),
			InstalledDate:     fmtTime(installed),
			RemovedDate:       nil,
			Registers:         []Register{},
			Attributes:        []Attribute{},
		}
		if nMeters == 2 && m == 0 {
			meter.RemovedDate = fmtTime(exchange)
		} else if old {
			meter.RemovedDate = ""
		}
		if fuel == "E" {
			meter.Attributes = append(meter.Attributes,
				Attribute{"MeterType", map[bool]string{true: "S2ADE", false: "N"}[mp.IsSmart], "Meter Type"},
				Attribute{"Manufacturers_Make_Type", "INV-" + strconv.Itoa(r.between(100, 999)), "Manufacturers Make Type"})
		} else {
			meter.Attributes = append(meter.Attributes,
				Attribute{"MeterType", "U", "Meter Type"},
				Attribute{"Conversion_Factor", "1.02264", "Conversion Factor"},
				Attribute{"Imperial_Indicator", "N", "Imperial Indicator"})
		}
		layout := elecLayout
		if fuel == "G" {
			layout = [][2]string{{"G", ""}}
		}
		for li, l := range layout {
			*regSeq++
			reg := Register{
				ID:                500_000_000 + acct*100 + int64(*regSeq),
				RegisterReference: l[0],
				Attributes: []Attribute{
					{"No_Of_Digits", strconv.Itoa(digits), "No  Of  Digits"},
					{"Multiplier", "1", "Multiplier"},
				},
				SourceIDType: "D0019",
			}
			switch {
			case fuel == "G":
				reg.TPRPeriodDescription = ptr("GAS")
				reg.EacAq = eac
				reg.Attributes = append(reg.Attributes, Attribute{"Units_Of_Measure", "SCMH", "Units Of Measure"})
				reg.SourceIDType = "NRL"
			case len(layout) == 1:
				reg.TPR, reg.TPRPeriodDescription, reg.EacAq = ptr(l[1]), ptr("ANYTIME"), eac
				reg.TariffComponent = ptr("")
			default:
				desc := []string{"DAY", "NIGHT"}[li]
				share := []float64{0.62, 0.38}[li]
				reg.TPR, reg.TPRPeriodDescription, reg.EacAq = ptr(l[1]), ptr(desc), math.Round(eac*share*10)/10
			}
			if r.chance(0.05) && fuel == "E" {
				reg.TPRPeriodDescription = nil // excluded from EAC downstream
			}
			meter.Registers = append(meter.Registers, reg)
			start := float64(r.intn(int(math.Pow10(digits)) * 9 / 10))
			if r.chance(0.15) { // close to the top of the dials: it will roll over
				start = math.Pow10(digits) - float64(r.between(50, 400))
			}
			if m == 1 {
				start = 0
			}
			infos = append(infos, registerInfo{digits: digits, from: from, to: to,
				initial: m == 1, final: nMeters == 2 && m == 0, start: start})
		}
		mp.Meters = append(mp.Meters, meter)
	}
	return mp, infos
}

// serial invents a meter serial: electricity "00X" style, gas "G4A" style.
func serial(r *rng, fuel string) string {
	letters := "ABCDEFGHJKLMNPQRSTUVWXYZ"
	if fuel == "G" {
		return fmt.Sprintf("G4%c%07d", letters[r.intn(len(letters))], r.intn(10_000_000))
	}
	return fmt.Sprintf("%02d%c%07d", r.intn(100), letters[r.intn(len(letters))], r.intn(10_000_000))
}

// genReadings makes monthly readings per register: mostly actual customer,
// smart or data-collector reads, some estimates, superseded estimates
// (an INVALID estimate and a later VALID re-estimate on the same date),
// same-day duplicates from two sources, rollovers past the top of the
// dials, and FINAL/INITIAL reads at a meter exchange. Registers of one
// meter share their reading events (meterReadingId).
func genReadings(r *rng, acct int64, regs []registerInfo) []genReading {
	var out []genReading
	eventSeq, readSeq := int64(0), int64(0)
	// Group registers by meter so one event covers all registers of a meter.
	type meterGroup struct{ regs []int }
	var groups []meterGroup
	byMeter := map[int64]int{}
	for i, ri := range regs {
		g, ok := byMeter[ri.meter.MeterID]
		if !ok {
			g = len(groups)
			byMeter[ri.meter.MeterID] = g
			groups = append(groups, meterGroup{})
		}
		groups[g].regs = append(groups[g].regs, i)
	}
	for _, g := range groups {
		first := regs[g.regs[0]]
		readDay := r.between(1, 28)
		values := make([]float64, len(g.regs))
		for j, ri := range g.regs {
			values[j] = regs[ri].start
		}
		emit := func(when time.Time, vals []float64, typ, source, status string, billable bool, lagHours int) {
			eventSeq++
			created := when.Add(time.Duration(lagHours)*time.Hour + time.Duration(r.intn(3600))*time.Second + time.Duration(r.intn(100))*10*time.Millisecond)
			for j, ri := range g.regs {
				info := regs[ri]
				readSeq++
				out = append(out, genReading{readAt: when, created: created, Reading: Reading{
					RegisterReadingID:       9_000_000_000 + acct*100_000 + readSeq,
					RegisterID:              info.reg.ID,
					AccountID:               acct,
					MeterID:                 info.meter.MeterID,
					MeterPointID:            info.point.ID,
					MeterReadingID:          8_000_000_000 + acct*100_000 + eventSeq,
					MeterPointType:          info.point.MeterPointType,
					MeterPointNumber:        info.point.MeterPointNumber,
					MeterSerialNumber:       info.meter.MeterSerialNumber,
					RegisterReference:       info.reg.RegisterReference,
					MeterReadingDateTime:    fmtTime(when),
					ReadingValue:            vals[j],
					MeterReadingTypeUID:     typ,
					MeterReadingSourceUID:   source,
					MeterReadingStatusUID:   status,
					Billable:                billable,
					Required:                typ == "FINAL" || typ == "INITIAL",
					MeterReadingCreatedDate: fmtCreated(created),
					HasLiveCharge:           billable,
					HasRegisterAdvance:      typ != "INITIAL",
				}})
			}
		}
		if first.initial {
			emit(first.from, values, "INITIAL", "DC", "UNVALIDATED", false, r.between(2, 30))
		}
		when := time.Date(first.from.Year(), first.from.Month(), readDay, 0, 0, 0, 0, time.UTC)
		if !when.After(first.from) {
			when = when.AddDate(0, 1, 0)
		}
		for ; when.Before(first.to) && !when.After(Horizon); when = when.AddDate(0, 1, 0) {
			season := 1 + 0.35*math.Cos(float64(when.Month()-1)/12*2*math.Pi)
			for j, ri := range g.regs {
				adv := regs[ri].reg.EacAq / 12 * season * (0.8 + 0.4*r.float())
				if regs[ri].point.MeterPointType == "G" {
					adv /= 11.2 // kWh to cubic metres, roughly
				}
				values[j] = math.Mod(values[j]+math.Round(adv), math.Pow10(regs[ri].digits))
			}
			switch u := r.float(); {
			case u < 0.08: // superseded estimate
				wrong := make([]float64, len(values))
				for j := range values {
					wrong[j] = values[j] + float64(r.between(5, 60))
				}
				emit(when, wrong, "ESTIMATED", "ESTIMATE", "INVALID", false, r.between(1, 12))
				emit(when, values, "ESTIMATED", "ESTIMATE", "VALID", true, r.between(24, 96))
			case u < 0.25:
				emit(when, values, "ESTIMATED", "ESTIMATE", "VALID", true, r.between(1, 24))
			case u < 0.30: // the same read from two sources, one rejected
				emit(when, values, "ACTUAL", "SMART", "VALID", true, r.between(1, 6))
				emit(when, values, "ACTUAL", "CUSTOMER", "INVALID", false, r.between(6, 48))
			default:
				source := "CUSTOMER"
				if first.point.IsSmart && r.chance(0.7) {
					source = "SMART"
				} else if r.chance(0.2) {
					source = "DC"
				}
				emit(when, values, "ACTUAL", source, "VALID", true, r.between(1, 72))
			}
		}
		if first.final {
			emit(first.to, values, "FINAL", "DC", "VALID", true, r.between(2, 30))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].readAt.Equal(out[j].readAt) {
			return out[i].readAt.After(out[j].readAt)
		}
		return out[i].RegisterReadingID > out[j].RegisterReadingID
	})
	return out
}

// genEstimates gives each register of each current meter one to three
// industry EAC/AQ periods, the last open-ended.
func genEstimates(r *rng, points []MeterPoint) EstimatedUsage {
	e := EstimatedUsage{Electricity: []ElecEstimate{}, Gas: []GasEstimate{}}
	for _, mp := range points {
		for _, m := range mp.Meters {
			for _, reg := range m.Registers {
				from, _ := time.Parse(dateTimeLayout, mp.SupplyStartDate)
				n := r.between(1, 3)
				value := reg.EacAq
				for i := 0; i < n; i++ {
					to := openEnded
					next := from.AddDate(0, r.between(6, 14), 0)
					if i < n-1 {
						to = fmtTime(next.Add(-time.Second))
					}
					v := math.Round(value*(0.85+0.3*r.float())*10) / 10
					if mp.MeterPointType == "E" {
						e.Electricity = append(e.Electricity, ElecEstimate{mp.MeterPointNumber, reg.RegisterReference, fmtTime(from), to, v, m.MeterSerialNumber, i == n-1})
					} else {
						e.Gas = append(e.Gas, GasEstimate{mp.MeterPointNumber, reg.RegisterReference, fmtTime(from), to, v, m.MeterSerialNumber, i == n-1})
					}
					from = next
				}
			}
		}
	}
	return e
}

// genTariffs gives the account one to three consecutive tariff periods.
func genTariffs(r *rng, points []MeterPoint) []Tariff {
	var elecRegs, gasRegs []int64
	for _, mp := range points {
		for _, m := range mp.Meters {
			for _, reg := range m.Registers {
				if mp.MeterPointType == "E" {
					elecRegs = append(elecRegs, reg.ID)
				} else {
					gasRegs = append(gasRegs, reg.ID)
				}
			}
		}
	}
	names := []string{"Flex Variable", "Fixed 12M v3", "Fixed 24M v1", "Green Flex"}
	start := time.Date(2020, time.Month(r.between(1, 12)), 1, 0, 0, 0, 0, time.UTC)
	n := r.between(1, 3)
	out := make([]Tariff, 0, n)
	for i := 0; i < n; i++ {
		t := Tariff{
			TariffName: names[r.intn(len(names))], StartDate: fmtTime(start), Discounts: []any{},
			TariffType: "Variable", Attributes: map[string]string{"IsStandardVariableRate": "true"},
			ProductID: int64(r.between(100, 999)), ProductVersionID: int64(r.between(1, 9)),
		}
		if t.TariffName != "Flex Variable" && t.TariffName != "Green Flex" {
			t.TariffType, t.ExitFees, t.Attributes = "Fixed", 30, map[string]string{"IsStandardVariableRate": "false"}
		}
		if i < n-1 {
			end := start.AddDate(1, 0, -1)
			t.EndDate = ptr(fmtTime(end))
			start = end.AddDate(0, 0, 1)
		}
		if len(elecRegs) > 0 {
			t.Electricity = &FuelRates{
				UnitRates:           []Rate{{"Unit rate", math.Round((14+12*r.float())*100000) / 100000, elecRegs, "ANYTIME"}},
				StandingChargeRates: []Rate{{"Standing charge", math.Round((20+30*r.float())*100000) / 100000, nil, "ELECTRICITYSTANDINGCHARGE"}},
			}
		}
		if len(gasRegs) > 0 {
			t.Gas = &FuelRates{
				UnitRates:           []Rate{{"Unit rate", math.Round((3+5*r.float())*100000) / 100000, gasRegs, "GAS"}},
				StandingChargeRates: []Rate{{"Standing charge", math.Round((18+15*r.float())*100000) / 100000, nil, "GASSTANDINGCHARGE"}},
			}
		}
		out = append(out, t)
	}
	return out
}
