package clusters

import (
	"context"
	"testing"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// countChecks makes m's acceptance checks count on *n and read the time
// from a clock the test moves.
func countChecks(m *Manager, n *int) *testenv.Clock {
	c := testenv.NewClock()
	check := m.accepted.check
	m.accepted.now = c.Now
	m.accepted.check = func(ctx context.Context, kc *kube.Client) error {
		*n++
		return check(ctx, kc)
	}
	return c
}

// TestAcceptedRecently: a caller's client comes only after the cluster
// accepted the caller within acceptedFor, asked once per caller in that
// time; a token the cluster revoked stops at the next check.
func TestAcceptedRecently(t *testing.T) {
	ns := env.Namespace(t, "accepted")
	admin := env.Clientset("admin")
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "agent"}}
	if _, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "agent", &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Kubeconfig: env.Kubeconfig, Credentials: Passthrough})
	if err != nil {
		t.Fatal(err)
	}
	checks := 0
	clk := countChecks(m, &checks)
	agent := as(identity.WithBearer(identity.Identity{User: "agent"}, tok.Status.Token))
	alice := as(identity.WithBearer(identity.Identity{User: "alice"}, env.Users["alice"].Token))
	get := func(ctx context.Context) error { _, err := m.Get(ctx, ""); return err }

	for range 3 {
		if err := get(agent); err != nil {
			t.Fatalf("agent: %v", err)
		}
	}
	if checks != 1 {
		t.Errorf("%d checks for three calls within %s, want 1", checks, acceptedFor)
	}
	if err := get(alice); err != nil || checks != 2 {
		t.Errorf("alice: %v after %d checks; want her own check, the second", err, checks)
	}

	if err := admin.CoreV1().ServiceAccounts(ns).Delete(ctx, "agent", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := get(agent); err != nil || checks != 2 {
		t.Errorf("agent within %s of being accepted: %v after %d checks; want the remembered acceptance", acceptedFor, err, checks)
	}
	// The apiserver remembers a token it accepted for ten seconds, and learns of
	// the deletion from its own cache: give it time.
	err = nil
	for deadline := time.Now().Add(30 * time.Second); err == nil && time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		clk.Add(acceptedFor)
		err = get(agent)
	}
	if !apierrors.IsUnauthorized(err) {
		t.Errorf("the revoked token, once its acceptance expired: %v, want 401", err)
	}
	before := checks
	if get(agent) == nil || checks != before+1 {
		t.Errorf("a refusal was remembered: %d checks, want %d", checks, before+1)
	}
}

// TestAcceptedOnlyWithDiscovery: a caller the cluster accepts but lets read
// nothing, not even discovery (system:anonymous, impersonated), gets no
// client, so nothing the server's credential read reaches it.
func TestAcceptedOnlyWithDiscovery(t *testing.T) {
	m, err := New(Options{Kubeconfig: env.Kubeconfig, Credentials: Impersonate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(as(&identity.Identity{User: "system:anonymous"}), ""); !apierrors.IsForbidden(err) {
		t.Errorf("a caller that may not read discovery: %v, want 403", err)
	}
	if _, err := m.Get(as(&identity.Identity{User: "alice", Groups: []string{"team-a"}}), ""); err != nil {
		t.Errorf("alice, who has no grants but may read discovery as every authenticated user: %v", err)
	}
}

// TestServerAsksNothing: with the server's own credential Get makes no
// request, as before callers were checked.
func TestServerAsksNothing(t *testing.T) {
	m, err := New(Options{Kubeconfig: env.Kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	checks := 0
	countChecks(m, &checks)
	for _, ctx := range []context.Context{context.Background(), as(&identity.Identity{User: "alice"})} {
		if _, err := m.Get(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	if checks != 0 {
		t.Errorf("%d checks with the server's credential, want none", checks)
	}
}
