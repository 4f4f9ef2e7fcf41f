package console

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kubemcp/kubemcp/internal/identity"
)

// facts are what identity rules match on: who the provider says signed in.
type facts struct {
	githubUser  string
	githubOrgs  []string
	githubTeams []string // ORG/TEAM-SLUG
	oidcSubject string
	oidcGroups  []string
}

// Rule maps who signed in to whom they reach Kubernetes as, written
// SOURCE:VALUE=TARGET:VALUE[,TARGET:VALUE...]: the sources are
// github-user:LOGIN, github-org:ORG, github-team:ORG/TEAM,
// oidc-subject:SUB and oidc-group:GROUP; the targets user:NAME (the
// Kubernetes user, in place of the default) and group:NAME (a group added).
// For example github-team:acme/sre=group:sre-admins.
type Rule struct {
	source, value string
	user          string
	groups        []string
}

var ruleSources = []string{"github-user", "github-org", "github-team", "oidc-subject", "oidc-group"}

// ParseRules reads rules written as Rule says; an error names each bad one.
func ParseRules(specs []string) ([]Rule, error) {
	var rules []Rule
	var errs []error
	for _, spec := range specs {
		r, err := parseRule(spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("identity rule %q: %w", spec, err))
			continue
		}
		rules = append(rules, r)
	}
	return rules, errors.Join(errs...)
}

func parseRule(spec string) (Rule, error) {
	match, targets, ok := strings.Cut(spec, "=")
	source, value, ok2 := strings.Cut(match, ":")
	if !ok || !ok2 || value == "" {
		return Rule{}, errors.New("want SOURCE:VALUE=TARGET:VALUE, e.g. github-team:acme/sre=group:sre")
	}
	if !slices.Contains(ruleSources, source) {
		return Rule{}, fmt.Errorf("source %q: want one of %s", source, strings.Join(ruleSources, ", "))
	}
	r := Rule{source: source, value: value}
	for _, t := range strings.Split(targets, ",") {
		kind, name, _ := strings.Cut(t, ":")
		switch {
		case name == "":
			return Rule{}, fmt.Errorf("target %q: want user:NAME or group:NAME", t)
		case kind == "user":
			r.user = name
		case kind == "group":
			r.groups = append(r.groups, name)
		default:
			return Rule{}, fmt.Errorf("target %q: want user:NAME or group:NAME", t)
		}
	}
	return r, nil
}

func (r Rule) matches(f facts) bool {
	switch r.source {
	case "github-user":
		return f.githubUser != "" && r.value == f.githubUser
	case "github-org":
		return slices.Contains(f.githubOrgs, r.value)
	case "github-team":
		return slices.Contains(f.githubTeams, r.value)
	case "oidc-subject":
		return f.oidcSubject != "" && r.value == f.oidcSubject
	case "oidc-group":
		return slices.Contains(f.oidcGroups, r.value)
	}
	return false
}

// mapIdentity applies rules in order to the account's default identity:
// each that matches adds its groups, and the last that matches with a user
// names the user.
func mapIdentity(rules []Rule, a account) identity.Identity {
	id := identity.Identity{User: a.kube.User, Groups: slices.Clone(a.kube.Groups)}
	for _, r := range rules {
		if !r.matches(a.facts) {
			continue
		}
		if r.user != "" {
			id.User = r.user
		}
		for _, g := range r.groups {
			if !slices.Contains(id.Groups, g) {
				id.Groups = append(id.Groups, g)
			}
		}
	}
	return id
}
