package sample

import (
	"testing"
	"time"
)

func TestUKClockAgreesWithTheTimeZoneDatabase(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("no time zone database: %v", err)
	}
	for u := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC); u.Year() < 2027; u = u.Add(30 * time.Minute) {
		_, off := u.In(london).Zone()
		if got := ukOffset(u); got != time.Duration(off)*time.Second {
			t.Fatalf("ukOffset(%v) = %v, tzdata says %ds", u, got, off)
		}
		if l := u.In(london); l.Hour() == 0 && l.Minute() == 0 {
			if m := ukMidnight(l.Year(), l.Month(), l.Day()); !m.Equal(u) {
				t.Fatalf("ukMidnight(%v) = %v, want %v", l.Format(time.DateOnly), m, u)
			}
		}
	}
	if got := ukLocal(time.Date(2023, 10, 29, 0, 30, 0, 0, time.UTC)); got != "2023-10-29T01:30:00+01:00" {
		t.Errorf("ukLocal = %s", got)
	}
	if got := ukLocal(time.Date(2023, 10, 29, 1, 0, 0, 0, time.UTC)); got != "2023-10-29T01:00:00+00:00" {
		t.Errorf("ukLocal = %s", got)
	}
}
