package toolset

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Filter says which tools a server exposes. Tools it drops are never
// registered, so a client cannot call them whatever it sends.
type Filter struct {
	ReadOnly           bool     // keep only tools with readOnlyHint
	DisableDestructive bool     // drop tools with destructiveHint
	Toolsets           []string // only these toolsets; empty means all but the opt-in ones
	OptIn              []string // opt-in toolsets to serve besides the default ones
	Enabled            []string // only these tools; empty means all
	Disabled           []string // never these tools
	// Confirm are the tool patterns of the confirmation rules: each must
	// match a tool, or a renamed tool would silently go unconfirmed.
	Confirm []string
}

// Select returns the tools of sets that f lets through. Unknown toolset or tool
// names are errors that list the known ones, so a typo cannot silently widen
// or narrow the surface; so is a tool name two tools share, since the second
// would silently replace the first.
func Select(sets []Toolset, f Filter) ([]Tool, error) {
	tools := make([][]Tool, len(sets)) // built once: building a tool infers its schemas
	for i, ts := range sets {
		tools[i] = ts.Tools()
	}
	if err := f.validate(sets, tools); err != nil {
		return nil, err
	}
	var out []Tool
	for i, ts := range sets {
		if !f.serves(ts) {
			continue
		}
		for _, t := range tools[i] {
			if f.keeps(t) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

func (f Filter) serves(ts Toolset) bool {
	if len(f.Toolsets) > 0 {
		return slices.Contains(f.Toolsets, ts.Name())
	}
	o, ok := ts.(OptIn)
	return !ok || !o.OptIn() || slices.Contains(f.OptIn, ts.Name())
}

func (f Filter) keeps(t Tool) bool {
	a := t.Meta.Annotations
	switch {
	case f.ReadOnly && (a == nil || !a.ReadOnlyHint):
		return false
	case f.DisableDestructive && (a == nil || a.DestructiveHint == nil || *a.DestructiveHint):
		return false // the MCP default for destructiveHint is true
	case len(f.Enabled) > 0 && !slices.Contains(f.Enabled, t.Meta.Name):
		return false
	}
	return !slices.Contains(f.Disabled, t.Meta.Name)
}

func (f Filter) validate(sets []Toolset, tools [][]Tool) error {
	var setNames, toolNames []string
	var errs []error
	owner := map[string]string{} // tool name -> its toolset
	for i, ts := range sets {
		setNames = append(setNames, ts.Name())
		for _, t := range tools[i] {
			toolNames = append(toolNames, t.Meta.Name)
			if first, dup := owner[t.Meta.Name]; dup {
				errs = append(errs, fmt.Errorf("tool %q is defined twice, by toolsets %q and %q: every tool needs a name of its own", t.Meta.Name, first, ts.Name()))
			}
			owner[t.Meta.Name] = ts.Name()
		}
	}
	for _, n := range slices.Concat(f.Toolsets, f.OptIn) {
		if !slices.Contains(setNames, n) {
			errs = append(errs, fmt.Errorf("unknown toolset %q; toolsets: %s", n, strings.Join(setNames, ", ")))
		}
	}
	for _, n := range slices.Concat(f.Enabled, f.Disabled) {
		if !slices.Contains(toolNames, n) {
			errs = append(errs, fmt.Errorf("unknown tool %q; tools: %s", n, strings.Join(toolNames, ", ")))
		}
	}
	for _, p := range f.Confirm {
		if !slices.ContainsFunc(toolNames, func(n string) bool { ok, _ := path.Match(strings.ToLower(p), n); return ok }) {
			errs = append(errs, fmt.Errorf("policy.confirm names tool %q, which matches no tool; tools: %s", p, strings.Join(toolNames, ", ")))
		}
	}
	return errors.Join(errs...)
}
