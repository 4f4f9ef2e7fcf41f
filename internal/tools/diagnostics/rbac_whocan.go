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

// WhoCanIn asks who may do a verb on a resource.
type WhoCanIn struct {
	toolset.Target
	toolset.TextCap
	AccessIn
}

// Grant is one subject that a binding allows the request.
type Grant struct {
	Subject string `json:"subject" jsonschema:"user/x, group/x or serviceaccount/namespace/name"`
	Scope   string `json:"scope" jsonschema:"cluster-wide or namespace x"`
	Binding string `json:"binding"`
	Role    string `json:"role"`
}

// WhoCanOut is the structured result of rbac_who_can.
type WhoCanOut struct {
	Access  string  `json:"access" jsonschema:"the request asked about, made exact"`
	Grants  []Grant `json:"grants" jsonschema:"those the text shows"`
	Matched int     `json:"matched"`
}

func (d *Diagnostics) rbacWhoCan() toolset.Tool {
	return toolset.FanOut(d.deps, mcp.Tool{
		Name:        "rbac_who_can",
		Description: "Who may do a verb on a resource through RBAC.",
		Annotations: toolset.ReadOnly("Who can"),
	}, d.whoCan)
}

func (d *Diagnostics) whoCan(ctx context.Context, _ *mcp.CallToolRequest, in WhoCanIn) (string, WhoCanOut, error) {
	out := WhoCanOut{Grants: []Grant{}}
	kc, err := d.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	a, namespaced, err := in.resolve(kc)
	if err != nil {
		return "", out, err
	}
	out.Access = a.String()
	ns := ""
	if namespaced {
		ns = in.Namespace
	}
	state, err := readRBAC(ctx, kc, ns)
	if err != nil {
		return "", out, err
	}
	all := grants(state, a, namespaced)
	out.Matched = len(all)
	where := fmt.Sprintf(" in namespace %q", ns)
	switch {
	case ns == "" && namespaced:
		where = " in some namespace or all"
	case ns == "":
		where = ""
	}
	head := fmt.Sprintf("Who may %s%s through RBAC bindings (%s):\n", out.Access, where, plural(len(all), "grant"))
	tail := "Besides these, members of group system:masters may do anything without RBAC, and other authorizers (Node, webhooks) are not consulted here.\n"
	if len(all) == 0 {
		return fmt.Sprintf("No RBAC binding lets anyone %s%s.\n", out.Access, where) + tail, out, nil
	}
	t := render.Table{Header: []string{"SUBJECT", "SCOPE", "BINDING", "ROLE"}}
	for _, g := range all {
		t.Rows = append(t.Rows, []string{g.Subject, g.Scope, g.Binding, g.Role})
	}
	text, shown := t.Fit(d.deps.Budget(in.TextCap)-len(head)-len(tail), "Narrow with namespace or name.")
	out.Grants = all[:shown]
	return head + text + tail, out, nil
}

// grants are the subjects of every binding whose role allows a. Where the
// resource is cluster-scoped (or a URL path), RoleBindings cannot grant it.
func grants(s *rbacState, a access, namespaced bool) []Grant {
	var out []Grant
	for _, b := range s.bindings() {
		if b.namespace != "" && !namespaced {
			continue
		}
		if !slices.ContainsFunc(s.rules(b.role, b.namespace), func(r rbacv1.PolicyRule) bool { return allows(r, a) }) {
			continue
		}
		for _, sub := range b.subjects {
			out = append(out, Grant{Subject: subjectName(sub, b.namespace), Scope: b.scope(), Binding: b.String(), Role: b.roleName()})
		}
	}
	slices.SortStableFunc(out, func(x, y Grant) int {
		return cmp.Or(cmp.Compare(systemRank(x.Subject), systemRank(y.Subject)),
			cmp.Compare(x.Subject, y.Subject), cmp.Compare(x.Scope, y.Scope), cmp.Compare(x.Binding, y.Binding))
	})
	return out
}

// systemRank puts people and workloads first, then the administrators'
// group, then the cluster's own components, which every cluster has.
func systemRank(subject string) int {
	switch {
	case subject == "group/system:masters":
		return 1
	case strings.Contains(subject, "/system:") || strings.HasPrefix(subject, "serviceaccount/kube-system/"):
		return 2
	}
	return 0
}

// subjectName spells a binding's subject as kind/name.
func subjectName(s rbacv1.Subject, bindingNS string) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return "serviceaccount/" + cmp.Or(s.Namespace, bindingNS) + "/" + s.Name
	}
	return strings.ToLower(s.Kind) + "/" + s.Name
}
