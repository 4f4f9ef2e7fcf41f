package clusters

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{}, func(e *testenv.Env) { env = e }))
}

// impersonatorRules are exactly the rules README gives the server for
// --credentials impersonate: the tests run the server with these and no more.
var impersonatorRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"users", "groups"}, Verbs: []string{"impersonate"}},
	{APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"userextras/scopes"}, Verbs: []string{"impersonate"}},
}

// world creates a namespace per test with a pod, lets group team-a (alice)
// list pods in it, and returns its name.
func world(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	admin := env.Clientset("admin")
	ns := env.Namespace(t, "clusters")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	grant(t, ns, rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "team-a"}, "list")
	return ns
}

func grant(t *testing.T, ns string, who rbacv1.Subject, verbs ...string) {
	t.Helper()
	rule := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: verbs}
	if err := env.Grant(context.Background(), ns, "pods-"+strings.ToLower(who.Name), who, rule); err != nil {
		t.Fatal(err)
	}
}

// impersonatorKubeconfig runs the server as a service account that holds
// impersonatorRules and nothing else, and returns its kubeconfig.
func impersonatorKubeconfig(t *testing.T, ns string) string {
	t.Helper()
	ctx := context.Background()
	admin := env.Clientset("admin")
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "kubemcp"}}
	if _, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	name := "kubemcp-impersonator-" + ns
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: impersonatorRules}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, cr, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "kubemcp", Namespace: ns}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.RbacV1().ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
		admin.RbacV1().ClusterRoles().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	if err := env.WaitAllowed(ctx, crb.Subjects[0], authzv1.ResourceAttributes{Verb: "impersonate", Resource: "users"}); err != nil {
		t.Fatal(err)
	}
	tok, err := admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "kubemcp", &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return kubeconfigWithToken(t, tok.Status.Token)
}

func kubeconfigWithToken(t *testing.T, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := env.WriteTokenKubeconfig(path, "u", token); err != nil {
		t.Fatal(err)
	}
	return path
}

func as(id *identity.Identity) context.Context {
	return identity.NewContext(context.Background(), id)
}

// listPods lists ns's pods through m as the identity in ctx.
func listPods(ctx context.Context, m *Manager, ns string) error {
	kc, err := m.Get(ctx, "")
	if err != nil {
		return err
	}
	_, err = kc.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	return err
}

// TestImpersonate: the server holds only the impersonate rules; each caller
// gets exactly what RBAC grants the user and groups it impersonates.
func TestImpersonate(t *testing.T) {
	ns := world(t)
	grant(t, ns, rbacv1.Subject{Kind: rbacv1.UserKind, Name: "carol"}, "get")
	m, err := New(Options{Kubeconfig: impersonatorKubeconfig(t, ns), Credentials: Impersonate})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id     *identity.Identity
		denied bool
	}{
		{&identity.Identity{User: "alice", Groups: []string{"team-a"}}, false},
		{&identity.Identity{User: "anyone", Groups: []string{"team-a"}}, false}, // the group grants it
		{&identity.Identity{User: "alice"}, true},                               // the user alone does not
		{&identity.Identity{User: "bob", Groups: []string{"team-b"}}, true},
		{&identity.Identity{User: "carol", Extra: map[string][]string{"scopes": {"view"}}}, true}, // get, not list
	}
	for _, tt := range tests {
		err := listPods(as(tt.id), m, ns)
		if tt.denied && (!apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `"`+tt.id.User+`"`)) {
			t.Errorf("%s: %v, want forbidden naming the user", tt.id, err)
		}
		if !tt.denied && err != nil {
			t.Errorf("%s: %v", tt.id, err)
		}
	}
	if err := listPods(context.Background(), m, ns); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("no identity: %v, want ErrNoIdentity", err)
	}
	if _, err := m.Ready(context.Background()); err != nil {
		t.Errorf("Ready with the server's own credential: %v", err)
	}
}

// TestPassthrough: the caller's token goes alone; the server's (admin)
// credential never helps.
func TestPassthrough(t *testing.T) {
	ns := world(t)
	m, err := New(Options{Kubeconfig: env.Kubeconfig, Credentials: Passthrough})
	if err != nil {
		t.Fatal(err)
	}
	alice := identity.WithBearer(identity.Identity{User: "alice"}, env.Users["alice"].Token)
	bob := identity.WithBearer(identity.Identity{User: "bob"}, env.Users["bob"].Token)
	bogus := identity.WithBearer(identity.Identity{User: "x"}, "not-a-token")
	if err := listPods(as(alice), m, ns); err != nil {
		t.Errorf("alice: %v", err)
	}
	if err := listPods(as(bob), m, ns); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `"bob"`) {
		t.Errorf("bob: %v, want forbidden", err)
	}
	if err := listPods(as(bogus), m, ns); !apierrors.IsUnauthorized(err) {
		t.Errorf("bogus token: %v, want unauthorized (the admin credential must not go along)", err)
	}
	if err := listPods(as(&identity.Identity{User: "alice"}), m, ns); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("no bearer: %v, want ErrNoIdentity", err)
	}
}

// TestPassthroughOnlyToDefault: a caller's token goes to the default cluster
// alone, never to another configured one.
func TestPassthroughOnlyToDefault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	writeContexts(t, path, "home", "elsewhere")
	m, err := New(Options{Kubeconfig: path, Credentials: Passthrough})
	if err != nil {
		t.Fatal(err)
	}
	ctx := as(identity.WithBearer(identity.Identity{User: "alice"}, env.Users["alice"].Token))
	if _, err := m.Get(ctx, "home"); err != nil {
		t.Errorf("default cluster: %v", err)
	}
	if _, err := m.Get(ctx, "elsewhere"); !errors.Is(err, ErrPassthroughElsewhere) {
		t.Errorf("another cluster: %v, want ErrPassthroughElsewhere", err)
	}
}

func TestReview(t *testing.T) {
	m, err := New(Options{Kubeconfig: env.Kubeconfig, Credentials: Passthrough})
	if err != nil {
		t.Fatal(err)
	}
	user, groups, ok, err := m.Review(context.Background(), env.Users["alice"].Token)
	if err != nil || !ok || user != "alice" || !strings.Contains(strings.Join(groups, ","), "team-a") {
		t.Errorf("alice: %q %v %v %v", user, groups, ok, err)
	}
	if _, _, _, err := m.Review(context.Background(), "not-a-token"); !errors.Is(err, identity.ErrInvalidToken) {
		t.Errorf("bad token: %v, want ErrInvalidToken", err)
	}
}

// TestPolicyBeneathEveryCaller: read-only holds for per-caller clients too.
func TestPolicyBeneathEveryCaller(t *testing.T) {
	ns := world(t)
	grant(t, ns, rbacv1.Subject{Kind: rbacv1.UserKind, Name: "bob"}, "delete")
	m, err := New(Options{Kubeconfig: env.Kubeconfig, Credentials: Passthrough, Client: kube.Options{Policy: &policy.Config{ReadOnly: true}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := as(identity.WithBearer(identity.Identity{User: "bob"}, env.Users["bob"].Token))
	kc, err := m.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	err = kc.Typed.CoreV1().Pods(ns).Delete(ctx, "web", metav1.DeleteOptions{})
	var denied *policy.DeniedError
	if !errors.As(err, &denied) {
		t.Fatalf("delete in read-only mode: %v, want a policy refusal", err)
	}
	if _, err := env.Clientset("admin").CoreV1().Pods(ns).Get(context.Background(), "web", metav1.GetOptions{}); err != nil {
		t.Fatalf("the pod is gone: %v", err)
	}
}

// TestClientCache: one client per (cluster, identity), all sharing the
// cluster's discovery and mapper; bounded by size and TTL; off when negative.
func TestClientCache(t *testing.T) {
	newManager := func(size int, ttl time.Duration) *Manager {
		m, err := New(Options{Kubeconfig: env.Kubeconfig, Credentials: Impersonate, CacheSize: size, CacheTTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	get := func(m *Manager, id *identity.Identity) *kube.Client {
		kc, err := m.Get(as(id), "")
		if err != nil {
			t.Fatal(err)
		}
		return kc
	}
	alice := &identity.Identity{User: "alice", Groups: []string{"team-a"}}
	aliceAgain := &identity.Identity{User: "alice", Groups: []string{"team-a"}}
	aliceOtherGroups := &identity.Identity{User: "alice", Groups: []string{"team-a", "admins"}}
	bob := &identity.Identity{User: "bob"}

	m := newManager(2, 0)
	a := get(m, alice)
	if get(m, aliceAgain) != a {
		t.Error("the same identity got a second client")
	}
	if get(m, aliceOtherGroups) == a {
		t.Error("other groups share alice's client")
	}
	base, _, _ := m.base("")
	if a.Mapper != base.Mapper || a.Discovery != base.Discovery {
		t.Error("a caller's client does not share the cluster's mapper and discovery")
	}
	get(m, bob) // third identity in a cache of two: alice, least recently used, goes
	if n := m.cache.len(); n != 2 {
		t.Errorf("%d clients cached, want 2", n)
	}
	if get(m, alice) == a {
		t.Error("alice's client survived eviction")
	}

	m = newManager(0, time.Minute)
	clock := testenv.NewClock()
	m.cache.now = clock.Now
	a = get(m, alice)
	clock.Add(time.Minute - time.Millisecond)
	if get(m, alice) != a {
		t.Error("alice's client went before its TTL")
	}
	clock.Add(time.Millisecond)
	if get(m, alice) == a {
		t.Error("alice's client outlived its TTL")
	}

	m = newManager(-1, 0)
	if get(m, alice) == get(m, alice) {
		t.Error("a disabled cache returned the same client twice")
	}
}
