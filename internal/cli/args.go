package cli

import (
	"slices"
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
	var globals, flags, positional []string
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
		// A global flag typed after the command (`cdw run --target dev`,
		// as dbt users do) moves before it, unless the command has a flag
		// of that name itself.
		dst, set := &flags, cmd.Flags
		if !hasFlag(cmd.Flags, a) && hasFlag(app.Flags, a) {
			dst, set = &globals, app.Flags
		}
		*dst = append(*dst, a)
		if takesValue(set, a) && !strings.Contains(a, "=") && j+1 < len(rest) {
			*dst = append(*dst, rest[j+1])
			j++
		}
		// dbt's `-s a b`: a repeatable flag of a command that takes no
		// arguments takes the words after its value as more values.
		if cmd.ArgsUsage == "" && repeatable(set, a) {
			name, _, _ := strings.Cut(a, "=")
			for j+1 < len(rest) && !strings.HasPrefix(rest[j+1], "-") {
				*dst = append(*dst, name, rest[j+1])
				j++
			}
		}
	}
	cmdAt := skipFlags(app.Flags, args, 1)
	out := append([]string(nil), args[:cmdAt]...)
	out = append(out, globals...)
	out = append(out, args[cmdAt:i+1]...)
	return append(append(out, flags...), positional...)
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

// flagNamed returns the flag of flags that token (-x, --name or
// --name=value) names, or nil.
func flagNamed(flags []ucli.Flag, token string) ucli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(token, "-"), "=")
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// hasFlag reports whether token names one of flags.
func hasFlag(flags []ucli.Flag, token string) bool { return flagNamed(flags, token) != nil }

// takesValue reports whether the flag token names a flag that needs a value.
func takesValue(flags []ucli.Flag, token string) bool {
	f := flagNamed(flags, token)
	_, isBool := f.(*ucli.BoolFlag)
	return f != nil && !isBool
}

// repeatable reports whether the flag token names a flag that may be given
// several times (a string slice).
func repeatable(flags []ucli.Flag, token string) bool {
	_, ok := flagNamed(flags, token).(*ucli.StringSliceFlag)
	return ok
}
