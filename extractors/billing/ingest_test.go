package billing

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
)

// opSink records a unit's operations as text, one per line.
type opSink struct {
	ops     []string
	cursors map[string]string
	rejects []extract.UnitRejection
}

func newOpSink() *opSink { return &opSink{cursors: map[string]string{}} }

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.Format("2006-01-02T15:04:05.999")
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

func (s *opSink) Row(stream string, values []any) error {
	parts := make([]string, 0, len(values))
	for _, v := range values[3:] { // skip the lineage: load_id, fetched_at, account_id
		parts = append(parts, render(v))
	}
	s.ops = append(s.ops, stream+": "+strings.Join(parts, " "))
	return nil
}
func (s *opSink) Delete(stream string, where ...extract.Cond) error {
	s.ops = append(s.ops, fmt.Sprintf("delete %s %v", stream, where))
	return nil
}
func (s *opSink) DeleteKeys(stream string, where []extract.Cond, column string, keys []any) error {
	s.ops = append(s.ops, fmt.Sprintf("delete %s %v %s in %v", stream, where, column, keys))
	return nil
}
func (s *opSink) SetCursor(entity, value string) error { s.cursors[entity] = value; return nil }
func (s *opSink) Reject(r extract.UnitRejection) error { s.rejects = append(s.rejects, r); return nil }

// rows returns the recorded rows of one table.
func (s *opSink) rows(table string) []string {
	var out []string
	for _, o := range s.ops {
		if rest, ok := strings.CutPrefix(o, table+": "); ok {
			out = append(out, rest)
		}
	}
	return out
}

func page(entity, path string, n int, body string) Page {
	return Page{Account: 100001, Entity: entity, Method: "GET", Path: path, Page: n, Status: 200,
		FetchedAt: time.Date(2024, 7, 1, 6, 0, 0, 0, time.UTC), LoadID: "L1", Body: []byte(body)}
}

// The anonymised example of domain.md §2.1, flattened with its keys
// carried down; "" and null both become NULL dates.
func TestMeterPointTreeIsFlattenedWithCarriedKeys(t *testing.T) {
	body := `[{"associationStartDate":"2020-12-09T00:00:00","associationEndDate":null,
  "supplyStartDate":"2020-12-30T00:00:00","supplyEndDate":"",
  "isSmart":false,"isSmartCommunicating":false,"externalReference":null,
  "id":300001,"meterPointNumber":1900000000001,"meterPointType":"E",
  "meters":[{"meterId":400001,"meterSerialNumber":"00X0000001",
             "installedDate":"2019-09-12T00:00:00","removedDate":null,
             "registers":[{"id":500001,"registerReference":"1","tariffComponent":null,
                           "attributes":[{"attributeName":"No_Of_Digits","attributeValue":"5","attributeDescription":"No  Of  Digits"}],
                           "tpr":null,"tprPeriodDescription":"HHDAY","eacAq":10497.1,"sourceIdType":"D0019"}],
             "attributes":[{"attributeName":"MeterType","attributeValue":"S2ADE","attributeDescription":"Meter Type"}]}],
  "attributes":[{"attributeName":"GSP","attributeValue":"_H","effectiveFromDate":"1996-04-01T00:00:00",
                 "effectiveToDate":null,"attributeDescription":"GSP"},
                {"attributeName":"SSC","attributeValue":"0393","effectiveFromDate":"","effectiveToDate":null,"attributeDescription":"SSC"}]},
 {"id":"oops"}]`
	s := newOpSink()
	in := newIngester(s, 100001, nil, false)
	if err := in.fetch([]Page{page(EntityMeterPoints, "/Accounts/100001/MeterPoints?includeHistory=true", 0, body)}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		tMeterPoints:     {`300001 1900000000001 "E" 2020-12-09T00:00:00 NULL 2020-12-30T00:00:00 NULL false false`},
		tMeterPointAttrs: {`300001 "GSP" "GSP" "_H" 1996-04-01T00:00:00 NULL`, `300001 "SSC" "SSC" "0393" NULL NULL`},
		tMeters:          {`300001 400001 "00X0000001" 2019-09-12T00:00:00 NULL`},
		tMeterAttrs:      {`300001 400001 "MeterType" "Meter Type" "S2ADE"`},
		tRegisters:       {`300001 400001 500001 "1" 10497.1 "D0019" NULL NULL "HHDAY"`},
		tRegisterAttrs:   {`300001 400001 500001 "No_Of_Digits" "No  Of  Digits" "5"`},
	}
	for table, rows := range want {
		if got := s.rows(table); strings.Join(got, "\n") != strings.Join(rows, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", table, got, rows)
		}
	}
	// Every table of the entity is cleared for the account before its rows.
	for _, table := range entityTables[EntityMeterPoints] {
		if !strings.Contains(strings.Join(s.ops, "\n"), "delete "+table+" [{account_id 100001}]") {
			t.Errorf("no delete of %s", table)
		}
	}
	if len(s.rejects) != 1 || !strings.Contains(s.rejects[0].Reason, "meter point: json") || s.rejects[0].Raw != `{"id":"oops"}` {
		t.Fatalf("rejects %+v", s.rejects)
	}
	if len(s.rows(tResponses)) != 1 || s.cursors[EntityMeterPoints] == "" {
		t.Fatalf("response kept %d times, cursor %q", len(s.rows(tResponses)), s.cursors[EntityMeterPoints])
	}

	// The same body again, with the cursor just written: nothing to do.
	s2 := newOpSink()
	in2 := newIngester(s2, 100001, s.cursors, false)
	if err := in2.fetch([]Page{page(EntityMeterPoints, "/Accounts/100001/MeterPoints?includeHistory=true", 0, body)}); err != nil {
		t.Fatal(err)
	}
	if len(s2.ops) != 0 || len(s2.cursors) != 0 {
		t.Fatalf("unchanged body wrote %v %v", s2.ops, s2.cursors)
	}
	// A full refresh writes it all again.
	s3 := newOpSink()
	if err := newIngester(s3, 100001, s.cursors, true).fetch([]Page{page(EntityMeterPoints, "/Accounts/100001/MeterPoints?includeHistory=true", 0, body)}); err != nil {
		t.Fatal(err)
	}
	if len(s3.rows(tMeterPoints)) != 1 {
		t.Fatalf("full refresh: %v", s3.ops)
	}
}

func readingsPage(n, totalPages int, items ...string) Page {
	return page(EntityReadings, fmt.Sprintf("/api/account/100001/meter-readings?sortField=meterReadingDateTime&sortDirection=Descending&page=%d", n), n,
		fmt.Sprintf(`{"page":%d,"itemsPerPage":2,"items":[%s],"total":%d,"totalPages":%d}`, n, strings.Join(items, ","), totalPages*2, totalPages))
}

func reading(id int64, at string) string {
	return fmt.Sprintf(`{"registerReadingId":%d,"registerId":500001,"accountId":100001,"meterId":400001,"meterPointId":300001,"meterReadingId":%d,
"meterPointType":"E","meterPointNumber":1900000000001,"meterSerialNumber":"00X0000001","registerReference":"1",
"meterReadingDateTime":"%s","readingValue":13955.0,"meterReadingTypeUID":"ACTUAL","meterReadingSourceUID":"SMART",
"meterReadingStatusUID":"VALID","billable":true,"required":false,"meterReadingCreatedDate":"2021-05-12T11:55:26.17",
"hasLiveCharge":true,"hasRegisterAdvance":true}`, id, id-1000000, at)
}

func TestReadingsReplaceTheSeriesOrMergeByKey(t *testing.T) {
	// All pages: the account's readings are replaced; a reading that
	// shifted onto two pages is kept once; the cursor holds the newest.
	s := newOpSink()
	in := newIngester(s, 100001, nil, false)
	err := in.fetch([]Page{
		readingsPage(1, 2, reading(9000003, "2021-06-12T00:00:00"), reading(9000002, "2021-05-12T00:00:00")),
		readingsPage(2, 2, reading(9000002, "2021-05-12T00:00:00"), reading(9000001, "2021-04-12T00:00:00")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.ops[len(s.ops)-4] != "delete billing_meter_readings [{account_id 100001}]" || len(s.rows(tMeterReadings)) != 3 {
		t.Fatalf("ops:\n%s", strings.Join(s.ops, "\n"))
	}
	want := `400001 8000003 500001 9000003 true true true 1900000000001 "E" 2021-05-12T11:55:26.17 2021-06-12T00:00:00 "SMART" "VALID" "ACTUAL" "00X0000001" 13955 "1" false`
	if got := s.rows(tMeterReadings)[0]; got != `300001 `+want {
		t.Fatalf("row\n got %s\nwant 300001 %s", got, want)
	}
	if c := parseCursor(s.cursors[EntityReadings]); c.Newest != "2021-06-12T00:00:00" || len(c.Pages) != 2 {
		t.Fatalf("cursor %s", s.cursors[EntityReadings])
	}
	// Page 1 only, with a new reading: merged by key, nothing else touched.
	s2 := newOpSink()
	in2 := newIngester(s2, 100001, s.cursors, false)
	if err := in2.fetch([]Page{readingsPage(1, 2, reading(9000004, "2021-07-12T00:00:00"), reading(9000003, "2021-06-12T00:00:00"))}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(s2.ops, "\n"), "delete billing_meter_readings [{account_id 100001}] register_reading_id in [9000004 9000003]") ||
		len(s2.rows(tMeterReadings)) != 2 {
		t.Fatalf("ops:\n%s", strings.Join(s2.ops, "\n"))
	}
	if c := parseCursor(s2.cursors[EntityReadings]); c.Newest != "2021-07-12T00:00:00" {
		t.Fatalf("cursor %s", s2.cursors[EntityReadings])
	}
	// A page that is not a readings page is quarantined, not guessed at.
	s3 := newOpSink()
	bad := readingsPage(1, 1)
	bad.Body = []byte(`[1,2]`)
	if err := newIngester(s3, 100001, nil, false).fetch([]Page{bad}); err != nil {
		t.Fatal(err)
	}
	if len(s3.rejects) != 1 || s3.rejects[0].Line != 1 || !strings.HasPrefix(s3.rejects[0].Source, "GET /api/account/100001/meter-readings") {
		t.Fatalf("rejects %+v", s3.rejects)
	}
}

func TestOtherEntitiesFlatten(t *testing.T) {
	s := newOpSink()
	in := newIngester(s, 100001, nil, false)
	mp := page(EntityBillableReadings, "/Accounts/100001/MeterPoints/300001/Readings?isBilleable=true", 0,
		`[{"id":8000001,"readingType":"ACTUAL","meterPointId":300001,"dateTime":"2021-05-12T00:00:00","createdDate":"2021-05-12T11:55:26.17","meterReadingSource":"SMART",
		   "readings":[{"id":9000001,"registerId":500001,"value":13955.0},{"id":9000002,"registerId":500002,"value":4321.0}]}]`)
	mp.MeterPoint = 300001
	err := in.fetch([]Page{
		mp,
		page(EntityEstimates, "/api/accounts/100001/estimatedusage", 0,
			`{"Electricity":[{"MPAN":1900000000001,"RegisterId":"1","EffectiveFrom":"2020-12-30T00:00:00","EffectiveTo":"9999-12-31 23:59:59","EstimationValue":3100.5,"SerialNumber":"00X0000001","IsLive":true}],
			  "Gas":[{"MPRN":3938424403,"RegisterId":"G","EffectiveFrom":"2020-12-30T00:00:00","EffectiveTo":"2021-12-29T23:59:59","EstimationValue":12000,"SerialNumber":"G4A0000001","IsLive":false}]}`),
		page(EntityTariffs, "/Accounts/100001/TariffsWithHistory", 0,
			`[{"tariffName":"Flex Variable","startDate":"2020-12-30T00:00:00","endDate":null,"discounts":[],"tariffType":"Variable","exitFees":0,
			   "attributes":{"IsStandardVariableRate":"true"},"productId":101,"productVersionId":2,
			   "Electricity":{"unitRates":[{"name":"Unit rate","rate":11.344,"registers":[500001],"chargeableComponentUID":"ANYTIME"}],
			                  "standingChargeRates":[{"name":"Standing charge","rate":20,"registers":null,"chargeableComponentUID":"ELECTRICITYSTANDINGCHARGE"}]},
			   "Gas":null}]`),
		page(EntityAccountStatus, "/Accounts/100001/SupplyStatus", 0, `"Tracker.Registration.Live"`),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		tBillableReadings: {
			`300001 8000001 300001 "ACTUAL" 2021-05-12T00:00:00 2021-05-12T11:55:26.17 "SMART" 9000001 500001 13955`,
			`300001 8000001 300001 "ACTUAL" 2021-05-12T00:00:00 2021-05-12T11:55:26.17 "SMART" 9000002 500002 4321`},
		tEstimates: {
			`"E" 1900000000001 "1" "00X0000001" true 2020-12-30T00:00:00 9999-12-31T23:59:59 3100.5`,
			`"G" 3938424403 "G" "G4A0000001" false 2020-12-30T00:00:00 2021-12-29T23:59:59 12000`},
		tTariffs: {`"Flex Variable" 2020-12-30T00:00:00 NULL "Variable" 0 "[]" "{\"IsStandardVariableRate\":\"true\"}" 101 2`},
		tTariffRates: {
			`"Flex Variable" 2020-12-30T00:00:00 NULL "E" "unit" "Unit rate" 11.344 "[500001]" "ANYTIME"`,
			`"Flex Variable" 2020-12-30T00:00:00 NULL "E" "standing" "Standing charge" 20 NULL "ELECTRICITYSTANDINGCHARGE"`},
		tAccountStatus: {`"Tracker.Registration.Live"`},
	}
	for table, rows := range want {
		if got := s.rows(table); strings.Join(got, "\n") != strings.Join(rows, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", table, got, rows)
		}
	}
	if len(s.rejects) != 0 {
		t.Fatalf("rejects %+v", s.rejects)
	}
}
