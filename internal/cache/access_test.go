package cache_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// world is two namespaces of pods, alice may list pods in the first, bob in
// the second, and carol everything but Secrets everywhere.
type world struct{ a, b string }

func newWorld(t *testing.T) world {
	t.Helper()
	ctx := t.Context()
	w := world{a: cache.Env.Namespace(t, "team-a"), b: cache.Env.Namespace(t, "team-b")}
	admin := cache.Env.Clientset("admin")
	for _, ns := range []string{w.a, w.b} {
		for i := range 3 {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i), Labels: map[string]string{"i": fmt.Sprint(i)}},
				Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
			if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	list := rbacv1.PolicyRule{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	for user, ns := range map[string]string{"alice": w.a, "bob": w.b} {
		if err := cache.Env.Grant(ctx, ns, "read-pods-"+user, rbacv1.Subject{Kind: rbacv1.UserKind, Name: user}, list); err != nil {
			t.Fatal(err)
		}
	}
	// Without a namespace controller a deleted namespace keeps its pods and
	// bindings: take them away, so another test (or run) sees only its own.
	t.Cleanup(func() {
		for _, ns := range []string{w.a, w.b} {
			_ = admin.CoreV1().Pods(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{GracePeriodSeconds: new(int64)}, metav1.ListOptions{})
			_ = admin.RbacV1().RoleBindings(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{})
		}
	})
	grantCarol(t)
	return w
}

var carolOnce = make(chan struct{}, 1)

// grantCarol lets carol read every resource but Secrets, cluster-wide.
func grantCarol(t *testing.T) {
	t.Helper()
	select {
	case carolOnce <- struct{}{}:
	default:
		return
	}
	ctx := t.Context()
	rbac := cache.Env.Clientset("admin").RbacV1()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "all-but-secrets"}, Rules: []rbacv1.PolicyRule{
		{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods", "configmaps", "services", "namespaces", "events"}},
		{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{"apps", "batch"}, Resources: []string{"*"}}}}
	if _, err := rbac.ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "carol-all-but-secrets"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "carol"}}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}}
	if _, err := rbac.ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "carol may list pods", func() bool {
		_, err := cache.Env.Clientset("carol").CoreV1().Pods("").List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil
	})
}

func names(l *cache.PodList) []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, p := range l.Items {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	return out
}

// direct is what the caller's own client lists, or its error.
func direct(ctx context.Context, t *testing.T, s cache.Stack, q cache.PodQuery) ([]string, error) {
	kc, err := s.Clusters.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := kc.Typed.CoreV1().Pods(q.Namespace).List(ctx, metav1.ListOptions{LabelSelector: q.LabelSelector, FieldSelector: q.FieldSelector})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range l.Items {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	return out, nil
}

// TestRBACExact: in both credential modes each user's cached lists are
// exactly the direct ones where RBAC allows them; a list RBAC refuses goes
// direct (the apiserver refuses it in its words); an all-namespace list
// refused gives the namespaces the user may list, said to be partial.
func TestRBACExact(t *testing.T) {
	w := newWorld(t)
	for _, mode := range []clusters.Credentials{clusters.Impersonate, clusters.Passthrough} {
		s := cache.NewStack(t, mode, policy.Config{}, nil)
		for _, c := range []struct {
			user, ns string
			partial  []string // the namespaces of a partial answer
			refused  bool
		}{
			{user: "alice", ns: w.a}, {user: "alice", ns: w.b, refused: true}, {user: "alice", partial: []string{w.a}},
			{user: "bob", ns: w.b}, {user: "bob", ns: w.a, refused: true}, {user: "bob", partial: []string{w.b}},
			{user: "carol"}, {user: "carol", ns: w.a}, {user: "carol", ns: testenv.NamespaceShop},
		} {
			t.Run(fmt.Sprintf("%s/%s/%s", mode, c.user, c.ns), func(t *testing.T) {
				ctx := cache.As(t.Context(), c.user)
				q := cache.PodQuery{Namespace: c.ns}
				got, err := s.Cache.ListPods(ctx, "", q)
				want, derr := direct(ctx, t, s, q)
				switch {
				case c.refused:
					if !errors.Is(err, cache.ErrDirect) || derr == nil {
						t.Fatalf("cached: %v, direct: %v; want ErrDirect and a refusal", err, derr)
					}
				case c.partial != nil:
					if err != nil || !slices.Equal(got.Namespaces, c.partial) || got.Partial == "" {
						t.Fatalf("cached: %+v %v; want a partial answer over %v", got, err, c.partial)
					}
					adminWant, _ := direct(t.Context(), t, cache.NewStack(t, clusters.Server, policy.Config{}, nil), cache.PodQuery{Namespace: c.partial[0]})
					if !slices.Equal(names(got), adminWant) {
						t.Fatalf("partial pods %v, want %v", names(got), adminWant)
					}
				default:
					if err != nil || derr != nil || !slices.Equal(names(got), want) || got.Partial != "" {
						t.Fatalf("cached %v (%v), direct %v (%v)", names(got), err, want, derr)
					}
				}
			})
		}
	}
}

// TestRevokedWithinTTL: a RoleBinding removed, the user loses access once
// the decision's TTL has passed (an injected clock), and not before, in
// both credential modes.
func TestRevokedWithinTTL(t *testing.T) {
	for _, mode := range []clusters.Credentials{clusters.Impersonate, clusters.Passthrough} {
		t.Run(string(mode), func(t *testing.T) {
			w := newWorld(t)
			clock := testenv.NewClock()
			s := cache.NewStack(t, mode, policy.Config{}, clock.Now)
			ctx := cache.As(t.Context(), "alice")
			if _, err := s.Cache.ListPods(ctx, "", cache.PodQuery{Namespace: w.a}); err != nil {
				t.Fatalf("alice in her namespace: %v", err)
			}
			if err := cache.Env.Clientset("admin").RbacV1().RoleBindings(w.a).Delete(t.Context(), "read-pods-alice", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 10*time.Second, "the apiserver refuses alice", func() bool {
				_, err := cache.Env.Clientset("alice").CoreV1().Pods(w.a).List(t.Context(), metav1.ListOptions{})
				return err != nil
			})
			if _, err := s.Cache.ListPods(ctx, "", cache.PodQuery{Namespace: w.a}); err != nil {
				t.Fatalf("within the TTL the kept decision holds: %v", err)
			}
			clock.Add(cache.DefaultAccessTTL)
			if _, err := s.Cache.ListPods(ctx, "", cache.PodQuery{Namespace: w.a}); !errors.Is(err, cache.ErrDirect) {
				t.Fatalf("after the TTL: %v, want ErrDirect (the apiserver refuses alice)", err)
			}
		})
	}
}

// TestRBACExactObjects: for kinds other than pods, lists and gets, each
// user's cached answers are the direct ones where RBAC allows them, and
// what RBAC refuses (or a Secret, never cached) goes direct, in both
// credential modes.
func TestRBACExactObjects(t *testing.T) {
	w := newWorld(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}, Data: map[string]string{"k": "v"}}
	for _, ns := range []string{w.a, w.b} {
		if _, err := cache.Env.Clientset("admin").CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, mode := range []clusters.Credentials{clusters.Impersonate, clusters.Passthrough} {
		s := cache.NewStack(t, mode, policy.Config{}, nil)
		for _, c := range []struct {
			user, resource, ns, name string
			refused                  bool
		}{
			{user: "alice", resource: "pods", ns: w.a, name: "p1"}, {user: "alice", resource: "pods", ns: w.b, name: "p1", refused: true},
			{user: "alice", resource: "configmaps", ns: w.a, refused: true}, {user: "alice", resource: "configmaps", ns: w.a, name: "settings", refused: true},
			{user: "bob", resource: "pods", ns: w.b, name: "p2"}, {user: "bob", resource: "pods", ns: w.a, refused: true},
			{user: "carol", resource: "configmaps"}, {user: "carol", resource: "configmaps", ns: w.b, name: "settings"},
			{user: "carol", resource: "deployments"}, {user: "carol", resource: "namespaces", name: w.a},
			{user: "carol", resource: "secrets", ns: testenv.NamespaceShop, refused: true},
			{user: "carol", resource: "secrets", ns: testenv.NamespaceShop, name: testenv.SecretName, refused: true},
		} {
			t.Run(fmt.Sprintf("%s/%s/%s/%s/%s", mode, c.user, c.resource, c.ns, c.name), func(t *testing.T) {
				got, err := cachedRead(cache.As(t.Context(), c.user), t, s, c.resource, c.ns, c.name)
				want, derr := directRead(cache.As(t.Context(), c.user), t, s, c.resource, c.ns, c.name)
				switch {
				case c.refused:
					if !errors.Is(err, cache.ErrDirect) || derr == nil {
						t.Fatalf("cached: %v %v, direct: %v; want ErrDirect and a refusal", got, err, derr)
					}
				case err != nil || derr != nil || !slices.Equal(got, want) || len(got) == 0:
					t.Fatalf("cached %v (%v), direct %v (%v)", got, err, want, derr)
				}
			})
		}
	}
}

// cachedRead is the names the cache lists (no name) or gets.
func cachedRead(ctx context.Context, t *testing.T, s cache.Stack, resource, ns, name string) ([]string, error) {
	_, res := resolve(ctx, t, s, resource)
	if name != "" {
		u, err := s.Cache.Get(ctx, "", res, ns, name)
		if err != nil {
			return nil, err
		}
		return []string{u.GetNamespace() + "/" + u.GetName()}, nil
	}
	items, err := s.Cache.List(ctx, "", cache.Query{Resource: res, Namespace: ns})
	var out []string
	for _, u := range items {
		out = append(out, u.GetNamespace()+"/"+u.GetName())
	}
	return out, err
}

// directRead is cachedRead by the caller's own client.
func directRead(ctx context.Context, t *testing.T, s cache.Stack, resource, ns, name string) ([]string, error) {
	kc, res := resolve(ctx, t, s, resource)
	api := kc.Dynamic.Resource(res.GVR).Namespace(ns)
	if name != "" {
		u, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return []string{u.GetNamespace() + "/" + u.GetName()}, nil
	}
	l, err := api.List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range l.Items {
		out = append(out, u.GetNamespace()+"/"+u.GetName())
	}
	return out, nil
}

func resolve(ctx context.Context, t *testing.T, s cache.Stack, resource string) (*kube.Client, kube.Resolved) {
	t.Helper()
	kc, err := s.Clusters.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := kc.Resolve(kube.Ref{Resource: resource})
	if err != nil {
		t.Fatal(err)
	}
	return kc, res
}

// TestPolicyDenies: kubemcp's deny rule refuses cached reads exactly as it
// refuses direct ones, with the same decision.
func TestPolicyDenies(t *testing.T) {
	pol := policy.Config{Deny: []policy.Rule{{Kinds: []string{"Pod"}, Namespaces: []string{testenv.NamespacePayments}}}}
	s := cache.NewStack(t, clusters.Server, pol, nil)
	for _, ns := range []string{testenv.NamespacePayments, "", testenv.NamespaceShop} {
		q := cache.PodQuery{Namespace: ns}
		_, err := s.Cache.ListPods(t.Context(), "", q)
		_, derr := direct(t.Context(), t, s, q)
		var cd, dd *policy.DeniedError
		if errors.As(err, &cd) != errors.As(derr, &dd) || cd != nil && cd.Error() != dd.Error() {
			t.Errorf("namespace %q: cached %v, direct %v", ns, err, derr)
		}
		if ns == testenv.NamespaceShop && err != nil {
			t.Errorf("shop is not denied: %v", err)
		}
	}
}

// TestSelectors: label and the cached field selectors answer as the
// apiserver does, as does a limit the answer fits in; other field
// selectors and pages that need a continue token go direct.
func TestSelectors(t *testing.T) {
	s := cache.NewStack(t, clusters.Server, policy.Config{}, nil)
	ctx := t.Context()
	for _, q := range []cache.PodQuery{
		{}, {Limit: 1000}, {Namespace: testenv.NamespaceShop}, {LabelSelector: "app=frontend"}, {LabelSelector: "app in (frontend,cart),app!=api"},
		{LabelSelector: "!app"}, {FieldSelector: "status.phase=Running"}, {FieldSelector: "status.phase!=Running"},
		{FieldSelector: "spec.nodeName=" + cache.Env.NodeName}, {FieldSelector: "metadata.name=" + testenv.PodCrashLoop},
		{Namespace: testenv.NamespaceMonitoring, FieldSelector: "metadata.namespace=" + testenv.NamespaceMonitoring + ",status.phase=Pending"},
	} {
		got, err := s.Cache.ListPods(ctx, "", q)
		want, derr := direct(ctx, t, s, q)
		if err != nil || derr != nil || !slices.Equal(names(got), want) {
			t.Errorf("%+v: cached %v (%v), direct %v (%v)", q, names(got), err, want, derr)
		}
	}
	for _, q := range []cache.PodQuery{{FieldSelector: "status.podIP=10.0.0.1"}, {Limit: 2}, {Continue: "x"}, {LabelSelector: "a in ("}} {
		if _, err := s.Cache.ListPods(ctx, "", q); !errors.Is(err, cache.ErrDirect) {
			t.Errorf("%+v: %v, want ErrDirect", q, err)
		}
	}
}
