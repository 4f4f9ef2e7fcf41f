package diagnostics

import (
	"context"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// access is one request as RBAC sees it: a verb on a resource (with its
// subresource and name), or on a non-resource URL path.
type access struct {
	verb, group, resource, subresource, name string
	path                                     string // non-resource URL, e.g. /healthz
}

func (a access) String() string {
	if a.path != "" {
		return a.verb + " " + a.path
	}
	s := a.resource
	if a.group != "" {
		s += "." + a.group
	}
	if a.subresource != "" {
		s += "/" + a.subresource
	}
	if a.name != "" {
		s += " " + a.name
	}
	return a.verb + " " + s
}

// allows is RBAC's own rule match (k8s.io/component-helpers/auth/rbac/validation).
func allows(r rbacv1.PolicyRule, a access) bool {
	if !matchesOrStar(r.Verbs, a.verb) {
		return false
	}
	if a.path != "" {
		return slices.ContainsFunc(r.NonResourceURLs, func(u string) bool {
			return u == rbacv1.NonResourceAll || u == a.path || strings.HasSuffix(u, "*") && strings.HasPrefix(a.path, strings.TrimSuffix(u, "*"))
		})
	}
	return matchesOrStar(r.APIGroups, a.group) && resourceMatches(r.Resources, a) && (len(r.ResourceNames) == 0 || slices.Contains(r.ResourceNames, a.name))
}

func matchesOrStar(list []string, s string) bool {
	return slices.Contains(list, s) || slices.Contains(list, "*")
}

func resourceMatches(resources []string, a access) bool {
	combined := a.resource
	if a.subresource != "" {
		combined += "/" + a.subresource
	}
	return slices.ContainsFunc(resources, func(r string) bool {
		return r == rbacv1.ResourceAll || r == combined || a.subresource != "" && r == "*/"+a.subresource
	})
}

// rbacState is every Role, ClusterRole and binding the scan could read.
type rbacState struct {
	clusterRoles        []rbacv1.ClusterRole
	clusterRoleBindings []rbacv1.ClusterRoleBinding
	roles               []rbacv1.Role
	roleBindings        []rbacv1.RoleBinding
}

// readRBAC lists the cluster's roles and bindings, the namespaced ones in ns
// (all namespaces if empty). RBAC questions need all of them: a refusal is
// the error.
func readRBAC(ctx context.Context, kc *kube.Client, ns string) (*rbacState, error) {
	s := &rbacState{}
	api := kc.Typed.RbacV1()
	refused, err := runReads(ctx, map[string]func(context.Context) error{
		"clusterroles": into(&s.clusterRoles, api.ClusterRoles().List, func(l *rbacv1.ClusterRoleList) []rbacv1.ClusterRole { return l.Items }),
		"clusterrolebindings": into(&s.clusterRoleBindings, api.ClusterRoleBindings().List,
			func(l *rbacv1.ClusterRoleBindingList) []rbacv1.ClusterRoleBinding { return l.Items }),
		"roles":        into(&s.roles, api.Roles(ns).List, func(l *rbacv1.RoleList) []rbacv1.Role { return l.Items }),
		"rolebindings": into(&s.roleBindings, api.RoleBindings(ns).List, func(l *rbacv1.RoleBindingList) []rbacv1.RoleBinding { return l.Items }),
	})
	if err != nil {
		return nil, err
	}
	if len(refused) > 0 {
		r := refused[0]
		return nil, toolset.Explain(r.err, toolset.Op{Verb: "list", Resource: r.resource + ".rbac.authorization.k8s.io", Namespace: ns})
	}
	return s, nil
}

// rules are what a binding's role grants. An aggregated ClusterRole grants
// the rules of the ClusterRoles its selectors match, whether or not a
// controller has copied them into it yet.
func (s *rbacState) rules(ref rbacv1.RoleRef, ns string) []rbacv1.PolicyRule {
	if ref.Kind == "Role" {
		for _, r := range s.roles {
			if r.Namespace == ns && r.Name == ref.Name {
				return r.Rules
			}
		}
		return nil
	}
	return s.clusterRoleRules(ref.Name, map[string]bool{})
}

func (s *rbacState) clusterRoleRules(name string, seen map[string]bool) []rbacv1.PolicyRule {
	if seen[name] {
		return nil
	}
	seen[name] = true
	i := slices.IndexFunc(s.clusterRoles, func(r rbacv1.ClusterRole) bool { return r.Name == name })
	if i < 0 {
		return nil
	}
	role := s.clusterRoles[i]
	rules := slices.Clone(role.Rules)
	if role.AggregationRule == nil {
		return rules
	}
	for _, ls := range role.AggregationRule.ClusterRoleSelectors {
		sel, err := metav1.LabelSelectorAsSelector(&ls)
		if err != nil {
			continue
		}
		for _, other := range s.clusterRoles {
			if other.Name != name && sel.Matches(labels.Set(other.Labels)) {
				rules = append(rules, s.clusterRoleRules(other.Name, seen)...)
			}
		}
	}
	return rules
}

// binding is a RoleBinding or ClusterRoleBinding, as one shape.
type binding struct {
	namespace, name string // namespace empty for a ClusterRoleBinding
	subjects        []rbacv1.Subject
	role            rbacv1.RoleRef
}

func (b binding) String() string {
	if b.namespace == "" {
		return "clusterrolebinding/" + b.name
	}
	return "rolebinding/" + b.namespace + "/" + b.name
}

// scope is where a binding's grant applies.
func (b binding) scope() string {
	if b.namespace == "" {
		return "cluster-wide"
	}
	return "namespace " + b.namespace
}

func (b binding) roleName() string { return strings.ToLower(b.role.Kind) + "/" + b.role.Name }

func (s *rbacState) bindings() []binding {
	var out []binding
	for _, b := range s.clusterRoleBindings {
		out = append(out, binding{"", b.Name, b.Subjects, b.RoleRef})
	}
	for _, b := range s.roleBindings {
		out = append(out, binding{b.Namespace, b.Name, b.Subjects, b.RoleRef})
	}
	return out
}

// subject is who an RBAC question is about: a user with groups, or a
// service account (which is a user and groups too).
type subject struct {
	user   string
	groups []string
}

// boundTo says whether binding subject bs names who.
func (who subject) boundTo(bs rbacv1.Subject) bool {
	switch bs.Kind {
	case rbacv1.UserKind:
		return who.user != "" && bs.Name == who.user
	case rbacv1.GroupKind:
		return slices.Contains(who.groups, bs.Name)
	case rbacv1.ServiceAccountKind:
		return who.user == serviceAccountUser(bs.Namespace, bs.Name)
	}
	return false
}

func serviceAccountUser(ns, name string) string { return "system:serviceaccount:" + ns + ":" + name }
