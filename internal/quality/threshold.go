package quality

import (
	"fmt"
	"strconv"
	"strings"
)

// Condition is a threshold on a test's failing-row count, written as dbt
// writes warn_if and error_if: an operator (>, >=, <, <=, =, ==, !=, <>)
// followed by a whole number, e.g. ">0" or ">= 10". The zero value is not
// a valid condition; use ParseCondition.
type Condition struct {
	Op    string // one of >, >=, <, <=, =, != (== and <> are normalized)
	Value int64
}

// DefaultCondition is the condition of warn_if and error_if when unset:
// any failing row counts.
var DefaultCondition = Condition{Op: ">", Value: 0}

// ParseCondition parses a threshold such as ">0", ">=10" or "!= 0".
// Spaces around the operator and the number are allowed; anything else is
// an error that says what is expected.
func ParseCondition(s string) (Condition, error) {
	t := strings.TrimSpace(s)
	var op string
	for _, cand := range []string{">=", "<=", "==", "!=", "<>", ">", "<", "="} {
		if strings.HasPrefix(t, cand) {
			op = cand
			break
		}
	}
	if op == "" {
		return Condition{}, fmt.Errorf("%q is not a threshold: want an operator (>, >=, <, <=, =, !=) and a whole number, e.g. \">0\" or \">=10\"", s)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t[len(op):]), 10, 64)
	if err != nil {
		return Condition{}, fmt.Errorf("%q is not a threshold: %q after %s is not a whole number", s, strings.TrimSpace(t[len(op):]), op)
	}
	switch op {
	case "==":
		op = "="
	case "<>":
		op = "!="
	}
	return Condition{Op: op, Value: n}, nil
}

// Holds reports whether count satisfies the condition.
func (c Condition) Holds(count int64) bool {
	switch c.Op {
	case ">":
		return count > c.Value
	case ">=":
		return count >= c.Value
	case "<":
		return count < c.Value
	case "<=":
		return count <= c.Value
	case "=":
		return count == c.Value
	case "!=":
		return count != c.Value
	}
	return false
}

// String renders the condition as it is written in YAML, e.g. ">0".
func (c Condition) String() string { return c.Op + strconv.FormatInt(c.Value, 10) }

// Outcome is what a failing-row count means for a test.
type Outcome string

const (
	OutcomePass Outcome = "pass"
	OutcomeWarn Outcome = "warn"
	OutcomeFail Outcome = "fail"
)

// Thresholds decide a test's outcome from its failing-row count, as dbt
// does: with severity error, the test fails when ErrorIf holds, else warns
// when WarnIf holds, else passes; with severity warn, ErrorIf is ignored
// and the test warns when WarnIf holds. Zero conditions mean
// DefaultCondition.
type Thresholds struct {
	Severity        Severity
	WarnIf, ErrorIf Condition
}

// Judge returns the outcome for count failing rows.
func (t Thresholds) Judge(count int64) Outcome {
	warnIf, errorIf := t.WarnIf, t.ErrorIf
	if warnIf.Op == "" {
		warnIf = DefaultCondition
	}
	if errorIf.Op == "" {
		errorIf = DefaultCondition
	}
	if t.Severity != SeverityWarn && errorIf.Holds(count) {
		return OutcomeFail
	}
	if warnIf.Holds(count) {
		return OutcomeWarn
	}
	return OutcomePass
}
