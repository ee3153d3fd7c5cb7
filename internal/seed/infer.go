package seed

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/csvx"
)

// dbt's seed rule, used for dbt projects only: dbt reads a CSV with agate
// and infers each column's type from all of its values, trying in order
// integer (only a seed with no rows), number, date (%Y-%m-%d), datetime
// (%Y-%m-%d %H:%M:%S), ISO 8601 datetime (with a T), boolean (true/false)
// and text. Empty fields and the word null (any case, surrounding spaces
// ignored) are NULL in every column. Values are converted as agate
// converts them before they reach the warehouse: "1,234", "$5" and "12%"
// are numbers (1234, 5, 12), " 7 " is 7, "2024-1-5" is 2024-01-05, "TRUE"
// is true. A number column is integer when no value has digits after the
// point once trailing zeros are dropped ("2.00" is 2), float8 otherwise.

// Kind is how a column's values are read under dbt's rule. The zero Kind
// is cdw's rule: values as written, an unquoted empty field is NULL.
type Kind string

// Kinds of dbt's rule, in agate's order of preference.
const (
	KindInteger  Kind = "integer" // only when the seed has no rows
	KindNumber   Kind = "number"
	KindDate     Kind = "date"
	KindDateTime Kind = "datetime"
	KindISO      Kind = "isodatetime"
	KindBoolean  Kind = "boolean"
	// KindText keeps values as written, except that the null words are
	// NULL; columns typed by column_types are read this way too.
	KindText Kind = "text"
)

var kindOrder = []Kind{KindInteger, KindNumber, KindDate, KindDateTime, KindISO, KindBoolean, KindText}

// Inferred is what dbt's rule learned about one column.
type Inferred struct {
	Kind Kind
	// Places is the most digits after the point of any value once
	// normalized (number columns).
	Places int
	// MaxBytes is the longest non-NULL value in UTF-8 bytes (text
	// columns; Redshift sizes varchar with it).
	MaxBytes int
}

// Inferrer learns the kinds of a seed's columns record by record. It
// keeps O(columns) state. Not safe for concurrent use.
type Inferrer struct {
	alive  []uint8 // per column: bit i set while kindOrder[i] still fits
	places []int
	bytes  []int
	rows   int
}

// NewInferrer returns an Inferrer for records of n fields.
func NewInferrer(n int) *Inferrer {
	in := &Inferrer{alive: make([]uint8, n), places: make([]int, n), bytes: make([]int, n)}
	for i := range in.alive {
		in.alive[i] = 1<<len(kindOrder) - 1
	}
	return in
}

// Add feeds one record (of the n fields the Inferrer was made for).
func (in *Inferrer) Add(rec []csvx.Field) {
	in.rows++
	for i, f := range rec {
		if i >= len(in.alive) {
			break
		}
		v := f.Value
		if isNullWord(v) {
			in.alive[i] &^= 1 // integer takes no strings at all
			continue
		}
		in.bytes[i] = max(in.bytes[i], len(v))
		for k, kind := range kindOrder {
			if in.alive[i]&(1<<k) == 0 || kind == KindText {
				continue
			}
			ok := false
			switch kind {
			case KindNumber:
				var d decimal
				if d, ok = parseNumber(v); ok {
					in.places[i] = max(in.places[i], d.places())
				}
			case KindDate:
				_, ok = parseDate(v)
			case KindDateTime:
				_, ok = parseDateTime(v)
			case KindISO:
				_, ok = parseISODateTime(v)
			case KindBoolean:
				_, ok = parseBool(v)
			}
			if !ok {
				in.alive[i] &^= 1 << k
			}
		}
	}
}

// Result returns each column's kind: the first of agate's order that
// every value fits.
func (in *Inferrer) Result() []Inferred {
	out := make([]Inferred, len(in.alive))
	for i, alive := range in.alive {
		for k, kind := range kindOrder {
			if alive&(1<<k) != 0 {
				out[i] = Inferred{Kind: kind, Places: in.places[i], MaxBytes: in.bytes[i]}
				break
			}
		}
	}
	return out
}

// InferCSV reads a whole CSV stream (header first) and returns its header
// and what dbt's rule infers for each column. A record whose field count
// differs from the header's is an error naming its line.
func InferCSV(r io.Reader, delim rune) ([]string, []Inferred, error) {
	cr := csvx.NewReader(r, delim)
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("the file is empty: a seed needs a header line naming its columns")
	}
	if err != nil {
		return nil, nil, err
	}
	header := make([]string, len(rec))
	for i, f := range rec {
		header[i] = f.Value
	}
	in := NewInferrer(len(header))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if len(rec) != len(header) {
			return nil, nil, fmt.Errorf("line %d: %d fields, the header has %d", cr.Line(), len(rec), len(header))
		}
		in.Add(rec)
	}
	return header, in.Result(), nil
}

// SQLType is the type dbt's adapter for engine (duckdb, postgres or
// redshift) creates for an inferred column.
func (inf Inferred) SQLType(engine string) string {
	switch inf.Kind {
	case KindInteger:
		return "integer"
	case KindNumber:
		if inf.Places > 0 {
			return "float8"
		}
		return "integer"
	case KindDate:
		return "date"
	case KindDateTime, KindISO:
		return "timestamp without time zone"
	case KindBoolean:
		return "boolean"
	}
	if engine == "redshift" {
		n := inf.MaxBytes
		if n == 0 {
			n = 64
		}
		return fmt.Sprintf("varchar(%d)", n)
	}
	return DefaultType
}

// isNullWord reports whether v is NULL under dbt's rule: empty or the
// word null, ignoring case and surrounding spaces.
func isNullWord(v string) bool {
	t := strings.TrimSpace(v)
	return t == "" || strings.EqualFold(t, "null")
}

// convert returns the value a field is loaded as under kind k: nil for
// NULL, else the text the column's cast reads (numbers as plain decimals,
// dates and times in ISO form, booleans as true/false).
func (k Kind) convert(f csvx.Field) (any, error) {
	if k == "" {
		if f.IsNull() {
			return nil, nil
		}
		return f.Value, nil
	}
	v := f.Value
	if isNullWord(v) {
		return nil, nil
	}
	var (
		out string
		ok  bool
	)
	switch k {
	case KindText:
		return v, nil
	case KindNumber, KindInteger:
		var d decimal
		if d, ok = parseNumber(v); ok {
			out = d.String()
		}
	case KindDate:
		var t time.Time
		if t, ok = parseDate(v); ok {
			out = t.Format("2006-01-02")
		}
	case KindDateTime:
		var t time.Time
		if t, ok = parseDateTime(v); ok {
			out = t.Format("2006-01-02 15:04:05")
		}
	case KindISO:
		var t time.Time
		if t, ok = parseISODateTime(v); ok {
			out = t.Format("2006-01-02 15:04:05.999999")
		}
	case KindBoolean:
		var b bool
		if b, ok = parseBool(v); ok {
			out = strconv.FormatBool(b)
		}
	}
	if !ok {
		return nil, fmt.Errorf("%q is not a %s value (the file changed since the project loaded?)", v, k)
	}
	return out, nil
}

// currencySymbols are the symbols agate strips from numbers.
const currencySymbols = "؋$ƒ៛¥₡₱£€¢﷼₪₩₭₮₦฿₤₫"

// decimal is a parsed number: (-1)^neg × digits × 10^exp, or NaN/Inf.
type decimal struct {
	neg     bool
	special string // "", "NaN" or "Infinity"
	digits  string // no leading zeros ("0" for zero)
	exp     int
}

var pyDecimal = regexp.MustCompile(`^([+-])?(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?$`)

// parseNumber reads v as agate's Number does (en_US): spaces, then '%'
// at either end, then a leading '-', then currency symbols at either end
// are stripped and ',' group separators dropped; the rest must be a
// Python decimal literal (underscores ignored; Infinity and NaN allowed).
func parseNumber(v string) (decimal, bool) {
	s := strings.Trim(strings.TrimSpace(v), "%")
	neg := false
	if strings.HasPrefix(s, "-") {
		s, neg = s[1:], true
	}
	for _, sym := range currencySymbols { // one at a time, in agate's order
		s = strings.Trim(s, string(sym))
	}
	s = strings.ReplaceAll(s, ",", "")
	d, ok := parsePyDecimal(s)
	if !ok {
		return decimal{}, false
	}
	d.neg = d.neg != neg
	return d, true
}

// parsePyDecimal parses Python's Decimal(str) syntax.
func parsePyDecimal(s string) (decimal, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	var d decimal
	body := s
	if strings.HasPrefix(body, "+") || strings.HasPrefix(body, "-") {
		d.neg, body = body[0] == '-', body[1:]
	}
	switch lower := strings.ToLower(body); {
	case lower == "inf" || lower == "infinity":
		d.special = "Infinity"
		return d, true
	case strings.HasPrefix(lower, "nan") && strings.Trim(lower[3:], "0123456789") == "":
		d.special, d.neg = "NaN", false
		return d, true
	}
	m := pyDecimal.FindStringSubmatch(s)
	if m == nil {
		return decimal{}, false
	}
	intPart, frac := m[2], m[3]
	if m[4] != "" {
		frac = m[4]
	}
	exp := 0
	if m[5] != "" {
		e, err := strconv.Atoi(m[5])
		if err != nil || e > 1e6 || e < -1e6 {
			return decimal{}, false
		}
		exp = e
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	if digits == "" {
		digits, exp = "0", 0
	}
	// Normalize: trailing zeros move into the exponent.
	trimmed := strings.TrimRight(digits, "0")
	if trimmed == "" {
		trimmed = "0"
	}
	exp += len(digits) - len(trimmed)
	d.digits, d.exp = trimmed, exp
	if d.digits == "0" {
		d.exp = 0
	}
	return d, true
}

// places is agate's precision of the value: digits after the point once
// normalized (0 for NaN and Infinity).
func (d decimal) places() int {
	if d.special != "" || d.exp >= 0 {
		return 0
	}
	return -d.exp
}

// String renders d as a plain decimal ("-1234.5", "1000"), or in E
// notation when that would be very long.
func (d decimal) String() string {
	sign := ""
	if d.neg {
		sign = "-"
	}
	if d.special != "" {
		if d.special == "NaN" {
			return "NaN"
		}
		return sign + d.special
	}
	if d.exp > 1000 || d.exp < -1000 {
		return fmt.Sprintf("%s%sE%+d", sign, d.digits, d.exp)
	}
	if d.exp >= 0 {
		return sign + d.digits + strings.Repeat("0", d.exp)
	}
	n := -d.exp
	if len(d.digits) > n {
		return sign + d.digits[:len(d.digits)-n] + "." + d.digits[len(d.digits)-n:]
	}
	return sign + "0." + strings.Repeat("0", n-len(d.digits)) + d.digits
}

// Python strptime's fields for %Y-%m-%d and %H:%M:%S.
const (
	pyDate = `([0-9]{4})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])`
	pyTime = `(2[0-3]|[0-1][0-9]|[0-9]):([0-5][0-9]|[0-9]):([0-5][0-9]|[0-9])`
)

var (
	strptimeDate     = regexp.MustCompile(`^` + pyDate + `$`)
	strptimeDateTime = regexp.MustCompile(`^` + pyDate + `\s+` + pyTime + `$`)
	isoDate          = regexp.MustCompile(`^([0-9]{4})-?([0-9]{2})-?([0-9]{2})$`)
	isoTime          = regexp.MustCompile(`^([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2}))?)?(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$`)
)

// civil builds a date, rejecting days a month does not have.
func civil(y, m, d, hh, mm, ss, nanos int) (time.Time, bool) {
	if y < 1 || m < 1 || m > 12 || d < 1 || hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, hh, mm, ss, nanos, time.UTC)
	return t, t.Day() == d && int(t.Month()) == m
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// parseDate reads v as strptime(v.strip(), "%Y-%m-%d").
func parseDate(v string) (time.Time, bool) {
	m := strptimeDate.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return time.Time{}, false
	}
	return civil(atoi(m[1]), atoi(m[2]), atoi(m[3]), 0, 0, 0, 0)
}

// parseDateTime reads v as strptime(v.strip(), "%Y-%m-%d %H:%M:%S").
func parseDateTime(v string) (time.Time, bool) {
	m := strptimeDateTime.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return time.Time{}, false
	}
	return civil(atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6]), 0)
}

// parseISODateTime reads v as isodate.parse_datetime: a date
// (YYYY-MM-DD or YYYYMMDD), one T, and a time (hh[:mm[:ss]][.fraction])
// with an optional zone (Z, ±hh, ±hh:mm). A time with a zone is
// converted to UTC; microseconds are kept.
func parseISODateTime(v string) (time.Time, bool) {
	s := strings.TrimSpace(v)
	date, clock, found := strings.Cut(s, "T")
	if !found || strings.Contains(clock, "T") {
		return time.Time{}, false
	}
	dm := isoDate.FindStringSubmatch(date)
	tm := isoTime.FindStringSubmatch(clock)
	if dm == nil || tm == nil {
		return time.Time{}, false
	}
	nanos := 0
	if frac := tm[4]; frac != "" {
		frac = (frac + "000000")[:6]
		nanos = atoi(frac) * 1000
	}
	t, ok := civil(atoi(dm[1]), atoi(dm[2]), atoi(dm[3]), atoi(tm[1]), atoi(tm[2]), atoi(tm[3]), nanos)
	if !ok {
		return time.Time{}, false
	}
	if z := tm[5]; z != "" && z != "Z" {
		off := strings.ReplaceAll(z[1:], ":", "")
		mins := atoi(off[:2]) * 60
		if len(off) == 4 {
			mins += atoi(off[2:])
		}
		if z[0] == '+' {
			mins = -mins
		}
		t = t.Add(time.Duration(mins) * time.Minute)
	}
	return t, true
}

// parseBool reads v as agate's Boolean with dbt's values: true or false
// (any case, commas and surrounding spaces ignored).
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(strings.ReplaceAll(v, ",", ""))) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
