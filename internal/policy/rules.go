package policy

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Rule matches Kubernetes requests. An empty list matches everything; "*"
// does too. Names may be shell-style patterns ("kube-*").
type Rule struct {
	Name       string   `json:"name,omitempty"`       // shown when the rule refuses a call
	Verbs      []string `json:"verbs,omitempty"`      // get list watch create update patch delete deletecollection; "read" and "write" name those groups
	APIGroups  []string `json:"apiGroups,omitempty"`  // "" or "core" is the core group
	Versions   []string `json:"versions,omitempty"`   // e.g. v1
	Kinds      []string `json:"kinds,omitempty"`      // e.g. Secret
	Resources  []string `json:"resources,omitempty"`  // plural, optionally with subresource: pods/exec
	Namespaces []string `json:"namespaces,omitempty"` // namespaces the rule covers; cluster-scoped objects are in none
}

// Config is the policy part of kubemcp's configuration.
type Config struct {
	// ReadOnly lets only get, list and watch (and the caller's own access
	// reviews) reach the apiserver.
	ReadOnly bool `json:"-"`
	// Deny refuses every request that a rule matches.
	Deny []Rule `json:"deny,omitempty"`
	// Allow, when not empty, refuses every request that no rule matches.
	Allow []Rule `json:"allow,omitempty"`
	// Confirm names the tool calls that need a person's confirmation: the
	// server dry-runs them and shows the diff first.
	Confirm []ConfirmRule `json:"confirm,omitempty"`
}

// ConfirmRule matches tool calls by tool name, kind and namespace; an empty
// list matches everything, "*" and shell patterns work as in Rule.
type ConfirmRule struct {
	Tools      []string `json:"tools,omitempty"`
	Kinds      []string `json:"kinds,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
}

// Covers reports whether the rule names a call of tool on kind in namespace.
// A kind or namespace of "*" (a call that may act on any) is covered by
// every rule, so what kubemcp cannot tell never escapes one.
func (r ConfirmRule) Covers(tool, kind, namespace string) bool {
	return matchFold(r.Tools, tool) && (kind == "*" || matchFold(r.Kinds, kind)) && (namespace == "*" || matchFold(r.Namespaces, namespace))
}

// Validate reports every malformed rule at once.
func (c Config) Validate() error {
	var errs []error
	for i, r := range c.Deny {
		errs = append(errs, r.validate(fmt.Sprintf("policy.deny[%d]", i)))
	}
	for i, r := range c.Allow {
		errs = append(errs, r.validate(fmt.Sprintf("policy.allow[%d]", i)))
	}
	for i, r := range c.Confirm {
		// A bad pattern matches nothing: the call would go unconfirmed.
		errs = append(errs, CheckPatterns(fmt.Sprintf("policy.confirm[%d]", i), r.Tools, r.Kinds, r.Namespaces))
	}
	return errors.Join(errs...)
}

var knownVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "read", "write", "*"}

func (r Rule) validate(where string) error {
	var errs []error
	for _, v := range r.Verbs {
		if !slices.Contains(knownVerbs, v) {
			errs = append(errs, fmt.Errorf("%s: verb %q: want one of %s", where, v, strings.Join(knownVerbs, ", ")))
		}
	}
	errs = append(errs, CheckPatterns(where, r.APIGroups, r.Versions, r.Kinds, r.Resources, r.Namespaces))
	return errors.Join(errs...)
}

// CheckPatterns says which of the name patterns (path.Match syntax) given for
// where are malformed. Policy rules and the cluster include and exclude lists
// use the same patterns.
func CheckPatterns(where string, lists ...[]string) error {
	var errs []error
	for _, list := range lists {
		for _, p := range list {
			if _, err := path.Match(p, ""); err != nil {
				errs = append(errs, fmt.Errorf("%s: pattern %q: %w (patterns use *, ? and [a-z])", where, p, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (r Rule) label() string {
	if r.Name != "" {
		return fmt.Sprintf("%q", r.Name)
	}
	var parts []string
	for _, f := range []struct {
		key  string
		vals []string
	}{{"verbs", r.Verbs}, {"apiGroups", r.APIGroups}, {"versions", r.Versions}, {"kinds", r.Kinds}, {"resources", r.Resources}, {"namespaces", r.Namespaces}} {
		if len(f.vals) > 0 {
			parts = append(parts, f.key+"="+strings.Join(f.vals, ","))
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// readVerbs are the verbs that never change anything.
var readVerbs = []string{"get", "list", "watch"}

func isRead(verb string) bool { return slices.Contains(readVerbs, verb) }

func (r Rule) matchVerb(verb string) bool {
	if len(r.Verbs) == 0 {
		return true
	}
	for _, v := range r.Verbs {
		if v == verb || v == "*" || v == "read" && isRead(verb) || v == "write" && !isRead(verb) {
			return true
		}
	}
	return false
}

// matches reports whether the rule covers req. For a deny rule, a request that
// might reach a covered object (a list across all namespaces, say) counts as
// covered; for an allow rule it must lie wholly inside.
func (r Rule) matches(req Request, deny bool) bool {
	if !r.matchVerb(req.Verb) {
		return false
	}
	if req.NonResource {
		// Discovery and /version carry no objects; a rule naming objects does not cover them.
		return len(r.APIGroups)+len(r.Versions)+len(r.Kinds)+len(r.Resources)+len(r.Namespaces) == 0
	}
	group := req.Group
	if group == "" {
		group = "core"
	}
	resource := req.Resource
	if req.Subresource != "" {
		resource += "/" + req.Subresource
	}
	return matchAny(r.APIGroups, group, req.Group) &&
		matchAny(r.Versions, req.Version) &&
		r.matchKind(req.Kind, deny) &&
		(matchAny(r.Resources, resource) || req.Subresource != "" && matchAny(r.Resources, req.Resource)) &&
		r.matchNamespace(req, deny)
}

// matchKind compares kinds without regard to case ("secret" names Secret). A
// request whose kind the cluster could not tell is covered by a deny rule that
// names kinds (fail closed) and by no allow rule that does.
func (r Rule) matchKind(kind string, deny bool) bool {
	if len(r.Kinds) > 0 && kind == "" {
		return deny
	}
	return matchFold(r.Kinds, kind)
}

func (r Rule) matchNamespace(req Request, deny bool) bool {
	if len(r.Namespaces) == 0 {
		return true
	}
	if req.Namespace == "" {
		// Cluster-scoped objects are in no namespace. A request across all
		// namespaces may reach the covered ones: deny covers it, allow does not.
		return deny && req.Namespaced
	}
	return matchAny(r.Namespaces, req.Namespace)
}

// matchFold is matchAny of one value, ignoring case.
func matchFold(patterns []string, value string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(value)); ok || p == "*" {
			return true
		}
	}
	return false
}

// matchAny reports whether any pattern matches any of the values; no patterns match all.
func matchAny(patterns []string, values ...string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		for _, v := range values {
			if ok, _ := path.Match(p, v); ok || p == "*" {
				return true
			}
		}
	}
	return false
}
