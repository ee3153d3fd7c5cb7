package migrate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/pressly/goose/v3"
)

// Create writes a new, empty SQL migration into dir and returns its path.
// The file is named NNNNN_<name>.sql where NNNNN is one more than the
// highest version among dir's migration files (NNNNN_*.sql or NNNNN_*.go),
// zero-padded to 5 digits (1 in an empty dir); it has "-- +goose Up" and
// "-- +goose Down" sections and a header comment stamped with now (UTC).
//
// name is converted to snake_case ASCII: "Add Meter Table",
// "addMeterTable" and "add-meter-table" all become "add_meter_table".
// Create fails if name has no letter or digit, if dir cannot be read, or if
// the file already exists; it never overwrites. Two concurrent Creates in
// one dir may pick the same version.
func Create(dir, name string, now time.Time) (string, error) {
	slug := snakeCase(name)
	if slug == "" {
		return "", fmt.Errorf("migrate create: name %q has no letters or digits", name)
	}
	next, err := nextVersion(dir)
	if err != nil {
		return "", fmt.Errorf("migrate create: %w", err)
	}
	p := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", next, slug))
	body := fmt.Sprintf("-- %s (created %s)\n\n-- +goose Up\n\n\n-- +goose Down\n\n",
		strings.ReplaceAll(slug, "_", " "), now.UTC().Format(time.RFC3339))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("migrate create: %w", err)
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return "", fmt.Errorf("migrate create: write %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("migrate create: close %s: %w", p, err)
	}
	return p, nil
}

// nextVersion returns one more than the highest migration version in dir.
func nextVersion(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var highest int64
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		v, err := goose.NumericComponent(e.Name())
		if err != nil {
			continue // not a migration file
		}
		highest = max(highest, v)
	}
	if highest == 1<<63-1 {
		return 0, errors.New("highest migration version is already the maximum")
	}
	return highest + 1, nil
}

// snakeCase lower-cases name and joins its words with single underscores.
// Words are separated by any character other than an ASCII letter or digit,
// and by case changes ("addMeter" -> "add_meter", "HTTPServer" ->
// "http_server"). Non-ASCII characters act as separators.
func snakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	pendingSep := false
	word := func(r rune) {
		if pendingSep && b.Len() > 0 {
			b.WriteByte('_')
		}
		pendingSep = false
		b.WriteRune(unicode.ToLower(r))
	}
	for i, r := range rs {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
				if isLowerOrDigit(prev) || (prev >= 'A' && prev <= 'Z' && nextLower) {
					pendingSep = true
				}
			}
			word(r)
		case isLowerOrDigit(r):
			word(r)
		default:
			pendingSep = true
		}
	}
	return b.String()
}

func isLowerOrDigit(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
}
