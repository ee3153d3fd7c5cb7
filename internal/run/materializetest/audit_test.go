package materializetest

import (
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

var auditProject = map[string]string{
	"project.yml": projectYML(""),
	"models/sources.yml": `version: 2
sources:
  - name: raw
    tables: [{name: meters}, {name: events}]
`,
	"models/meters_clean.sql": "{{ config(materialized='table', audit=true) }}\nselect meter, region, kwh from {{ source('raw', 'meters') }}",
	"models/meter_usage.sql": "{{ config(materialized='incremental', unique_key='meter', audit=true) }}\n" +
		"select meter, kwh from {{ source('raw', 'meters') }}",
	"models/event_days.sql": `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='day',
    batch_size='day', begin='2024-01-01', lookback=0, audit=true) }}
select cast(event_at as date) as day, sum(v) as v from {{ source('raw', 'events') }} group by cast(event_at as date)`,
	"models/meters_report.sql": "{{ config(materialized='view') }}\nselect region, count(*) as meters from {{ ref('meters_clean') }} group by region",
	"models/schema.yml": `version: 2
models:
  - name: meters_clean
    columns:
      - name: meter
        data_tests: [unique]
      - name: region
        data_tests:
          - not_null
          - accepted_values:
              values: [north, south]
              config: {severity: warn}
  - name: meter_usage
    columns:
      - name: kwh
        data_tests: [not_null]
  - name: event_days
    columns:
      - name: v
        data_tests: [not_null]
`,
	// A singular test reading the model also audits it.
	"tests/no_negative_usage.sql": "select * from {{ ref('meter_usage') }} where kwh < 0",
}

// TestFailingAuditLeavesLiveTableUntouched is the acceptance test
// for write-audit-publish: with audit: true, rows that fail an
// error-severity test never reach the live table — for a table, an
// incremental merge and a microbatch batch — and the live table is the
// same, byte for byte (on PostgreSQL: same OID, relfilenode and row
// versions), while the run says which test failed.
func TestFailingAuditLeavesLiveTableUntouched(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		exec(t, a, "create schema raw")
		exec(t, a, "create table raw.meters (meter text, region text, kwh bigint)")
		exec(t, a, "create table raw.events (event_at timestamp, v bigint)")
		exec(t, a, "insert into raw.meters values ('m1', 'north', 10), ('m2', 'south', 20), ('m3', 'west', 30)")
		exec(t, a, "insert into raw.events values (timestamp '2024-01-01 10:00:00', 1), (timestamp '2024-01-02 10:00:00', 2)")
		p := load(t, a, auditProject)
		pl := plan(p, false)
		results := runAt(t, a, p, pl, jan(3, 6), nil)
		mustSucceed(t, "first run", results)
		// The warn-severity accepted_values test (west) does not block.
		for id, want := range map[string]string{
			"model.meters_clean": "built table analytics.meters_clean (3 rows); audited by 2 test(s)",
			"model.meter_usage":  "built incremental analytics.meter_usage in full (3 rows); audited by 2 test(s)",
		} {
			if got := results[id].Message; got != want {
				t.Errorf("%s: %q, want %q", id, got, want)
			}
		}
		live := map[string]string{}
		for _, name := range []string{"meters_clean", "meter_usage", "event_days"} {
			live[name] = identity(t, a, rel(name))
		}
		exec(t, a, "insert into raw.meters values ('m4', null, null), ('m5', 'north', -1)")
		exec(t, a, "insert into raw.events values (timestamp '2024-01-03 10:00:00', null)")
		results = runAt(t, a, p, pl, jan(4, 6), nil)
		for id, want := range map[string][]string{
			"model.meters_clean": {"audit failed, analytics.meters_clean was not changed: 1 of 2 error-severity test(s) failed: not_null_meters_clean_region: 1 failing row(s)"},
			"model.meter_usage": {"audit failed, analytics.meter_usage was not changed: 2 of 2 error-severity test(s) failed:",
				"not_null_meter_usage_kwh: 1 failing row(s)", "no_negative_usage: 1 failing row(s)"},
			"model.event_days": {"batch [2024-01-03, 2024-01-04) (1 of 1) failed; no batch was written", "audit failed, analytics.event_days was not changed", "not_null_event_days_v"},
		} {
			r := results[id]
			if r.Status != run.StatusError {
				t.Errorf("%s: %s, want error", id, r.Status)
			}
			for _, w := range want {
				if !strings.Contains(r.Message, w) {
					t.Errorf("%s: message %q lacks %q", id, r.Message, w)
				}
			}
		}
		if r := results["model.meters_report"]; r.Status != run.StatusSkipped {
			t.Errorf("the view over the failed audit: %s, want skipped", r.Status)
		}
		for name, before := range live {
			if after := identity(t, a, rel(name)); after != before {
				t.Errorf("%s changed although its audit failed:\n--- before\n%s\n--- after\n%s", name, before, after)
			}
		}
		// Fixed data publishes; the microbatch retries the batch that was
		// not recorded.
		exec(t, a, "delete from raw.meters where meter in ('m4', 'm5')")
		exec(t, a, "update raw.events set v = 3 where v is null")
		results = runAt(t, a, p, pl, jan(4, 6), nil)
		mustSucceed(t, "after the fix", results)
		if got := results["model.event_days"].Message; !strings.HasPrefix(got, "processed 1 day batch(es) of analytics.event_days: [2024-01-03, 2024-01-04)") {
			t.Errorf("event_days after the fix: %s", got)
		}
		if got := rows(t, a, "select sum(v) from analytics.event_days")[0][0]; renderRows([][]any{{got}}) != "6" {
			t.Errorf("event_days total %v, want 6", got)
		}
	})
}
