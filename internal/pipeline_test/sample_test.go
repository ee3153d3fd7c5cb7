package pipeline_test

import (
	"testing"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/sample"
)

// TestSamplePipeline lands the generated sample files and checks the
// warehouse against the generator's Summary: rejections quarantined,
// every reading kept, duplicates, deemed, negative and implausible
// readings flagged, the planted gap counted as missing.
func TestSamplePipeline(t *testing.T) {
	forEachEngine(t, func(t *testing.T, w *warehouseEnv) {
		dir := t.TempDir()
		sum, err := sample.Generate(w.ctx, dir, sample.Options{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		w.migrateUp(t)
		res := w.extract(t, dir)
		if len(res) != len(sum.Files) {
			t.Errorf("extracted %d files, the sample has %d", len(res), len(sum.Files))
		}
		for _, f := range sum.Files {
			r := res[f.Name]
			if r.Status != extract.StatusLoaded || r.Extractor != f.Extractor || r.Rows != int64(f.Rows) || r.Rejected != int64(f.Rejections) {
				t.Errorf("%s: %s by %s, %d rows, %d rejected; want loaded by %s, %d rows, %d rejected",
					f.Name, r.Status, r.Extractor, r.Rows, r.Rejected, f.Extractor, f.Rows, f.Rejections)
			}
		}
		p := w.loadProject(t)
		w.build(t, p)

		counts := []struct {
			what string
			sql  string
			want int
		}{
			{"rejected records", `select count(*) from raw.rejected_records`, sum.D0010Rejections + sum.HalfHourlyRejections + sum.ReferenceRejections},
			{"d0010 rejections", `select count(*) from raw.rejected_records where extractor = 'd0010'`, sum.D0010Rejections},
			{"half-hourly rejections", `select count(*) from raw.rejected_records where extractor = 'halfhourly'`, sum.HalfHourlyRejections},
			{"raw half-hourly rows", `select count(*) from raw.halfhourly_consumption`, sum.HalfHourlyRows},
			{"readings", `select count(*) from cdw.readings`, sum.D0010Rows},
			{"readings_valid (one row per reading)", `select count(*) from cdw.readings_valid`, sum.D0010Rows},
			{"distinct readings (register, time, value)", `select count(*) from (select distinct register_key, read_at, reading_value from cdw.readings_valid) as d`, sum.DistinctReadings},
			{"duplicates", `select count(*) from cdw.readings_valid where validity_reason = 'duplicate' and not is_valid`, sum.DuplicateReads},
			{"negative readings", `select count(*) from cdw.readings_valid where validity_reason = 'negative' and not is_valid`, sum.NegativeReadings},
			{"implausible readings", `select count(*) from cdw.readings_valid where validity_reason = 'implausible' and not is_valid`, sum.ImplausibleReadings},
			{"deemed readings", `select count(*) from cdw.readings_valid where validity_reason = 'not_actual' and not is_valid`, sum.DeemedReadings},
			{"invalid readings", `select count(*) from cdw.readings_valid where not is_valid`, sum.NegativeReadings + sum.ImplausibleReadings + sum.DuplicateReads + sum.DeemedReadings},
			{"readings without a reason that are invalid", `select count(*) from cdw.readings_valid where validity_reason is null and not is_valid`, 0},
			{"meter days", `select count(*) from cdw.daily_consumption`, sum.HalfHourlyDays},
			{"missing half-hours", `select cast(sum(missing_periods) as bigint) from cdw.daily_consumption`, sum.GapIntervals},
		}
		for _, c := range counts {
			if got := w.count(t, c.sql); got != int64(c.want) {
				t.Errorf("%s: %d, want %d", c.what, got, c.want)
			}
		}
		if sum.NegativeReadings == 0 || sum.ImplausibleReadings == 0 || sum.DuplicateReads == 0 || sum.DeemedReadings == 0 || sum.GapIntervals == 0 {
			t.Fatalf("the sample plants no negative/implausible reading or gap: %+v", sum)
		}

		// Each planted negative or implausible reading, found by its file
		// and line, carries that reason.
		for _, a := range sum.Anomalies {
			if a.Kind != sample.KindNegative && a.Kind != sample.KindImplausible {
				continue
			}
			rows := w.query(t, `select v.validity_reason, v.is_valid
				from cdw.readings_valid as v
				join cdw.readings as r on r.reading_id = v.reading_id
				where r.file_name = $1 and r.line_no = $2`, a.File, a.Line)
			if len(rows) != 1 {
				t.Errorf("%s %s:%d (%s): %d rows in readings_valid, want 1", a.Kind, a.File, a.Line, a.Detail, len(rows))
				continue
			}
			if rows[0][0] != a.Kind || rows[0][1] != false {
				t.Errorf("%s %s:%d (%s): validity_reason %v, is_valid %v", a.Kind, a.File, a.Line, a.Detail, rows[0][0], rows[0][1])
			}
		}
		// Each planted rejection is quarantined at its file and line.
		for _, a := range sum.Anomalies {
			if a.Kind != sample.KindRejection {
				continue
			}
			if n := w.count(t, `select count(*) from raw.rejected_records where file_name = $1 and line_no = $2`, a.File, a.Line); n != 1 {
				t.Errorf("rejection %s:%d (%s): %d quarantined records, want 1", a.File, a.Line, a.Detail, n)
			}
		}
	})
}
