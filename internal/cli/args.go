package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// intersperse reorders args so that a command's flags may follow its
// positional arguments, as users type them (`cdw extract d0010 --from DIR`);
// urfave/cli v2 stops reading flags at the first positional argument.
// Everything after a literal "--" is left alone.
func intersperse(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	i := skipFlags(app.Flags, args, 1)
	if i >= len(args) {
		return args
	}
	cmd := findCommand(app.Commands, args[i])
	for cmd != nil && len(cmd.Subcommands) > 0 && i+1 < len(args) {
		next := findCommand(cmd.Subcommands, args[i+1])
		if next == nil {
			break
		}
		cmd, i = next, i+1
	}
	if cmd == nil {
		return args
	}
	head := append([]string(nil), args[:i+1]...)
	var flags, positional []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			positional = append(positional, rest[j:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if takesValue(cmd.Flags, a) && !strings.Contains(a, "=") && j+1 < len(rest) {
			flags = append(flags, rest[j+1])
			j++
		}
	}
	return append(append(head, flags...), positional...)
}

// skipFlags returns the index of the first argument at or after i that is
// not one of flags (or a flag's value).
func skipFlags(flags []ucli.Flag, args []string, i int) int {
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		if takesValue(flags, args[i]) && !strings.Contains(args[i], "=") {
			i++
		}
		i++
	}
	return i
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether the flag token names a flag that needs a value.
func takesValue(flags []ucli.Flag, token string) bool {
	name := strings.TrimLeft(token, "-")
	if k := strings.IndexByte(name, '='); k >= 0 {
		name = name[:k]
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*ucli.BoolFlag)
				return !isBool
			}
		}
	}
	return false
}
