package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Stage is one text tool the output is piped through.
type Stage struct {
	Command string   `json:"command" jsonschema:"grep, head, tail, wc, sort, uniq, cut or jq"`
	Args    []string `json:"args,omitempty"`
}

// textTool is what one pipe command may be given: an allowlist, so that file
// reads (grep -r, jq --rawfile), file writes (sort -o), program runs (sort
// --compress-program) and environment reads (jq $ENV) are out by construction.
type textTool struct {
	spec        spec
	flags       map[string]bool // allowed flags, long and short, without dashes
	positionals int             // how many positional words (patterns, filters); never files
	check       func(words []string) error
}

var textTools = map[string]textTool{
	"grep": {
		spec:        spec{valueLong: set("max-count", "after-context", "before-context", "context", "regexp"), valueShort: set[byte]('m', 'A', 'B', 'C', 'e')},
		flags:       set("i", "v", "c", "n", "E", "F", "w", "x", "o", "m", "A", "B", "C", "e", "ignore-case", "invert-match", "count", "line-number", "extended-regexp", "fixed-strings", "word-regexp", "line-regexp", "only-matching", "max-count", "after-context", "before-context", "context", "regexp"),
		positionals: 1,
	},
	"head": {spec: spec{valueLong: set("lines", "bytes"), valueShort: set[byte]('n', 'c')}, flags: set("n", "c", "lines", "bytes")},
	"tail": {spec: spec{valueLong: set("lines", "bytes"), valueShort: set[byte]('n', 'c')}, flags: set("n", "c", "lines", "bytes")},
	"wc":   {flags: set("l", "w", "c", "m", "lines", "words", "bytes", "chars")},
	"sort": {
		spec:  spec{valueLong: set("key", "field-separator"), valueShort: set[byte]('k', 't')},
		flags: set("n", "r", "u", "k", "t", "h", "V", "f", "b", "numeric-sort", "reverse", "unique", "key", "field-separator", "human-numeric-sort", "version-sort", "ignore-case"),
	},
	"uniq": {spec: spec{valueLong: set("skip-fields", "skip-chars"), valueShort: set[byte]('f', 's')}, flags: set("c", "d", "u", "i", "f", "s", "count", "repeated", "unique", "ignore-case", "skip-fields", "skip-chars")},
	"cut":  {spec: spec{valueLong: set("delimiter", "fields", "characters", "bytes"), valueShort: set[byte]('d', 'f', 'c', 'b')}, flags: set("d", "f", "c", "b", "s", "delimiter", "fields", "characters", "bytes", "only-delimited")},
	"jq": {
		flags:       set("r", "c", "S", "e", "j", "s", "raw-output", "compact-output", "sort-keys", "exit-status", "join-output", "slurp", "tab"),
		positionals: 1,
		check:       checkJQ,
	},
}

func validatePipe(stages []Stage) error {
	for i, st := range stages {
		tt, ok := textTools[st.Command]
		if !ok {
			return fmt.Errorf("pipe[%d]: Tool not found. Available tools: %s", i, strings.Join(slices.Sorted(maps.Keys(textTools)), ", "))
		}
		if err := tt.validate(st.Args); err != nil {
			return fmt.Errorf("pipe[%d] %s: %w", i, st.Command, err)
		}
	}
	return nil
}

func (t textTool) validate(argv []string) error {
	for _, w := range argv {
		if strings.ContainsRune(w, 0) {
			return fmt.Errorf("a NUL byte in %q", w)
		}
	}
	args, rest := t.spec.normalise(argv)
	words := append(positionals(args), rest...)
	for _, a := range args {
		if a.flag != "" && !t.flags[a.flag] {
			return fmt.Errorf("flag %s is not allowed (allowed: %s)", spell(a.flag), strings.Join(slices.Sorted(maps.Keys(t.flags)), " "))
		}
	}
	if _, ok := (command{args: args}).has("e", "regexp"); ok && t.positionals > 0 {
		t.positionals = 0 // the pattern came with -e
	}
	if len(words) > t.positionals {
		return fmt.Errorf("%d argument(s) %q where at most %d pattern or filter is allowed: input is the previous output, never files", len(words), words, t.positionals)
	}
	if t.check != nil {
		return t.check(words)
	}
	return nil
}

// checkJQ keeps jq filters away from kubemcp's environment and files.
func checkJQ(words []string) error {
	for _, w := range words {
		for _, bad := range []string{"$ENV", "env", "input_filename", "$__prog_args", "$__loc__", "import", "include"} {
			if strings.Contains(w, bad) {
				return fmt.Errorf("jq filter uses %q: the environment and files of kubemcp's host are off limits", bad)
			}
		}
	}
	return nil
}
