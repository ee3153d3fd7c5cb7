package dialect

import (
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// addIncrementalCases renders the IncrementalStatements builders into the
// golden files (delete+insert, microbatch windows, on_schema_change,
// dedupe_by, the write-audit-publish prospect).
func addIncrementalCases(d SQL, add func(name string, sql ...string)) {
	live := warehouse.Relation{Schema: "analytics", Name: "readings_daily"}
	odd := warehouse.Relation{Schema: `Mixed "Case"`, Name: `my table`}
	delta := warehouse.Relation{Schema: "analytics", Name: "readings_daily__cdw_delta"}
	key := []string{"mpan_core", "read_on"}
	day := warehouse.Window{Column: "read_on",
		Start: time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}
	// A window given in another zone renders in UTC, with its fraction.
	london, _ := time.LoadLocation("Europe/London")
	odd30 := warehouse.Window{Column: `Event "Time"`,
		Start: time.Date(2024, 6, 1, 1, 0, 0, 0, london), End: time.Date(2024, 6, 1, 1, 30, 0, 500000, london)}
	add("delete_matching", d.DeleteMatching(live, delta, key))
	add("delete_window", d.DeleteWhere(live, warehouse.WindowPredicate(d, day)), d.DeleteWhere(odd, warehouse.WindowPredicate(d, odd30)))
	add("add_column", d.AddColumn(live, warehouse.Column{Name: "kWh \"net\"", Type: "numeric(18,3)"}))
	add("drop_column", d.DropColumn(odd, "old col"))
	add("alter_column_type", d.AlterColumnType(live, "reads", "bigint"))
	add("dedupe_query", d.DedupeQuery("select * from raw.readings;\n", key, "loaded_at desc, line_no desc"))
	add("window_query", d.WindowQuery("  select read_on, kwh from raw.readings  ", day))
	add("prospect_merge", d.ProspectQuery(warehouse.Prospect{Target: live, Delta: delta, Key: key, Columns: []warehouse.ProspectColumn{
		{Name: "mpan_core", Type: "text", InTarget: true, InDelta: true},
		{Name: "read_on", Type: "date", InTarget: true, InDelta: true},
		{Name: "reads", Type: "bigint", InTarget: true, InDelta: true, Retype: true},
		{Name: "gone", Type: "text", InTarget: true},
		{Name: "new", Type: "double precision", InDelta: true},
	}}))
	add("prospect_window", d.ProspectQuery(warehouse.Prospect{Target: live, Delta: delta,
		Replace: warehouse.WindowPredicate(d, day), Columns: []warehouse.ProspectColumn{
			{Name: "read_on", Type: "date", InTarget: true, InDelta: true},
		}}))
	add("prospect_append", d.ProspectQuery(warehouse.Prospect{Target: odd, Delta: delta, Columns: []warehouse.ProspectColumn{
		{Name: "Key \"1\"", Type: "text", InTarget: true, InDelta: true},
	}}))
}
