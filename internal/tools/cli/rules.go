package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// rules are what one command-line tool may be asked to do.
type rules struct {
	spec spec
	// read and write list the allowed subcommands ("get", "auth can-i"); write
	// ones only when the server is not read-only. Anything else is refused.
	read, write []string
	// forbidden flags, with why; checked after normalising every spelling.
	forbidden map[string]string
	// extra checks specific to the tool (Secrets, local files, exec).
	check func(c command) error
	// namespaced tools take kubectl's -n/--namespace and -A/--all-namespaces.
	namespaced bool
}

// command is a validated-so-far invocation.
type command struct {
	sub  string   // the matched subcommand key
	args []arg    // normalised
	rest []string // after "--"
	exec execRules
	// argv is what runs: the argv asked for without its namespace flags.
	argv []string
	// namespace is the one -n names ("" for none); all is -A.
	namespace string
	all       bool
}

func (r rules) validate(argv []string, readOnly bool, exec execRules) (command, error) {
	if len(argv) == 0 {
		return command{}, fmt.Errorf("no subcommand; allowed: %s", strings.Join(r.allowed(readOnly), ", "))
	}
	if err := injection(argv); err != nil {
		return command{}, err
	}
	args, rest := r.spec.normalise(argv)
	if len(args) == 0 || args[0].flag != "" {
		return command{}, fmt.Errorf("put the subcommand first (got flag %q); allowed: %s", argv[0], strings.Join(r.allowed(readOnly), ", "))
	}
	sub, ok := r.match(args, readOnly)
	if !ok {
		return command{}, fmt.Errorf("subcommand %q is not allowed%s; allowed: %s", subcommandWords(args), modeNote(readOnly), strings.Join(r.allowed(readOnly), ", "))
	}
	for _, a := range args {
		if why, bad := r.forbidden[a.flag]; bad && a.flag != "" {
			return command{}, fmt.Errorf("flag %s: %s", spell(a.flag), why)
		}
	}
	c := command{sub: sub, args: args, rest: rest, exec: exec, argv: argv}
	if r.namespaced {
		if err := c.takeNamespace(argv); err != nil {
			return command{}, err
		}
	}
	for _, a := range args {
		if r.spec.takesValue(a.flag) && !a.hasValue {
			// Whatever came next (a flag kubemcp adds, such as
			// --dry-run=server) would be taken as its value.
			return command{}, fmt.Errorf("flag %s needs a value", spell(a.flag))
		}
	}
	if r.check != nil {
		if err := r.check(c); err != nil {
			return command{}, err
		}
	}
	if len(rest) > 0 && sub != "exec" {
		return command{}, fmt.Errorf("arguments after -- are only for exec")
	}
	return c, nil
}

func modeNote(readOnly bool) string {
	if readOnly {
		return " in read-only mode"
	}
	return ""
}

func spell(flag string) string {
	if len(flag) == 1 {
		return "-" + flag
	}
	return "--" + flag
}

// match finds the longest allowed subcommand made of the first positional words.
func (r rules) match(args []arg, readOnly bool) (string, bool) {
	allowed := r.allowed(readOnly)
	words := positionals(args)
	for n := min(3, len(words)); n > 0; n-- {
		key := strings.Join(words[:n], " ")
		if slices.Contains(allowed, key) {
			return key, true
		}
	}
	return "", false
}

func (r rules) allowed(readOnly bool) []string {
	if readOnly {
		return r.read
	}
	return slices.Concat(r.read, r.write)
}

func positionals(args []arg) []string {
	var out []string
	for _, a := range args {
		if a.flag == "" {
			out = append(out, a.word)
		}
	}
	return out
}

func subcommandWords(args []arg) string {
	words := positionals(args)
	return strings.Join(words[:min(2, len(words))], " ")
}

func (c command) has(flags ...string) (arg, bool) {
	for _, a := range c.args {
		if a.flag != "" && slices.Contains(flags, a.flag) {
			return a, true
		}
	}
	return arg{}, false
}

// credentialFlags would let a command reach a cluster with other credentials
// or as someone else, or reveal or replace the connection kubemcp sets up.
var credentialFlags = map[string]string{
	"token": "credentials come from kubemcp, never from arguments", "username": "credentials come from kubemcp", "password": "credentials come from kubemcp",
	"client-key": "credentials come from kubemcp", "client-certificate": "credentials come from kubemcp", "certificate-authority": "the connection is kubemcp's",
	"insecure-skip-tls-verify": "the connection is kubemcp's", "tls-server-name": "the connection is kubemcp's",
	"server": "the cluster comes from the call's context argument", "s": "the cluster comes from the call's context argument",
	"kubeconfig": "the cluster comes from the call's context argument", "context": "pass the context as the tool's context argument",
	"cluster": "the cluster comes from the call's context argument", "user": "credentials come from kubemcp",
	"as": "impersonation is not allowed", "as-group": "impersonation is not allowed", "as-uid": "impersonation is not allowed",
}

func withFlags(base map[string]string, more map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, more)
	return out
}
