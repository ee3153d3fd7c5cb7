package sample

import "time"

// ukOffset is the UK's offset from UTC at instant t: one hour of British
// Summer Time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
// last Sunday of October (the rule since 1996), else none. Computing it
// keeps the generator independent of the host's time zone database.
func ukOffset(t time.Time) time.Duration {
	t = t.UTC()
	y := t.Year()
	if !t.Before(lastSunday(y, time.March)) && t.Before(lastSunday(y, time.October)) {
		return time.Hour
	}
	return 0
}

// lastSunday is 01:00 UTC on the last Sunday of the month.
func lastSunday(year int, m time.Month) time.Time {
	d := time.Date(year, m+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// ukMidnight is the instant a UK local date begins. Clocks change at 01:00
// UTC, at least an hour after local midnight, so the offset an hour before
// UTC midnight of that date is the offset in force at local midnight.
func ukMidnight(year int, m time.Month, d int) time.Time {
	u := time.Date(year, m, d, 0, 0, 0, 0, time.UTC)
	return u.Add(-ukOffset(u.Add(-time.Hour)))
}

// ukLocal formats instant t as UK local time with its offset, the way the
// Octopus export does: "2023-10-29T01:30:00+01:00".
func ukLocal(t time.Time) string {
	off := ukOffset(t)
	s := t.Add(off).Format("2006-01-02T15:04:05")
	if off != 0 {
		return s + "+01:00"
	}
	return s + "+00:00"
}
