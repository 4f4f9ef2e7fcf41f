package diagnostics

import (
	"context"
	"slices"
	"strings"
	"testing"

	authv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// rbacWorld gives bob a Role that reads pods in ns, and an aggregated
// ClusterRole (whose rules no controller fills in here) that reads widgets;
// the service account ns/builder may update deployments' scale.
func rbacWorld(t *testing.T) string {
	t.Helper()
	ns := toolsettest.Namespace(t, "")
	rbac := admin().RbacV1()
	ctx := context.Background()
	agg, widgets := toolsettest.Name(t, "agg-"), toolsettest.Name(t, "widgets-")
	label := map[string]string{"diag.kubemcp.io/aggregate-to-" + agg[:min(len(agg), 40)]: "true"}
	_, err := rbac.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: agg},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: label}}}}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	_, err = rbac.ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: widgets, Labels: label},
		Rules: []rbacv1.PolicyRule{rbacRule("example.kubemcp.io", "widgets", "get")}}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	t.Cleanup(func() {
		_ = rbac.ClusterRoles().Delete(ctx, agg, metav1.DeleteOptions{})
		_ = rbac.ClusterRoles().Delete(ctx, widgets, metav1.DeleteOptions{})
	})
	role := func(name string, rules ...rbacv1.PolicyRule) {
		_, err := rbac.Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{})
		toolsettest.Must(t, err)
	}
	bind := func(name string, ref rbacv1.RoleRef, subjects ...rbacv1.Subject) {
		_, err := rbac.RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subjects, RoleRef: ref}, metav1.CreateOptions{})
		toolsettest.Must(t, err)
	}
	bob := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob"}
	role("pod-reader", rbacRule("", "pods", "get", "list"), rbacRule("", "pods/log", "get"), rbacRule("", "nodes", "delete"))
	bind("bob-reads-pods", rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "pod-reader"}, bob)
	bind("bob-reads-widgets", rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: agg}, bob)
	role("scaler", rbacRule("apps", "deployments/scale", "update", "patch"))
	bind("builder-scales", rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "scaler"},
		rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "builder", Namespace: ns})
	toolsettest.Must(t, env.WaitAllowed(ctx, bob, authv1.ResourceAttributes{Namespace: ns, Verb: "get", Resource: "pods", Subresource: "log"}))
	toolsettest.Must(t, env.WaitAllowed(ctx, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "builder", Namespace: ns},
		authv1.ResourceAttributes{Namespace: ns, Verb: "update", Group: "apps", Resource: "deployments", Subresource: "scale"}))
	return ns
}

func TestRBACCanI(t *testing.T) {
	ns := rbacWorld(t)
	cs := toolsettest.Serve(t, New)
	alice := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
	tests := []struct {
		name    string
		session *toolsettest.Session
		args    map[string]any
		allowed bool
		want    []string
	}{
		{"admin may", cs, map[string]any{"verb": "delete", "resource": "pods", "namespace": "shop"}, true,
			[]string{`yes: you (the identity kubemcp uses) may delete pods in namespace "shop".`}},
		{"alice may not", alice, map[string]any{"verb": "list", "resource": "po", "namespace": "shop"}, false,
			[]string{`no: you (the identity kubemcp uses) may not list pods in namespace "shop".`, `rbac_who_can {"verb":"list","resource":"po","namespace":"shop"}`}},
		{"alice, every namespace", alice, map[string]any{"verb": "list", "resource": "pods"}, false, []string{"may not list pods in every namespace."}},
		{"admin asks about alice", cs, map[string]any{"verb": "list", "resource": "pods", "namespace": ns, "user": "alice", "groups": []string{"team-a"}}, false,
			[]string{`no: user "alice" (groups team-a, system:authenticated) may not list pods in namespace "` + ns + `".`}},
		{"admin asks about bob", cs, map[string]any{"verb": "get", "resource": "pods/log", "namespace": ns, "name": "web-1", "user": "bob"}, true,
			[]string{`yes: user "bob" (groups system:authenticated) may get pods/log web-1 in namespace "` + ns + `".`, `Why: RBAC: allowed by RoleBinding "bob-reads-pods/` + ns + `" of Role "pod-reader" to User "bob"`}},
		{"bob through an aggregated role", cs, map[string]any{"verb": "get", "resource": "widgets", "namespace": ns, "user": "bob"}, false,
			[]string{"no: ", "may not get widgets.example.kubemcp.io"}}, // the apiserver reads the role's rules, which no controller filled in here
		{"service account", cs, map[string]any{"verb": "update", "resource": "deploy/scale", "namespace": ns, "service_account": ns + "/builder"}, true,
			[]string{"yes: service account " + ns + "/builder may update deployments.apps/scale in namespace"}},
		{"url path", cs, map[string]any{"verb": "get", "resource": "/healthz", "user": "carol"}, true, []string{`yes: user "carol" (groups system:authenticated) may get /healthz.`}},
		{"cluster-scoped", cs, map[string]any{"verb": "delete", "resource": "nodes", "namespace": ns, "user": "bob"}, false, []string{"may not delete nodes."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out CanIOut
			text := tt.session.OK(t, "rbac_can_i", tt.args, &out)
			toolsettest.Want(t, text, tt.want...)
			if out.Allowed != tt.allowed {
				t.Errorf("allowed %v, want %v", out.Allowed, tt.allowed)
			}
		})
	}
	for _, tt := range []struct {
		name    string
		session *toolsettest.Session
		args    map[string]any
		want    []string
	}{
		{"alice asks about bob", alice, map[string]any{"verb": "get", "resource": "pods", "namespace": ns, "user": "bob"},
			[]string{`cannot ask about user "bob"`, "creating subjectaccessreviews.authorization.k8s.io", "Kubernetes RBAC does not allow that", "rbac_subject_permissions"}},
		{"unknown resource", cs, map[string]any{"verb": "get", "resource": "podz"}, []string{`no resource called "podz"`, "pods"}},
		{"no verb", cs, map[string]any{"resource": "pods"}, []string{`missing properties: ["verb"]`}},
		{"user and service account", cs, map[string]any{"verb": "get", "resource": "pods", "user": "a", "service_account": "b/c"}, []string{"not both"}},
		{"bad service account", cs, map[string]any{"verb": "get", "resource": "pods", "service_account": "builder"}, []string{"want namespace/name"}},
	} {
		t.Run(tt.name, func(t *testing.T) { toolsettest.Want(t, tt.session.Fails(t, "rbac_can_i", tt.args), tt.want...) })
	}
	t.Run("read-only", func(t *testing.T) {
		ro := toolsettest.ServeWith(t, toolsettest.Options{ReadOnly: true}, New)
		ro.OK(t, "rbac_can_i", map[string]any{"verb": "get", "resource": "pods"}, nil)
		toolsettest.Want(t, ro.Fails(t, "rbac_can_i", map[string]any{"verb": "get", "resource": "pods", "user": "bob"}),
			`cannot ask about user "bob"`, "kubemcp's policy refuses it")
	})
}

func TestRBACWhoCan(t *testing.T) {
	ns := rbacWorld(t)
	cs := toolsettest.Serve(t, New)
	agg := toolsettest.Name(t, "agg-")
	tests := []struct {
		name  string
		args  map[string]any
		want  []Grant
		lacks []string
	}{
		{"role", map[string]any{"verb": "list", "resource": "pods", "namespace": ns}, []Grant{
			{"user/bob", "namespace " + ns, "rolebinding/" + ns + "/bob-reads-pods", "role/pod-reader"},
			{"group/system:masters", "cluster-wide", "clusterrolebinding/cluster-admin", "clusterrole/cluster-admin"}}, nil},
		{"aggregated role", map[string]any{"verb": "get", "resource": "widgets", "namespace": ns}, []Grant{
			{"user/bob", "namespace " + ns, "rolebinding/" + ns + "/bob-reads-widgets", "clusterrole/" + agg}}, nil},
		{"service account and subresource", map[string]any{"verb": "patch", "resource": "deployments/scale", "namespace": ns}, []Grant{
			{"serviceaccount/" + ns + "/builder", "namespace " + ns, "rolebinding/" + ns + "/builder-scales", "role/scaler"}}, []string{"user/bob"}},
		{"every namespace", map[string]any{"verb": "get", "resource": "pods/log"}, []Grant{
			{"user/bob", "namespace " + ns, "rolebinding/" + ns + "/bob-reads-pods", "role/pod-reader"}}, nil},
		{"cluster-scoped: roles cannot grant it", map[string]any{"verb": "delete", "resource": "nodes", "namespace": ns}, nil, []string{"user/bob"}},
		{"other namespace", map[string]any{"verb": "list", "resource": "pods", "namespace": "shop"}, nil, []string{"user/bob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out WhoCanOut
			text := cs.OK(t, "rbac_who_can", tt.args, &out)
			for _, g := range tt.want {
				if !slices.Contains(out.Grants, g) {
					t.Errorf("no grant %+v in %+v", g, out.Grants)
				}
				wantLine(t, text, g.Subject, g.Scope, g.Binding, g.Role)
			}
			toolsettest.WantNone(t, text, tt.lacks...)
			if len(tt.want) > 0 && out.Grants[0].Subject != tt.want[0].Subject {
				t.Errorf("first grant %+v, want %+v: people and workloads before the cluster's own", out.Grants[0], tt.want[0])
			}
			toolsettest.Want(t, text, "Who may ", "system:masters may do anything")
		})
	}
	toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New).Call(t, "rbac_who_can", map[string]any{"verb": "get", "resource": "pods", "namespace": ns}).
		Expect(t, true, "forbidden", "rbac.authorization.k8s.io")
}

func TestRBACSubjectPermissions(t *testing.T) {
	ns := rbacWorld(t)
	cs := toolsettest.Serve(t, New)
	agg := toolsettest.Name(t, "agg-")
	var out SubjectPermissionsOut
	text := cs.OK(t, "rbac_subject_permissions", map[string]any{"user": "bob"}, &out)
	scope := "namespace " + ns
	wantLine(t, text, scope, "get,list", "pods ", "rolebinding/"+ns+"/bob-reads-pods -> role/pod-reader")
	wantLine(t, text, scope, "get", "pods/log")
	wantLine(t, text, scope, "delete", "nodes")
	wantLine(t, text, scope, "get", "widgets.example.kubemcp.io", "rolebinding/"+ns+"/bob-reads-widgets -> clusterrole/"+agg)
	wantLine(t, text, "cluster-wide", "create", "selfsubjectaccessreviews.authorization.k8s.io", "(group system:authenticated)")
	toolsettest.Want(t, text, `What user "bob" (groups system:authenticated) may do through`)
	if !slices.Contains(out.Bindings, "rolebinding/"+ns+"/bob-reads-pods") || out.Matched != len(out.Permissions) {
		t.Errorf("bindings %v, matched %d of %d", out.Bindings, out.Matched, len(out.Permissions))
	}
	if out.Permissions[0].Scope != "cluster-wide" {
		t.Errorf("cluster-wide grants do not come first: %+v", out.Permissions[0])
	}

	text = cs.OK(t, "rbac_subject_permissions", map[string]any{"service_account": ns + "/builder"}, nil)
	wantLine(t, text, scope, "patch,update", "deployments.apps/scale", "role/scaler")
	toolsettest.Want(t, text, "(group system:serviceaccounts)")

	text = cs.OK(t, "rbac_subject_permissions", map[string]any{"user": "bob", "namespace": "shop"}, nil)
	toolsettest.WantNone(t, text, ns)
	cs.Call(t, "rbac_subject_permissions", map[string]any{"groups": []string{"team-z"}}).Expect(t, false, "No RBAC binding grants group team-z anything.")
	cs.Call(t, "rbac_subject_permissions", map[string]any{}).Expect(t, true, "name a user, groups or a service_account")
	toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New).Call(t, "rbac_subject_permissions", map[string]any{"user": "bob"}).
		Expect(t, true, "forbidden")
}

// TestRuleMatching is RBAC's own matching, case by case.
func TestRuleMatching(t *testing.T) {
	pods := access{verb: "get", resource: "pods"}
	for _, tt := range []struct {
		rule rbacv1.PolicyRule
		a    access
		want bool
	}{
		{rbacRule("", "pods", "get"), pods, true},
		{rbacRule("", "pods", "list"), pods, false},
		{rbacRule("apps", "pods", "get"), pods, false},
		{rbacRule("*", "*", "*"), pods, true},
		{rbacRule("", "pods", "get"), access{verb: "get", resource: "pods", subresource: "log"}, false},
		{rbacRule("", "*/log", "get"), access{verb: "get", resource: "pods", subresource: "log"}, true},
		{rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get"}, ResourceNames: []string{"a"}}, access{verb: "get", resource: "pods", name: "b"}, false},
		{rbacv1.PolicyRule{NonResourceURLs: []string{"/healthz/*"}, Verbs: []string{"get"}}, access{verb: "get", path: "/healthz/etcd"}, true},
		{rbacv1.PolicyRule{NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}}, access{verb: "get", path: "/livez"}, false},
	} {
		if got := allows(tt.rule, tt.a); got != tt.want {
			t.Errorf("allows(%+v, %s) = %v, want %v", tt.rule, tt.a, got, tt.want)
		}
	}
	if got := ruleResources(rbacRule("apps", "deployments/scale", "get")); !slices.Equal(got, []string{"deployments.apps/scale"}) || !strings.HasSuffix(got[0], "/scale") {
		t.Errorf("ruleResources = %v", got)
	}
}
