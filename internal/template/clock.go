package template

import (
	"fmt"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// runStartedAt is dbt's run_started_at: it renders as Python prints an
// aware UTC datetime ("2024-01-31 06:00:00.000000+00:00") and has the
// datetime methods dbt projects call: strftime, isoformat, date,
// timestamp, and the fields year ... microsecond.
type runStartedAt time.Time

func (r runStartedAt) String() string {
	return time.Time(r).UTC().Format("2006-01-02 15:04:05.000000+00:00")
}

func (r runStartedAt) GetAttribute(name string) (*exec.Value, bool) {
	t := time.Time(r).UTC()
	switch name {
	case "strftime":
		return exec.AsValue(func(layout string) string { return strftime(t, layout) }), true
	case "isoformat":
		return exec.AsValue(func() string { return t.Format("2006-01-02T15:04:05.000000+00:00") }), true
	case "date":
		return exec.AsValue(func() string { return t.Format("2006-01-02") }), true
	case "timestamp":
		return exec.AsValue(func() float64 { return float64(t.UnixMicro()) / 1e6 }), true
	case "year":
		return exec.AsValue(t.Year()), true
	case "month":
		return exec.AsValue(int(t.Month())), true
	case "day":
		return exec.AsValue(t.Day()), true
	case "hour":
		return exec.AsValue(t.Hour()), true
	case "minute":
		return exec.AsValue(t.Minute()), true
	case "second":
		return exec.AsValue(t.Second()), true
	case "microsecond":
		return exec.AsValue(t.Nanosecond() / 1000), true
	}
	return exec.AsValue(nil), false
}

// strftime formats t with Python's directives (the common ones: %Y %y %m
// %d %H %I %M %S %f %p %j %a %A %b %B %z %Z %%); others are kept as
// written.
func strftime(t time.Time, layout string) string {
	var b strings.Builder
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 == len(layout) {
			b.WriteByte(c)
			continue
		}
		i++
		switch layout[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(layout[i])
		}
	}
	return b.String()
}
