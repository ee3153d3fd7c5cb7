package billing

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/cdw-dev/cdw/internal/extract"
)

// ingester turns one account's pages into the unit's operations: for each
// entity whose answer changed since its cursor, the responses kept, the
// entity's rows replaced (readings: merged by register_reading_id unless
// every page was fetched) and the new cursor. Unchanged entities write
// nothing, so a rerun with no new data adds nothing.
type ingester struct {
	sink    extract.UnitSink
	account int64
	full    bool               // ignore cursors (full refresh)
	cursors map[string]*cursor // by entity; updated as pages are ingested
}

func newIngester(sink extract.UnitSink, account int64, committed map[string]string, full bool) *ingester {
	in := &ingester{sink: sink, account: account, full: full, cursors: map[string]*cursor{}}
	for _, e := range Entities {
		in.cursors[e] = parseCursor(committed[e])
	}
	return in
}

// fetch ingests the pages of one fetch of the account (any entities). Call
// it once per fetch, oldest fetch first.
func (in *ingester) fetch(pages []Page) error {
	byEntity := map[string][]Page{}
	for _, p := range pages {
		byEntity[p.Entity] = append(byEntity[p.Entity], p)
	}
	for _, e := range Entities {
		ps := byEntity[e]
		if len(ps) == 0 {
			continue
		}
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Page < ps[j].Page })
		if err := in.entity(e, ps); err != nil {
			return err
		}
	}
	return nil
}

// unchanged reports whether pages repeat what the cursor says was loaded:
// for readings every page fetched (a daily run fetches only the newest);
// for the others exactly the same set of requests and bodies.
func (in *ingester) unchanged(entity string, pages []Page, hashes []string) bool {
	c := in.cursors[entity]
	if in.full || len(c.Pages) == 0 {
		return false
	}
	if entity != EntityReadings && len(pages) != len(c.Pages) {
		return false
	}
	for i, p := range pages {
		if c.Pages[p.Path] != hashes[i] {
			return false
		}
	}
	return true
}

func (in *ingester) entity(entity string, pages []Page) error {
	hashes := make([]string, len(pages))
	for i := range pages {
		hashes[i] = pages[i].sha()
	}
	if in.unchanged(entity, pages, hashes) {
		return nil
	}
	acct := extract.Cond{Column: cAccountID, Value: in.account}
	ids := make([]any, len(pages))
	for i, p := range pages {
		ids[i] = p.responseID(hashes[i])
	}
	// A body already kept for its request (a refetch) is replaced, not doubled.
	if err := in.sink.DeleteKeys(tResponses, []extract.Cond{acct}, "response_id", ids); err != nil {
		return err
	}
	for i, p := range pages {
		if err := in.sink.Row(tResponses, []any{p.LoadID, p.FetchedAt, in.account, ids[i], entity, p.Method, p.Path, int64(p.Page), int64(p.Status), hashes[i], string(p.Body)}); err != nil {
			return err
		}
	}
	next := &cursor{Pages: map[string]string{}}
	for i, p := range pages {
		next.Pages[p.Path] = hashes[i]
	}
	var err error
	if entity == EntityReadings {
		err = in.readings(pages, next)
	} else {
		for _, t := range entityTables[entity] {
			if err := in.sink.Delete(t, acct); err != nil {
				return err
			}
		}
		for _, p := range pages {
			if err = in.flatten(entity, p); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	in.cursors[entity] = next
	return in.sink.SetCursor(entity, next.String())
}

// reject quarantines one record of page p.
func (in *ingester) reject(p Page, raw []byte, reason string) error {
	return in.sink.Reject(extract.UnitRejection{Source: p.source(), Line: int64(p.Page), Raw: string(raw), Reason: reason})
}

// decodeList splits a JSON array body into its elements; a body that is
// not an array is rejected as a whole (nil, nil).
func (in *ingester) decodeList(p Page) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(p.Body, &items); err != nil {
		return nil, in.reject(p, p.Body, "expected a JSON array: "+err.Error())
	}
	return items, nil
}

func (in *ingester) flatten(entity string, p Page) error {
	switch entity {
	case EntityMeterPoints:
		return in.meterPoints(p)
	case EntityBillableReadings:
		return in.billable(p)
	case EntityEstimates:
		return in.estimates(p)
	case EntityTariffs:
		return in.tariffs(p)
	case EntityAccountStatus:
		return in.status(p)
	}
	return fmt.Errorf("billing: no flattener for entity %q", entity)
}

// lin returns the lineage values of page p's rows.
func (in *ingester) lin(p Page, vals ...any) []any {
	return append([]any{p.LoadID, p.FetchedAt, in.account}, vals...)
}

// meterPoints flattens the tree into six tables with the keys carried
// down (domain.md §2.1): meter_point_id to attributes and meters, meter_id
// to meter attributes and registers, register_id to register attributes.
func (in *ingester) meterPoints(p Page) error {
	items, err := in.decodeList(p)
	if err != nil || items == nil {
		return err
	}
	for _, raw := range items {
		var mp meterPointJSON
		if err := json.Unmarshal(raw, &mp); err != nil {
			if err := in.reject(p, raw, "meter point: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		if mp.ID == nil {
			if err := in.reject(p, raw, "meter point without an id"); err != nil {
				return err
			}
			continue
		}
		mpID := *mp.ID
		if err := in.sink.Row(tMeterPoints, in.lin(p, mpID, v(mp.MeterPointNumber), v(mp.MeterPointType),
			mp.AssociationStartDate.val(), mp.AssociationEndDate.val(), mp.SupplyStartDate.val(), mp.SupplyEndDate.val(),
			v(mp.IsSmart), v(mp.IsSmartCommunicating))); err != nil {
			return err
		}
		for _, a := range mp.Attributes {
			if err := in.sink.Row(tMeterPointAttrs, in.lin(p, mpID, v(a.Name), v(a.Description), v(a.Value), a.From.val(), a.To.val())); err != nil {
				return err
			}
		}
		for _, m := range mp.Meters {
			if m.MeterID == nil {
				if err := in.reject(p, raw, fmt.Sprintf("meter point %d: a meter without a meterId", mpID)); err != nil {
					return err
				}
				continue
			}
			mID := *m.MeterID
			if err := in.sink.Row(tMeters, in.lin(p, mpID, mID, v(m.MeterSerialNumber), m.InstalledDate.val(), m.RemovedDate.val())); err != nil {
				return err
			}
			for _, a := range m.Attributes {
				if err := in.sink.Row(tMeterAttrs, in.lin(p, mpID, mID, v(a.Name), v(a.Description), v(a.Value))); err != nil {
					return err
				}
			}
			for _, r := range m.Registers {
				if r.ID == nil {
					if err := in.reject(p, raw, fmt.Sprintf("meter %d: a register without an id", mID)); err != nil {
						return err
					}
					continue
				}
				if err := in.sink.Row(tRegisters, in.lin(p, mpID, mID, *r.ID, v(r.RegisterReference), v(r.EacAq), v(r.SourceIDType),
					v(r.TariffComponent), v(r.TPR), v(r.TPRPeriodDescription))); err != nil {
					return err
				}
				for _, a := range r.Attributes {
					if err := in.sink.Row(tRegisterAttrs, in.lin(p, mpID, mID, *r.ID, v(a.Name), v(a.Description), v(a.Value))); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// readings merges the items of the fetched pages. When the pages are the
// whole series (1..totalPages) the account's readings are replaced, so
// readings the platform deleted go too; otherwise the fetched readings
// replace their earlier versions by register_reading_id. A reading on two
// pages (the series shifted while paging) is kept once.
func (in *ingester) readings(pages []Page, next *cursor) error {
	type item struct {
		page Page
		r    readingJSON
	}
	var items []item
	seen := map[int64]bool{}
	pagesSeen := map[int]bool{}
	totalPages := -1
	for _, p := range pages {
		var env readingsEnvelope
		if err := json.Unmarshal(p.Body, &env); err != nil || env.Items == nil && env.TotalPages == nil {
			reason := "expected a readings page {page, items, totalPages}"
			if err != nil {
				reason += ": " + err.Error()
			}
			if err := in.reject(p, p.Body, reason); err != nil {
				return err
			}
			continue
		}
		pagesSeen[p.Page] = true
		if p.Page == 1 && env.TotalPages != nil {
			totalPages = *env.TotalPages
		}
		for _, raw := range env.Items {
			var r readingJSON
			if err := json.Unmarshal(raw, &r); err != nil {
				if err := in.reject(p, raw, "reading: "+err.Error()); err != nil {
					return err
				}
				continue
			}
			if r.RegisterReadingID == nil {
				if err := in.reject(p, raw, "reading without a registerReadingId"); err != nil {
					return err
				}
				continue
			}
			if seen[*r.RegisterReadingID] {
				continue
			}
			seen[*r.RegisterReadingID] = true
			items = append(items, item{p, r})
		}
	}
	complete := totalPages >= 0
	for n := 1; n <= totalPages && complete; n++ {
		complete = pagesSeen[n]
	}
	acct := extract.Cond{Column: cAccountID, Value: in.account}
	if complete {
		if err := in.sink.Delete(tMeterReadings, acct); err != nil {
			return err
		}
	} else {
		keys := make([]any, len(items))
		for i, it := range items {
			keys[i] = *it.r.RegisterReadingID
		}
		if err := in.sink.DeleteKeys(tMeterReadings, []extract.Cond{acct}, cRegisterReadingID, keys); err != nil {
			return err
		}
	}
	prev := in.cursors[EntityReadings]
	newest, has := prev.newestTime()
	if complete {
		has = false // replaced: the newest is what this series holds
	}
	for _, it := range items {
		r := it.r
		if err := in.sink.Row(tMeterReadings, in.lin(it.page, v(r.MeterPointID), v(r.MeterID), v(r.MeterReadingID), v(r.RegisterID),
			*r.RegisterReadingID, v(r.Billable), v(r.HasLiveCharge), v(r.HasRegisterAdvance), v(r.MeterPointNumber), v(r.MeterPointType),
			r.MeterReadingCreatedDate.val(), r.MeterReadingDateTime.val(), v(r.MeterReadingSourceUID), v(r.MeterReadingStatusUID),
			v(r.MeterReadingTypeUID), v(r.MeterSerialNumber), v(r.ReadingValue), v(r.RegisterReference), v(r.Required))); err != nil {
			return err
		}
		if t := r.MeterReadingDateTime.t; t != nil && (!has || t.After(newest)) {
			newest, has = *t, true
		}
	}
	if has {
		next.Newest = newest.Format("2006-01-02T15:04:05")
	}
	return nil
}

// billable flattens reading events to one row per register value, with
// the meter point asked for carried.
func (in *ingester) billable(p Page) error {
	items, err := in.decodeList(p)
	if err != nil || items == nil {
		return err
	}
	if p.MeterPoint == 0 {
		return in.reject(p, p.Body, "billable readings page without its meter point id")
	}
	mp := p.MeterPoint
	for _, raw := range items {
		var e billableJSON
		if err := json.Unmarshal(raw, &e); err != nil {
			if err := in.reject(p, raw, "reading event: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		for _, r := range e.Readings {
			if err := in.sink.Row(tBillableReadings, in.lin(p, mp, v(e.ID), v(e.MeterPointID), v(e.ReadingType), e.DateTime.val(),
				e.CreatedDate.val(), v(e.MeterReadingSource), v(r.ID), v(r.RegisterID), v(r.Value))); err != nil {
				return err
			}
		}
	}
	return nil
}

func (in *ingester) estimates(p Page) error {
	var eu estimatedUsageJSON
	if err := json.Unmarshal(p.Body, &eu); err != nil {
		return in.reject(p, p.Body, "expected {Electricity: [...], Gas: [...]}: "+err.Error())
	}
	for _, fuel := range []struct {
		code  string
		items []json.RawMessage
	}{{"E", eu.Electricity}, {"G", eu.Gas}} {
		for _, raw := range fuel.items {
			var e estimateJSON
			if err := json.Unmarshal(raw, &e); err != nil {
				if err := in.reject(p, raw, "estimate: "+err.Error()); err != nil {
					return err
				}
				continue
			}
			mpxn := e.MPAN
			if fuel.code == "G" {
				mpxn = e.MPRN
			}
			if err := in.sink.Row(tEstimates, in.lin(p, fuel.code, v(mpxn), v(e.RegisterID), v(e.SerialNumber), v(e.IsLive),
				e.EffectiveFrom.val(), e.EffectiveTo.val(), v(e.EstimationValue))); err != nil {
				return err
			}
		}
	}
	return nil
}

func (in *ingester) tariffs(p Page) error {
	items, err := in.decodeList(p)
	if err != nil || items == nil {
		return err
	}
	for _, raw := range items {
		var t tariffJSON
		if err := json.Unmarshal(raw, &t); err != nil {
			if err := in.reject(p, raw, "tariff: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		if err := in.sink.Row(tTariffs, in.lin(p, v(t.TariffName), t.StartDate.val(), t.EndDate.val(), v(t.TariffType), v(t.ExitFees),
			rawText(t.Discounts), rawText(t.Attributes), v(t.ProductID), v(t.ProductVersionID))); err != nil {
			return err
		}
		for _, f := range []struct {
			code  string
			rates *fuelRatesJSON
		}{{"E", t.Electricity}, {"G", t.Gas}} {
			if f.rates == nil {
				continue
			}
			for _, k := range []struct {
				kind  string
				rates []rateJSON
			}{{"unit", f.rates.UnitRates}, {"standing", f.rates.StandingChargeRates}} {
				for _, r := range k.rates {
					if err := in.sink.Row(tTariffRates, in.lin(p, v(t.TariffName), t.StartDate.val(), t.EndDate.val(), f.code, k.kind,
						v(r.Name), v(r.Rate), rawText(r.Registers), v(r.ChargeableComponentUID))); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// status keeps the bare JSON string the platform answers.
func (in *ingester) status(p Page) error {
	var s *string
	if err := json.Unmarshal(p.Body, &s); err != nil {
		return in.reject(p, p.Body, "expected a JSON string: "+err.Error())
	}
	return in.sink.Row(tAccountStatus, in.lin(p, v(s)))
}

// accountID parses a unit id.
func accountID(unit string) (int64, error) {
	n, err := strconv.ParseInt(unit, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("billing: %q is not an account id", unit)
	}
	return n, nil
}
