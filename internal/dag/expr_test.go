package dag

import (
	"fmt"
	"testing"
)

func TestEvalMatchesSelectAndComposes(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	sel := func(exprs ...string) string {
		ids, err := g.Select(exprs, nil, SelectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(ids)
	}
	eval := func(e Expr) string {
		ids, err := g.Eval(e, SelectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(ids)
	}
	// An atom evaluates as Select does, tests included by indirect selection.
	if got, want := eval(Expr{Atom: "stg_halfhourly+"}), sel("stg_halfhourly+"); got != want {
		t.Errorf("atom: %s, want %s", got, want)
	}
	// A union of two atoms is the space-separated selection.
	if got, want := eval(Expr{Union: []Expr{{Atom: "readings"}, {Atom: "tag:core"}}}), sel("readings tag:core"); got != want {
		t.Errorf("union: %s, want %s", got, want)
	}
	// An intersection is the comma-joined selection.
	if got, want := eval(Expr{Intersection: []Expr{{Atom: "readings+"}, {Atom: "resource_type:model"}}}), sel("readings+,resource_type:model"); got != want {
		t.Errorf("intersection: %s, want %s", got, want)
	}
	// Exclude subtracts, and takes the tests of excluded nodes with it.
	ex, err := g.Select([]string{"stg_d0010+"}, []string{"readings_valid"}, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := eval(Expr{Union: []Expr{{Atom: "stg_d0010+"}}, Exclude: []Expr{{Atom: "readings_valid"}}}); got != fmt.Sprint(ex) {
		t.Errorf("exclude: %s, want %s", got, fmt.Sprint(ex))
	}
	// Indirect mode set on the expression wins.
	empty, _ := g.Select([]string{"readings"}, nil, SelectOptions{Indirect: IndirectEmpty})
	if got := eval(Expr{Atom: "readings", Indirect: IndirectEmpty}); got != fmt.Sprint(empty) {
		t.Errorf("indirect empty: %s, want %s", got, fmt.Sprint(empty))
	}
	if _, err := g.Eval(Expr{Atom: "a", Union: []Expr{{Atom: "b"}}}, SelectOptions{}); err == nil {
		t.Error("atom and union together: no error")
	}
	if _, err := g.Eval(Expr{Atom: "nope:x"}, SelectOptions{}); err == nil {
		t.Error("unknown method: no error")
	}
}
