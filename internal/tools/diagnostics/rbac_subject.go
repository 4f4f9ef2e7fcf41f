package diagnostics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// SubjectPermissionsIn names whose permissions to list.
type SubjectPermissionsIn struct {
	toolset.Target
	toolset.TextCap
	SubjectIn
	Namespace string `json:"namespace,omitempty" jsonschema:"only grants that apply here"`
}

// Permission is what one or more rules grant in one scope, verbs merged.
type Permission struct {
	Scope         string   `json:"scope" jsonschema:"cluster-wide or namespace x"`
	Verbs         []string `json:"verbs"`
	Resources     []string `json:"resources" jsonschema:"resource.group[/subresource], or URL paths"`
	ResourceNames []string `json:"resource_names,omitempty" jsonschema:"only these objects"`
	Via           []string `json:"via" jsonschema:"binding -> role, and the group it came through"`
}

// SubjectPermissionsOut is the structured result of rbac_subject_permissions.
type SubjectPermissionsOut struct {
	Subject     string       `json:"subject"`
	Permissions []Permission `json:"permissions" jsonschema:"those the text shows"`
	Matched     int          `json:"matched"`
	Bindings    []string     `json:"bindings" jsonschema:"every binding that names the subject or its groups"`
}

func (d *Diagnostics) rbacSubjectPermissions() toolset.Tool {
	return toolset.FanOut(d.deps, mcp.Tool{
		Name:        "rbac_subject_permissions",
		Description: "What a user, group or service account may do through RBAC, per namespace.",
		Annotations: toolset.ReadOnly("Subject permissions"),
	}, d.subjectPermissions)
}

func (d *Diagnostics) subjectPermissions(ctx context.Context, _ *mcp.CallToolRequest, in SubjectPermissionsIn) (string, SubjectPermissionsOut, error) {
	out := SubjectPermissionsOut{Permissions: []Permission{}, Bindings: []string{}}
	who, desc, err := in.subject()
	if err != nil {
		return "", out, err
	}
	out.Subject = desc
	kc, err := d.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	state, err := readRBAC(ctx, kc, in.Namespace)
	if err != nil {
		return "", out, err
	}
	all, bindings := permissions(state, who)
	out.Matched, out.Bindings = len(all), bindings
	tail := "Members of group system:masters may do anything without RBAC; other authorizers (Node, webhooks) are not consulted here. " +
		"rbac_can_i asks the apiserver itself.\n"
	if len(all) == 0 {
		return fmt.Sprintf("No RBAC binding%s grants %s anything.\n", inNamespace(in.Namespace), desc) + tail, out, nil
	}
	head := fmt.Sprintf("What %s may do through %s%s:\n", desc, plural(len(bindings), "binding"), inNamespace(in.Namespace))
	t := render.Table{Header: []string{"SCOPE", "VERBS", "RESOURCES", "NAMES", "VIA"}}
	for _, p := range all {
		t.Rows = append(t.Rows, []string{p.Scope, strings.Join(p.Verbs, ","), strings.Join(p.Resources, ", "),
			cmp.Or(strings.Join(p.ResourceNames, ","), "*"), strings.Join(p.Via, "; ")})
	}
	text, shown := t.Fit(d.deps.Budget(in.TextCap)-len(head)-len(tail), "Narrow with namespace.")
	out.Permissions = all[:shown]
	return head + text + tail, out, nil
}

func inNamespace(ns string) string {
	if ns == "" {
		return ""
	}
	return fmt.Sprintf(" in namespace %q", ns)
}

// permissions merges the rules of every binding that names who: one
// permission for each scope and set of resources, with the verbs of all.
func permissions(s *rbacState, who subject) ([]Permission, []string) {
	var out []Permission
	var bindings []string
	for _, b := range s.bindings() {
		i := slices.IndexFunc(b.subjects, who.boundTo)
		if i < 0 {
			continue
		}
		bindings = append(bindings, b.String())
		via := b.String() + " -> " + b.roleName()
		if sub := b.subjects[i]; sub.Kind == rbacv1.GroupKind {
			via += " (group " + sub.Name + ")"
		}
		for _, r := range s.rules(b.role, b.namespace) {
			out = merge(out, Permission{Scope: b.scope(), Verbs: slices.Clone(r.Verbs), Resources: ruleResources(r),
				ResourceNames: slices.Clone(r.ResourceNames), Via: []string{via}})
		}
	}
	slices.SortStableFunc(out, func(a, b Permission) int {
		return cmp.Or(cmp.Compare(scopeRank(a.Scope), scopeRank(b.Scope)), cmp.Compare(a.Scope, b.Scope),
			slices.Compare(a.Resources, b.Resources))
	})
	return out, bindings
}

func scopeRank(scope string) int {
	if scope == "cluster-wide" {
		return 0
	}
	return 1
}

// merge adds p to ps, joining the permission with the same scope, resources
// and names.
func merge(ps []Permission, p Permission) []Permission {
	for i, q := range ps {
		if q.Scope == p.Scope && slices.Equal(q.Resources, p.Resources) && slices.Equal(q.ResourceNames, p.ResourceNames) {
			ps[i].Verbs = union(q.Verbs, p.Verbs)
			ps[i].Via = union(q.Via, p.Via)
			return ps
		}
	}
	p.Verbs = union(nil, p.Verbs)
	return append(ps, p)
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// ruleResources spells a rule's resources as kubectl does:
// deployments.apps, pods/log, or the URL paths of a non-resource rule.
func ruleResources(r rbacv1.PolicyRule) []string {
	if len(r.NonResourceURLs) > 0 {
		return slices.Sorted(slices.Values(r.NonResourceURLs))
	}
	var out []string
	for _, g := range r.APIGroups {
		for _, res := range r.Resources {
			base, sub, hasSub := strings.Cut(res, "/")
			if g != "" {
				base += "." + g
			}
			if hasSub {
				base += "/" + sub
			}
			out = append(out, base)
		}
	}
	slices.Sort(out)
	return out
}
