package billing

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cdw-dev/cdw/internal/extract"
)

// maxAccounts bounds one account list, so a typo like "1-1000000000"
// fails instead of exhausting memory.
const maxAccounts = 5_000_000

// ParseAccounts parses an account list: comma-separated ids and inclusive
// ranges ("1-50,77,80-82"). Ids must be positive; duplicates are dropped;
// the order is kept.
func ParseAccounts(s string) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	add := func(n int64) error {
		if !seen[n] {
			if len(out) >= maxAccounts {
				return fmt.Errorf("more than %d accounts", maxAccounts)
			}
			seen[n] = true
			out = append(out, n)
		}
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
		if err != nil || a <= 0 {
			return nil, fmt.Errorf("%q is not an account id or a range such as 1-50", part)
		}
		b := a
		if isRange {
			b, err = strconv.ParseInt(strings.TrimSpace(hi), 10, 64)
			if err != nil || b < a {
				return nil, fmt.Errorf("%q is not a range such as 1-50", part)
			}
			if b-a >= maxAccounts {
				return nil, fmt.Errorf("range %q has more than %d accounts", part, maxAccounts)
			}
		}
		for n := a; n <= b; n++ {
			if err := add(n); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no accounts in %q", s)
	}
	return out, nil
}

// universe resolves the run's accounts and says where they came from: an
// explicit list, else the settings' query, file or range, capped by the
// target's limit.
func universe(ctx context.Context, s *Settings, req extract.PrepareRequest) ([]int64, string, error) {
	if req.Units != "" {
		ids, err := ParseAccounts(req.Units)
		if err != nil {
			return nil, "", extract.Invalidf("--accounts: %v", err)
		}
		return ids, fmt.Sprintf("%s from --accounts", plural(len(ids), "account")), nil
	}
	var ids []int64
	var from string
	a := s.Accounts
	switch {
	case a.Query != "":
		if req.Query == nil {
			return nil, "", fmt.Errorf("billing: no warehouse to run the account query on")
		}
		rows, err := req.Query(ctx, a.Query)
		if err != nil {
			return nil, "", fmt.Errorf("billing: account query (%s.accounts.query): %w", settingsField, err)
		}
		for i, row := range rows {
			n, err := idValue(row)
			if err != nil {
				return nil, "", extract.Invalidf("%s: %s.accounts.query: row %d: %v", a.Pos, settingsField, i+1, err)
			}
			ids = append(ids, n)
		}
		from = settingsField + ".accounts.query"
	case a.File != "":
		path := a.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(req.Dir, path)
		}
		var err error
		if ids, err = readIDs(path); err != nil {
			return nil, "", extract.Invalidf("%s: %s.accounts.file: %v", a.Pos, settingsField, err)
		}
		from = a.File
	case a.Range != "":
		ids, _ = ParseAccounts(a.Range) // checked when decoded
		from = settingsField + ".accounts.range"
	default:
		return nil, "", extract.Invalidf("no accounts to extract: pass --accounts 1-50, or set %s.accounts (query, file or range) in %s", settingsField, "project.yml")
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	summary := fmt.Sprintf("%s from %s", plural(len(ids), "account"), from)
	if limit, ok := s.Limits[req.Target]; ok && len(ids) > limit {
		ids = ids[:limit]
		summary += fmt.Sprintf(", the first %d on target %s (%s.limits.%s)", limit, req.Target, settingsField, req.Target)
	}
	return ids, summary, nil
}

// idValue reads an account id from a query row's first column.
func idValue(row []any) (int64, error) {
	if len(row) == 0 {
		return 0, fmt.Errorf("no columns")
	}
	switch x := row[0].(type) {
	case int64:
		if x > 0 {
			return x, nil
		}
	case float64:
		if x > 0 && x == float64(int64(x)) {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil && n > 0 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%v is not an account id", row[0])
}

// readIDs reads one account id per line; blank lines and # comments are skipped.
func readIDs(path string) ([]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []int64
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s:%d: %q is not an account id", filepath.Base(path), line, text)
		}
		out = append(out, n)
	}
	return out, sc.Err()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
