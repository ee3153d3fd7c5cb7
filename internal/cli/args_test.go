package cli

import (
	"io"
	"strings"
	"testing"
)

func TestIntersperseMovesCommandFlagsBeforeArguments(t *testing.T) {
	app := newApp(&settings{}, strings.NewReader(""), io.Discard, io.Discard)
	cases := []struct{ in, want string }{
		{"cdw extract d0010 --from dir", "cdw extract --from dir d0010"},
		{"cdw -t dev extract d0010 halfhourly --from=dir", "cdw -t dev extract --from=dir d0010 halfhourly"},
		{"cdw --project-dir p extract --from dir d0010", "cdw --project-dir p extract --from dir d0010"},
		{"cdw run -s readings+ --fail-fast", "cdw run -s readings+ --fail-fast"},
		{"cdw migrate create add_meters --help", "cdw migrate create --help add_meters"},
		{"cdw extract d0010 -- --from", "cdw extract d0010 -- --from"},
		{"cdw run -s readings registers+ --exclude a b", "cdw run -s readings -s registers+ --exclude a --exclude b"},
		{"cdw test --select=readings meters -x", "cdw test --select=readings --select meters -x"},
		{"cdw ls -s a b -o name", "cdw ls -s a -s b -o name"},
		{"cdw nosuchcommand x --y", "cdw nosuchcommand x --y"},
		{"cdw", "cdw"},
	}
	for _, c := range cases {
		got := strings.Join(intersperse(app, strings.Fields(c.in)), " ")
		if got != c.want {
			t.Errorf("intersperse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIntersperseHoistsGlobalFlagsTypedAfterTheCommand(t *testing.T) {
	app := newApp(&settings{}, strings.NewReader(""), io.Discard, io.Discard)
	cases := []struct{ in, want string }{
		{"cdw run --target dev -s readings+", "cdw --target dev run -s readings+"},
		{"cdw run -s readings+ -t dev --threads 2", "cdw -t dev --threads 2 run -s readings+"},
		{"cdw --project-dir p extract d0010 --from dir -t dev", "cdw --project-dir p -t dev extract --from dir d0010"},
		{"cdw migrate up --target dev", "cdw --target dev migrate up"},
	}
	for _, c := range cases {
		got := strings.Join(intersperse(app, strings.Fields(c.in)), " ")
		if got != c.want {
			t.Errorf("intersperse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
