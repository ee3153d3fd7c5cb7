// Package ukdate parses the dates and date-times of UK reference-data
// files (National Grid, Xoserve, Elexon) strictly and without allocating.
// Calendar dates come back as midnight UTC, wall-clock date-times as their
// UK wall clock in UTC (the "no zone" convention of raw Timestamp columns).
package ukdate

import (
	"time"

	"github.com/cdw-dev/cdw/extractors/internal/num"
)

// Date parses a calendar date: "d/m/yyyy" with one- or two-digit day and
// month ("1/07/2014", "01/07/2014"), "yyyy-mm-dd", or "yyyymmdd". A time
// of day may follow after a space or "T" ("2014-07-01T00:00:00Z") but must
// be midnight: a date with another time is not a date. Impossible dates
// (31 June) are refused, not normalised. A zone after the midnight ("Z",
// "+01:00") is allowed and ignored: the date is the one written.
func Date(b []byte) (time.Time, bool) {
	d, rest, ok := datePart(b)
	if !ok {
		return time.Time{}, false
	}
	if len(rest) == 0 {
		return d, true
	}
	t, ok := timePart(d, rest, false)
	if !ok || !t.Equal(d) {
		return time.Time{}, false
	}
	return d, true
}

// WallClock parses a date with an optional time of day ("01/07/2014
// 10:30:23", "2019-01-01T05:00", "2019-01-01 05:00:00.5") and returns the
// UK wall-clock time. A trailing "Z" or UTC offset ("+01:00", "+0100",
// "-05") marks an instant, which is converted to UK wall-clock time
// (GMT, or BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on
// the last Sunday of October).
func WallClock(b []byte) (time.Time, bool) {
	d, rest, ok := datePart(b)
	if !ok {
		return time.Time{}, false
	}
	if len(rest) == 0 {
		return d, true
	}
	return timePart(d, rest, true)
}

// datePart parses the date at the start of b and returns the rest.
func datePart(b []byte) (time.Time, []byte, bool) {
	var y, m, d int
	var rest []byte
	switch {
	case len(b) >= 10 && b[4] == '-' && b[7] == '-':
		if !num.AllDigits(b[0:4]) || !num.AllDigits(b[5:7]) || !num.AllDigits(b[8:10]) {
			return time.Time{}, nil, false
		}
		y, m, d, rest = num.Digits(b[0:4]), num.Digits(b[5:7]), num.Digits(b[8:10]), b[10:]
	case len(b) >= 8 && num.AllDigits(b[0:8]) && (len(b) == 8 || !isDigit(b[8])):
		y, m, d, rest = num.Digits(b[0:4]), num.Digits(b[4:6]), num.Digits(b[6:8]), b[8:]
	default:
		// d/m/yyyy
		i := 0
		for i < len(b) && i < 2 && isDigit(b[i]) {
			i++
		}
		if i == 0 || i >= len(b) || b[i] != '/' {
			return time.Time{}, nil, false
		}
		d = num.Digits(b[:i])
		b = b[i+1:]
		i = 0
		for i < len(b) && i < 2 && isDigit(b[i]) {
			i++
		}
		if i == 0 || i >= len(b) || b[i] != '/' {
			return time.Time{}, nil, false
		}
		m = num.Digits(b[:i])
		b = b[i+1:]
		if len(b) < 4 || !num.AllDigits(b[:4]) || (len(b) > 4 && isDigit(b[4])) {
			return time.Time{}, nil, false
		}
		y, rest = num.Digits(b[:4]), b[4:]
	}
	if y < 1900 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, nil, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, nil, false
	}
	return t, rest, true
}

// timePart parses " hh:mm[:ss[.f]][Z|±hh[:mm]]" (or with "T") after date
// d. With convert, a zone makes the time an instant converted to UK wall
// clock; without, a valid zone is ignored.
func timePart(d time.Time, b []byte, convert bool) (time.Time, bool) {
	if len(b) < 6 || (b[0] != ' ' && b[0] != 'T' && b[0] != 't') {
		return time.Time{}, false
	}
	b = b[1:]
	if b[2] != ':' || !num.AllDigits(b[0:2]) || !num.AllDigits(b[3:5]) {
		return time.Time{}, false
	}
	h, mi, s, ns := num.Digits(b[0:2]), num.Digits(b[3:5]), 0, 0
	b = b[5:]
	if len(b) >= 3 && b[0] == ':' && num.AllDigits(b[1:3]) {
		s = num.Digits(b[1:3])
		b = b[3:]
		if len(b) >= 2 && b[0] == '.' {
			i, scale := 1, 100_000_000
			for i < len(b) && isDigit(b[i]) {
				if i <= 9 {
					ns += int(b[i]-'0') * scale
					scale /= 10
				}
				i++
			}
			if i == 1 {
				return time.Time{}, false
			}
			b = b[i:]
		}
	}
	if h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := d.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + time.Duration(ns))
	switch {
	case len(b) == 0:
		return t, true
	case len(b) == 1 && (b[0] == 'Z' || b[0] == 'z'):
		if !convert {
			return t, true
		}
		return UKWallClock(t), true
	case b[0] == '+' || b[0] == '-':
		off, ok := offset(b[1:])
		if !ok {
			return time.Time{}, false
		}
		if !convert {
			return t, true
		}
		if b[0] == '+' {
			off = -off
		}
		return UKWallClock(t.Add(off)), true
	}
	return time.Time{}, false
}

// offset parses "hh", "hhmm" or "hh:mm".
func offset(b []byte) (time.Duration, bool) {
	var h, m int
	switch {
	case len(b) == 2 && num.AllDigits(b):
		h = num.Digits(b)
	case len(b) == 4 && num.AllDigits(b):
		h, m = num.Digits(b[:2]), num.Digits(b[2:])
	case len(b) == 5 && b[2] == ':' && num.AllDigits(b[:2]) && num.AllDigits(b[3:]):
		h, m = num.Digits(b[:2]), num.Digits(b[3:])
	default:
		return 0, false
	}
	if h > 18 || m > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// UKWallClock returns the UK wall-clock time of instant t (given in UTC),
// as a time in UTC standing for "no zone".
func UKWallClock(t time.Time) time.Time {
	t = t.UTC()
	y := t.Year()
	if !t.Before(BSTStart(y)) && t.Before(BSTEnd(y)) {
		return t.Add(time.Hour)
	}
	return t
}

// BSTStart is the instant British Summer Time begins in year: 01:00 UTC on
// the last Sunday of March (the rule since 1996).
func BSTStart(year int) time.Time { return lastSunday(year, time.March) }

// BSTEnd is the instant British Summer Time ends in year: 01:00 UTC on the
// last Sunday of October.
func BSTEnd(year int) time.Time { return lastSunday(year, time.October) }

func lastSunday(year int, m time.Month) time.Time {
	d := time.Date(year, m+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// SettlementPeriods is the number of half-hour settlement periods of the
// UK local date d (midnight UTC standing for the date): 46 when the
// clocks go forward, 50 when they go back, 48 otherwise.
func SettlementPeriods(d time.Time) int {
	y, m, day := d.Date()
	switch {
	case m == time.March && BSTStart(y).Day() == day:
		return 46
	case m == time.October && BSTEnd(y).Day() == day:
		return 50
	}
	return 48
}
