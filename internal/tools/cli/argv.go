package cli

import (
	"fmt"
	"strings"
)

// arg is one command-line word after normalisation: a flag with its value
// split off however it was spelled (-n x, -nx, --namespace x, --namespace=x),
// or a positional word.
type arg struct {
	flag     string // "namespace", "n"; empty for a positional
	value    string
	hasValue bool
	word     string // the positional word
	// from and to are the argv words it was read from: a flag's value may be
	// the next word, and the flags of a group such as -it share theirs.
	from, to int
}

// spec says how a tool's flags are spelled, so values can be told from
// positional words.
type spec struct {
	valueLong  map[string]bool // long flags that take a value
	valueShort map[byte]bool   // shorthands that take a value
}

// normalise splits argv into flags and positionals. Everything after "--" is
// positional (returned separately: for exec, the command to run).
// takesValue reports a flag (without dashes) that takes the next word as
// its value when not given one with =.
func (s spec) takesValue(flag string) bool {
	if len(flag) == 1 {
		return s.valueShort[flag[0]]
	}
	return s.valueLong[flag]
}

func (s spec) normalise(argv []string) (args []arg, rest []string) {
	for i := 0; i < len(argv); i++ {
		w := argv[i]
		switch {
		case w == "--":
			return args, argv[i+1:]
		case strings.HasPrefix(w, "--"):
			name, val, has := strings.Cut(w[2:], "=")
			name = strings.ToLower(name)
			from := i
			if !has && s.valueLong[name] && i+1 < len(argv) {
				i++
				val, has = argv[i], true
			}
			args = append(args, arg{flag: name, value: val, hasValue: has, from: from, to: i + 1})
		case strings.HasPrefix(w, "-") && len(w) > 1 && !isNumber(w[1:]):
			var consumed bool
			args, consumed = s.shorthands(args, w[1:], argv, i)
			if consumed {
				i++
			}
		default:
			args = append(args, arg{word: w, from: i, to: i + 1})
		}
	}
	return args, nil
}

// shorthands expands a group such as -it or -nfoo or -n foo.
func (s spec) shorthands(args []arg, group string, argv []string, i int) ([]arg, bool) {
	for j := 0; j < len(group); j++ {
		c := group[j]
		if c == '=' {
			continue
		}
		if !s.valueShort[c] {
			args = append(args, arg{flag: string(c), from: i, to: i + 1})
			continue
		}
		if v := strings.TrimPrefix(group[j+1:], "="); v != "" {
			return append(args, arg{flag: string(c), value: v, hasValue: true, from: i, to: i + 1}), false
		}
		if i+1 < len(argv) {
			return append(args, arg{flag: string(c), value: argv[i+1], hasValue: true, from: i, to: i + 2}), true
		}
		return append(args, arg{flag: string(c), from: i, to: i + 1}), false
	}
	return args, false
}

func isNumber(s string) bool { return s != "" && strings.Trim(s, "0123456789.") == "" }

// injection names the first shell construct in any word, even though no shell
// ever runs: a model that writes one expects a shell, and what it meant is not
// what would run.
func injection(words []string) error {
	forms := []struct{ seq, name string }{
		{"\n", "a newline"}, {"\r", "a carriage return"}, {"\x00", "a NUL byte"},
		{";", "a command separator (;)"}, {"&&", "a command chain (&&)"}, {"||", "a command chain (||)"},
		{"|", "a pipe (|): use the pipe argument"}, {"$(", "a command substitution ($( ))"}, {"`", "a command substitution (backticks)"},
		{">", "a redirection (>)"}, {"<", "a redirection (<)"}, {"&", "a background job (&)"},
	}
	for _, w := range words {
		for _, f := range forms {
			if strings.Contains(w, f.seq) {
				return fmt.Errorf("%s in %q; arguments are passed as-is, no shell runs", f.name, w)
			}
		}
	}
	return nil
}
