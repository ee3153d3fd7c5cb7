package snapshot

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var snapRel = warehouse.Relation{Schema: "history", Name: "meter_points_history"}

func day(d int) time.Time { return time.Date(2024, 1, d, 6, 0, 0, 0, time.UTC) }

// source replaces crm.meter_points with rows (mpxn, serial, tariff,
// updated day); mpxn "null" is a NULL key.
func source(t *testing.T, a warehouse.Adapter, rows ...string) {
	t.Helper()
	enginetest.Exec(t, a, "create schema if not exists crm")
	enginetest.Exec(t, a, "drop table if exists crm.meter_points")
	enginetest.Exec(t, a, "create table crm.meter_points (mpxn bigint, serial text, tariff text, updated_at timestamp)")
	for _, r := range rows {
		f := strings.Split(r, ",")
		enginetest.Exec(t, a, fmt.Sprintf("insert into crm.meter_points values (%s, '%s', '%s', timestamp '2024-01-%02s 00:00:00')", f[0], f[1], f[2], f[3]))
	}
}

// table renders the snapshot: key, tariff, valid from/to days (- when
// NULL), and the deleted flag when present.
func table(t *testing.T, a warehouse.Adapter, deletedFlag bool) string {
	t.Helper()
	cols := "mpxn, serial, tariff, dbt_valid_from, dbt_valid_to"
	if deletedFlag {
		cols += ", dbt_is_deleted"
	}
	res := enginetest.Query(t, a, "select "+cols+" from history.meter_points_history order by mpxn nulls first, dbt_valid_from, dbt_valid_to nulls last")
	var lines []string
	for _, row := range res.Rows {
		var parts []string
		for _, v := range row {
			switch x := v.(type) {
			case nil:
				parts = append(parts, "-")
			case time.Time:
				parts = append(parts, x.Format("02T15"))
			default:
				parts = append(parts, fmt.Sprint(x))
			}
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "\n")
}

func apply(t *testing.T, a warehouse.Adapter, spec Spec, now time.Time) Result {
	t.Helper()
	spec.Relation, spec.Query, spec.Now = snapRel, "select * from crm.meter_points", now
	res, err := Apply(enginetest.Ctx(t), a, spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func check(t *testing.T, step string, got Result, want string, gotTable, wantTable string) {
	t.Helper()
	if got.String() != want {
		t.Errorf("%s: result %q, want %q", step, got, want)
	}
	if gotTable != wantTable {
		t.Errorf("%s: table\n%s\nwant\n%s", step, gotTable, wantTable)
	}
}

func TestTimestampStrategy(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		spec := Spec{Strategy: config.SnapshotTimestamp, UniqueKey: []string{"mpxn"}, UpdatedAt: "updated_at"}
		source(t, a, "1,S1,std,01", "2,S2,e7,01", "null,S9,std,01")
		check(t, "first run", apply(t, a, spec, day(1)), "created with 3 rows", table(t, a, false),
			"- S9 std 01T00 -\n1 S1 std 01T00 -\n2 S2 e7 01T00 -")

		// Meter 1 changes tariff (updated day 2), 3 is new, the NULL key is unchanged.
		source(t, a, "1,S1,e7,02", "2,S2,e7,01", "3,S3,std,02", "null,S9,std,01")
		check(t, "second run", apply(t, a, spec, day(2)), "1 new, 1 changed, 0 deleted (5 rows)", table(t, a, false),
			"- S9 std 01T00 -\n1 S1 std 01T00 02T00\n1 S1 e7 02T00 -\n2 S2 e7 01T00 -\n3 S3 std 02T00 -")

		// The same source again changes nothing; an older updated_at is not a change.
		again := apply(t, a, spec, day(3))
		check(t, "same source", again, "0 new, 0 changed, 0 deleted (5 rows)", table(t, a, false),
			"- S9 std 01T00 -\n1 S1 std 01T00 02T00\n1 S1 e7 02T00 -\n2 S2 e7 01T00 -\n3 S3 std 02T00 -")

		// Meter 2 vanishes: ignored by default.
		source(t, a, "1,S1,e7,02", "3,S3,std,02", "null,S9,std,01")
		check(t, "hard delete ignored", apply(t, a, spec, day(4)), "0 new, 0 changed, 0 deleted (5 rows)", table(t, a, false),
			"- S9 std 01T00 -\n1 S1 std 01T00 02T00\n1 S1 e7 02T00 -\n2 S2 e7 01T00 -\n3 S3 std 02T00 -")

		// With invalidate, its current version closes at the run time.
		spec.HardDeletes = config.HardDeletesInvalidate
		check(t, "hard delete invalidated", apply(t, a, spec, day(5)), "0 new, 0 changed, 1 deleted (5 rows)", table(t, a, false),
			"- S9 std 01T00 -\n1 S1 std 01T00 02T00\n1 S1 e7 02T00 -\n2 S2 e7 01T00 05T06\n3 S3 std 02T00 -")
	})
}

func TestCheckStrategyWithNewRecordDeletes(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		spec := Spec{Strategy: config.SnapshotCheck, UniqueKey: []string{"mpxn"}, CheckCols: []string{"tariff"},
			HardDeletes: config.HardDeletesNewRecord}
		source(t, a, "1,S1,std,01", "2,S2,e7,01")
		check(t, "first run", apply(t, a, spec, day(1)), "created with 2 rows", table(t, a, true),
			"1 S1 std 01T06 - false\n2 S2 e7 01T06 - false")

		// A new serial is not a checked column; a new tariff is. Versions start at the run time.
		source(t, a, "1,S1-NEW,std,09", "2,S2,std,01")
		check(t, "second run", apply(t, a, spec, day(2)), "0 new, 1 changed, 0 deleted (3 rows)", table(t, a, true),
			"1 S1 std 01T06 - false\n2 S2 e7 01T06 02T06 false\n2 S2 std 02T06 - false")

		// Meter 2 vanishes: closed, and a deletion version is added.
		source(t, a, "1,S1,std,01")
		check(t, "deleted", apply(t, a, spec, day(3)), "0 new, 0 changed, 1 deleted (4 rows)", table(t, a, true),
			"1 S1 std 01T06 - false\n2 S2 e7 01T06 02T06 false\n2 S2 std 02T06 03T06 false\n2 S2 std 03T06 - true")
		// Still gone: nothing more.
		check(t, "still deleted", apply(t, a, spec, day(4)), "0 new, 0 changed, 0 deleted (4 rows)", table(t, a, true),
			"1 S1 std 01T06 - false\n2 S2 e7 01T06 02T06 false\n2 S2 std 02T06 03T06 false\n2 S2 std 03T06 - true")

		// It comes back: the deletion version closes, a live one starts.
		source(t, a, "1,S1,std,01", "2,S2,std,01")
		check(t, "back", apply(t, a, spec, day(5)), "0 new, 1 changed, 0 deleted (5 rows)", table(t, a, true),
			"1 S1 std 01T06 - false\n2 S2 e7 01T06 02T06 false\n2 S2 std 02T06 03T06 false\n2 S2 std 03T06 05T06 true\n2 S2 std 05T06 - false")
	})
}

func TestCheckAllAndNewColumns(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		spec := Spec{Strategy: config.SnapshotCheck, UniqueKey: []string{"mpxn"}, CheckAll: true}
		source(t, a, "1,S1,std,01")
		apply(t, a, spec, day(1))
		// A column appears in the source: added to the table; the row
		// counts as changed because the new column is set.
		enginetest.Exec(t, a, "alter table crm.meter_points add column region text")
		enginetest.Exec(t, a, "update crm.meter_points set region = 'north'")
		res := apply(t, a, spec, day(2))
		if res.String() != "0 new, 1 changed, 0 deleted (2 rows)" {
			t.Errorf("result %q", res)
		}
		got := enginetest.Query(t, a, "select mpxn, region from history.meter_points_history order by dbt_valid_from")
		if fmt.Sprint(got.Rows) != "[[1 <nil>] [1 north]]" {
			t.Errorf("rows %v", got.Rows)
		}
	})
}

// TestRefusals: a bad source changes nothing and leaves no scratch tables.
func TestRefusals(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		spec := Spec{Strategy: config.SnapshotTimestamp, UniqueKey: []string{"mpxn"}, UpdatedAt: "updated_at"}
		source(t, a, "1,S1,std,01", "null,S9,std,01")
		apply(t, a, spec, day(1))
		before := table(t, a, false)
		cases := []struct {
			name  string
			setup func()
			spec  Spec
			msg   string
		}{
			{"duplicate keys", func() { source(t, a, "1,S1,std,02", "1,S1,e7,03") }, spec,
				"duplicate unique keys, e.g. (mpxn=1) occurs 2 times"},
			{"duplicate NULL keys", func() { source(t, a, "null,S1,std,02", "null,S1,e7,03") }, spec,
				"duplicate unique keys, e.g. (mpxn=NULL) occurs 2 times"},
			{"null updated_at", func() {
				source(t, a, "1,S1,std,02")
				enginetest.Exec(t, a, "update crm.meter_points set updated_at = null")
			}, spec, "updated_at updated_at is NULL for key [1]"},
			{"unknown key column", func() { source(t, a, "1,S1,std,02") },
				Spec{Strategy: config.SnapshotTimestamp, UniqueKey: []string{"meter"}, UpdatedAt: "updated_at"},
				`unique_key column "meter" is not a column of the source (columns: mpxn, serial, tariff, updated_at)`},
			{"changed hard-delete policy", func() { source(t, a, "1,S1,std,02") },
				Spec{Strategy: config.SnapshotTimestamp, UniqueKey: []string{"mpxn"}, UpdatedAt: "updated_at", HardDeletes: config.HardDeletesNewRecord},
				"has no dbt_is_deleted column"},
		}
		for _, c := range cases {
			c.setup()
			s := c.spec
			s.Relation, s.Query, s.Now = snapRel, "select * from crm.meter_points", day(9)
			_, err := Apply(ctx, a, s)
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.msg)
			}
			if got := table(t, a, false); got != before {
				t.Errorf("%s: table changed:\n%s", c.name, got)
			}
			for _, suffix := range []string{suffixSource, suffixChanges, suffixDeleted} {
				if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "history", Name: snapRel.Name + suffix}); ok {
					t.Errorf("%s: scratch table %s left behind", c.name, suffix)
				}
			}
		}
	})
}
