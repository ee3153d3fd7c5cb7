package quality

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var update = flag.Bool("update", false, "rewrite testdata/failing_rows.txtar")

const setup = `create schema s;
create table s.meters (id int, kind text);
create table s.reads (meter_id int, kind text, value int);
insert into s.meters values (1, 'credit'), (2, 'prepay'), (2, 'prepay'), (null, 'x');
insert into s.reads values (1, 'credit', 10), (1, 'bogus', -1), (3, 'credit', 5), (null, null, 7), (4, 'bogus', -2)`

// specCase is a generic test over s.reads (or a query over it) and how
// many rows it must find failing.
type specCase struct {
	name string
	spec Spec
	want int64
}

func cases(d warehouse.Dialect) []specCase {
	reads := d.QuoteRelation(warehouse.Relation{Schema: "s", Name: "reads"})
	meters := d.QuoteRelation(warehouse.Relation{Schema: "s", Name: "meters"})
	newRows := "select * from " + reads + " where value < 0" // stands for an incremental delta
	return []specCase{
		{"not_null", Spec{Test: "not_null", Relation: reads, Column: "kind"}, 1},
		{"not_null_where", Spec{Test: "not_null", Relation: reads, Column: "kind", Where: "value > 6"}, 1},
		{"not_null_query", Spec{Test: "not_null", Query: newRows, Column: "kind"}, 0},
		{"unique", Spec{Test: "unique", Relation: meters, Column: "id"}, 1},
		{"unique_query_where", Spec{Test: "unique", Query: "select * from " + meters, Column: "id", Where: "kind = 'credit'"}, 0},
		{"accepted_values", Spec{Test: "accepted_values", Relation: reads, Column: "kind", Values: []any{"credit", "o'brien"}}, 1},
		{"accepted_values_query", Spec{Test: "accepted_values", Query: newRows, Column: "kind", Values: []any{"credit"}}, 1},
		{"relationships", Spec{Test: "relationships", Relation: reads, Column: "meter_id", To: meters, Field: "id"}, 2},
		{"relationships_where", Spec{Test: "relationships", Relation: reads, Column: "meter_id", To: meters, Field: "id", Where: "value > 0"}, 1},
		{"relationships_query", Spec{Test: "relationships", Query: newRows, Column: "meter_id", To: meters, Field: "id"}, 1},
		{"relationships_query_where", Spec{Test: "relationships", Query: newRows, Column: "meter_id", To: meters, Field: "id", Where: "value > -2"}, 0},
	}
}

// TestFailingRowsGolden pins the SQL of every generic test shape per
// engine and runs it on both engines, checking the failing-row counts; a
// limit caps them.
func TestFailingRowsGolden(t *testing.T) {
	var got []txtar.File
	for _, engine := range enginetest.Engines {
		d := enginetest.Dialects()[engine]
		for _, c := range cases(d) {
			sql, err := FailingRowsSQL(d, c.spec)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got = append(got, txtar.File{Name: engine + "/" + c.name + ".sql", Data: []byte(sql)})
		}
		got = append(got, txtar.File{Name: engine + "/limit.sql", Data: []byte(LimitSQL("select * from t", 10))})
	}
	enginetest.Golden(t, "testdata/failing_rows.txtar", got, *update)

	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		enginetest.Exec(t, a, setup)
		for _, c := range cases(a.Dialect()) {
			sql, _ := FailingRowsSQL(a.Dialect(), c.spec)
			for _, limit := range []int{0, 1} {
				want := c.want
				if limit > 0 && want > int64(limit) {
					want = int64(limit)
				}
				res := enginetest.Query(t, a, CountSQL(LimitSQL(sql, limit)))
				if fmt.Sprint(res.Rows[0][0]) != fmt.Sprint(want) {
					t.Errorf("%s (limit %d): %v failing rows, want %d\n%s", c.name, limit, res.Rows[0][0], want, sql)
				}
			}
		}
	})
}

func TestConditions(t *testing.T) {
	parse := []struct {
		in   string
		want string
		err  bool
	}{
		{">0", ">0", false}, {" >= 10 ", ">=10", false}, {"==3", "=3", false}, {"<>1", "!=1", false},
		{"!= 0", "!=0", false}, {"<5", "<5", false}, {"<=5", "<=5", false}, {"=0", "=0", false},
		{"0", "", true}, {">", "", true}, {"> x", "", true}, {">1.5", "", true}, {"more than 1", "", true},
	}
	for _, c := range parse {
		got, err := ParseCondition(c.in)
		if (err != nil) != c.err || (err == nil && got.String() != c.want) {
			t.Errorf("ParseCondition(%q) = %v, %v; want %q (error %v)", c.in, got, err, c.want, c.err)
		}
	}
	cond := func(s string) Condition { c, _ := ParseCondition(s); return c }
	judge := []struct {
		th    Thresholds
		count int64
		want  Outcome
	}{
		{Thresholds{Severity: SeverityError}, 0, OutcomePass},
		{Thresholds{Severity: SeverityError}, 1, OutcomeFail},
		{Thresholds{Severity: SeverityWarn}, 1, OutcomeWarn},
		{Thresholds{Severity: SeverityError, ErrorIf: cond(">10")}, 5, OutcomeWarn},
		{Thresholds{Severity: SeverityError, ErrorIf: cond(">10")}, 11, OutcomeFail},
		{Thresholds{Severity: SeverityError, WarnIf: cond(">5"), ErrorIf: cond(">10")}, 5, OutcomePass},
		{Thresholds{Severity: SeverityWarn, ErrorIf: cond(">0")}, 100, OutcomeWarn},
		{Thresholds{Severity: SeverityError, ErrorIf: cond("!=3"), WarnIf: cond("!=3")}, 0, OutcomeFail},
		{Thresholds{Severity: SeverityError, ErrorIf: cond("!=3"), WarnIf: cond("!=3")}, 3, OutcomePass},
	}
	for _, c := range judge {
		if got := c.th.Judge(c.count); got != c.want {
			t.Errorf("%+v.Judge(%d) = %s, want %s", c.th, c.count, got, c.want)
		}
	}
}
