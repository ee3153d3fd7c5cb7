package materializetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

var hooksProject = map[string]string{
	"project.yml": projectYML(`on-run-start:
  - "create schema if not exists hooklog"
  - "create table if not exists hooklog.events (seq integer, what text, rel text)"
on-run-end: "insert into hooklog.events select count(*) + 1, 'end {{ target.name }}', '' from hooklog.events"
models:
  +post_hook: "insert into hooklog.events select count(*) + 1, 'folder post', '{{ this.name }}' from hooklog.events"
`),
	"models/m.sql": `{{ config(materialized='table',
    pre_hook="insert into hooklog.events select count(*) + 1, 'pre', '{{ this.name }}' from hooklog.events",
    post_hook=["insert into hooklog.events select count(*) + 1, 'post rows ' || (select count(*) from {{ this }}), '{{ this.name }}' from hooklog.events"]) }}
select 1 as id union all select 2`,
	"models/bad_pre.sql":   "{{ config(materialized='table', pre_hook='select * from no_such_table') }}\nselect 1 as id",
	"models/bad_post.sql":  "{{ config(materialized='table', post_hook='select * from no_such_table') }}\nselect 1 as id",
	"models/below_bad.sql": "{{ config(materialized='view') }}\nselect * from {{ ref('bad_post') }}",
}

// TestHooks: on-run-start before everything, a model's pre_hook before it
// is built and its post_hooks (folder first, then its own) after, with
// `this`; a failing pre_hook builds nothing, a failing post_hook leaves
// the model built but failed (its dependants skipped); on-run-end last.
func TestHooks(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		p := load(t, a, hooksProject)
		ctx := enginetest.Ctx(t)
		opts := compile.Options{RunStartedAt: jan(1), InvocationID: "hooks"}
		if n, err := run.ProjectHooks(ctx, a, p, "on-run-start", opts); err != nil || n != 2 {
			t.Fatalf("on-run-start: %d, %v", n, err)
		}
		pl := plan(p, false)
		results := runAt(t, a, p, pl, jan(1), nil)
		if n, err := run.ProjectHooks(ctx, a, p, "on-run-end", opts); err != nil || n != 1 {
			t.Fatalf("on-run-end: %d, %v", n, err)
		}
		if r := results["model.m"]; r.Status != run.StatusSuccess {
			t.Errorf("m: %s %s", r.Status, r.Message)
		}
		if r := results["model.bad_pre"]; r.Status != run.StatusError || !strings.Contains(r.Message, "analytics.bad_pre not built: pre_hook 1 of 1 failed") {
			t.Errorf("bad_pre: %s %s", r.Status, r.Message)
		}
		if _, ok, _ := a.RelationKind(ctx, rel("bad_pre")); ok {
			t.Error("bad_pre was built although its pre_hook failed")
		}
		if r := results["model.bad_post"]; r.Status != run.StatusError ||
			!strings.Contains(r.Message, "built table analytics.bad_post (1 rows); then post_hook 2 of 2 failed") {
			t.Errorf("bad_post: %s %s", r.Status, r.Message)
		}
		if _, ok, _ := a.RelationKind(ctx, rel("bad_post")); !ok {
			t.Error("bad_post should be built: its post_hook failed after publishing")
		}
		if r := results["model.below_bad"]; r.Status != run.StatusSkipped {
			t.Errorf("below_bad: %s", r.Status)
		}
		// seq numbers events in the order they happened (threads may
		// interleave models, so compare m's own events and the last one).
		var order []string
		for _, r := range rows(t, a, "select what from hooklog.events where rel = 'm' order by seq") {
			order = append(order, fmt.Sprint(r[0]))
		}
		if got := strings.Join(order, ", "); got != "pre, folder post, post rows 2" {
			t.Errorf("m's hooks ran as %q, want pre, folder post, post rows 2", got)
		}
		last := rows(t, a, "select what from hooklog.events where seq = (select max(seq) from hooklog.events)")
		if len(last) != 1 || last[0][0] != "end "+a.Dialect().Name() {
			t.Errorf("last event %v, want on-run-end", last)
		}
		if n := rows(t, a, "select count(*) from hooklog.events where rel = 'bad_post'")[0][0]; n != int64(1) {
			t.Errorf("bad_post's folder post_hook ran %v times, want 1 (before its failing own)", n)
		}
	})
}

// TestFullRefreshPin: --full-refresh rebuilds an incremental model unless
// it sets full_refresh: false; full_refresh: true rebuilds it always.
func TestFullRefreshPin(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		exec(t, a, "create schema raw")
		exec(t, a, "create table raw.ev (id bigint)")
		exec(t, a, "insert into raw.ev values (1), (2)")
		inc := "select id from raw.ev{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}"
		p := load(t, a, map[string]string{
			"project.yml":       projectYML(""),
			"models/pinned.sql": "{{ config(materialized='incremental', full_refresh=false) }}\n" + inc,
			"models/free.sql":   "{{ config(materialized='incremental') }}\n" + inc,
			"models/always.sql": "{{ config(materialized='incremental', full_refresh=true) }}\n" + inc,
		})
		pl := plan(p, false)
		mustSucceed(t, "first run", runAt(t, a, p, pl, jan(1), nil))
		exec(t, a, "delete from raw.ev where id = 1")
		exec(t, a, "insert into raw.ev values (3)")
		results := runAt(t, a, p, pl, jan(2), func(o *compile.Options) { o.FullRefresh = true })
		mustSucceed(t, "full refresh", results)
		for name, want := range map[string]struct{ msg, ids string }{
			"pinned": {"appended 1 rows into analytics.pinned (full_refresh: false: not rebuilt)", "1\n2\n3"},
			"free":   {"built incremental analytics.free in full (2 rows)", "2\n3"},
			"always": {"built incremental analytics.always in full (2 rows)", "2\n3"},
		} {
			if got := results["model."+name].Message; got != want.msg {
				t.Errorf("%s: %q, want %q", name, got, want.msg)
			}
			if got := renderRows(rows(t, a, "select id from analytics."+name)); got != want.ids {
				t.Errorf("%s ids %q, want %q", name, got, want.ids)
			}
		}
		// Without the flag, full_refresh: true still rebuilds.
		results = runAt(t, a, p, pl, jan(3), nil)
		if got := results["model.always"].Message; got != "built incremental analytics.always in full (2 rows)" {
			t.Errorf("always without the flag: %s", got)
		}
	})
}

// TestIncrementalConfigPlumbing: delete+insert, dedupe_by and
// on_schema_change reach the warehouse from model config.
func TestIncrementalConfigPlumbing(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		exec(t, a, "create schema raw")
		exec(t, a, "create table raw.reads (meter text, v bigint, loaded bigint)")
		exec(t, a, "insert into raw.reads values ('m1', 1, 1), (null, 2, 1)")
		files := map[string]string{
			"project.yml": projectYML(""),
			"models/latest.sql": "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='meter', dedupe_by='loaded desc', on_schema_change='append_new_columns') }}\n" +
				"select meter, v, loaded from raw.reads",
		}
		p := load(t, a, files)
		mustSucceed(t, "first run", runAt(t, a, p, plan(p, false), jan(1), nil))
		exec(t, a, "insert into raw.reads values ('m1', 10, 2), ('m1', 5, 1), (null, 20, 2)")
		files["models/latest.sql"] = strings.Replace(files["models/latest.sql"], "select meter, v, loaded", "select meter, v, loaded, v * 2 as v2", 1)
		p = load(t, a, files)
		results := runAt(t, a, p, plan(p, false), jan(2), nil)
		mustSucceed(t, "second run", results)
		if got := results["model.latest"].Message; got != "deleted and inserted 2 rows into analytics.latest" {
			t.Errorf("message %q", got)
		}
		if got := renderRows(rows(t, a, "select meter, v, loaded, v2 from analytics.latest")); got != "NULL | 20 | 2 | 40\nm1 | 10 | 2 | 20" {
			t.Errorf("rows after a deduped delete+insert with a new column:\n%s", got)
		}
		files["models/latest.sql"] = strings.Replace(files["models/latest.sql"], "append_new_columns", "fail", 1)
		files["models/latest.sql"] = strings.Replace(files["models/latest.sql"], ", v * 2 as v2", "", 1)
		p = load(t, a, files)
		r := runAt(t, a, p, plan(p, false), jan(3), nil)["model.latest"]
		if r.Status != run.StatusError || !strings.Contains(r.Message, "on_schema_change: fail: the model's columns no longer match the table (removed v2") {
			t.Errorf("on_schema_change fail: %s %s", r.Status, r.Message)
		}
	})
}
