package ukdate

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestDate(t *testing.T) {
	good := map[string]time.Time{
		"1/07/2014":              day(2014, 7, 1),
		"01/07/2014":             day(2014, 7, 1),
		"31/7/2014":              day(2014, 7, 31),
		"2014-07-01":             day(2014, 7, 1),
		"20140701":               day(2014, 7, 1),
		"2014-07-01T00:00:00":    day(2014, 7, 1),
		"2014-07-01T00:00:00Z":   day(2014, 7, 1),
		"1/07/2014 00:00":        day(2014, 7, 1),
		"2014-07-01T00:00+01:00": day(2014, 7, 1),
		"29/02/2024":             day(2024, 2, 29),
	}
	for in, want := range good {
		if got, ok := Date([]byte(in)); !ok || !got.Equal(want) {
			t.Errorf("Date(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "31/06/2014", "29/02/2023", "1/7/14", "001/07/2014", "1/07/20145", "2014-7-01",
		"2014-07-01T10:30:00", "2014-07-01T00:00:00+25:00", "yesterday", "2014/07/01", "1//2014", "13/13/2014", "0/1/2014", "201407011"} {
		if got, ok := Date([]byte(in)); ok {
			t.Errorf("Date(%q) = %v, want refused", in, got)
		}
	}
}

func TestWallClock(t *testing.T) {
	good := map[string]time.Time{
		"01/07/2014 10:30:23":       time.Date(2014, 7, 1, 10, 30, 23, 0, time.UTC),
		"21/02/2018 10:32":          time.Date(2018, 2, 21, 10, 32, 0, 0, time.UTC),
		"2019-01-01T05:00:00":       time.Date(2019, 1, 1, 5, 0, 0, 0, time.UTC),
		"2019-01-01T05:00:00Z":      time.Date(2019, 1, 1, 5, 0, 0, 0, time.UTC),  // GMT
		"2019-07-01T05:00:00Z":      time.Date(2019, 7, 1, 6, 0, 0, 0, time.UTC),  // BST
		"2019-07-01T06:00:00+01:00": time.Date(2019, 7, 1, 6, 0, 0, 0, time.UTC),  // BST
		"2019-07-01 00:30:00-0100":  time.Date(2019, 7, 1, 2, 30, 0, 0, time.UTC), // 01:30 UTC, BST
		"2019-07-01T06:00:00.250":   time.Date(2019, 7, 1, 6, 0, 0, 250_000_000, time.UTC),
		"1/07/2014":                 day(2014, 7, 1),
	}
	for in, want := range good {
		if got, ok := WallClock([]byte(in)); !ok || !got.Equal(want) {
			t.Errorf("WallClock(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"01/07/2014 24:00:00", "01/07/2014 10:3", "01/07/2014 10:30:23 ", "2019-01-01T05:00:00X",
		"2019-01-01T05:00:00+25", "2019-01-01T05:00:00.", "2019-01-01_05:00"} {
		if got, ok := WallClock([]byte(in)); ok {
			t.Errorf("WallClock(%q) = %v, want refused", in, got)
		}
	}
}

func TestSettlementPeriods(t *testing.T) {
	for d, want := range map[time.Time]int{
		day(2023, 3, 26): 46, day(2023, 10, 29): 50, day(2024, 3, 31): 46, day(2024, 10, 27): 50,
		day(2023, 3, 25): 48, day(2023, 10, 28): 48, day(2024, 2, 29): 48, day(2019, 3, 31): 46, day(2019, 10, 27): 50,
	} {
		if got := SettlementPeriods(d); got != want {
			t.Errorf("SettlementPeriods(%s) = %d, want %d", d.Format(time.DateOnly), got, want)
		}
	}
}
