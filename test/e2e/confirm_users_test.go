package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestApprovalNotVoidedByAnotherUser: bob, who may make the same change,
// presents alice's approval token with her arguments. He is refused, and the
// token still carries alice's change out (issue 18, finding 5: the token was
// used up before the presenter was checked).
func TestApprovalNotVoidedByAnotherUser(t *testing.T) {
	muWorld(t)
	ctx := context.Background()
	ns := env.Namespace(t, "approve")
	edit := rbacv1.PolicyRule{Verbs: []string{"get", "list", "patch"}, APIGroups: []string{""}, Resources: []string{"configmaps"}}
	for _, u := range []string{"alice", "bob"} {
		if err := env.Grant(ctx, ns, "edit-cm-"+u, rbacv1.Subject{Kind: rbacv1.UserKind, Name: u}, edit); err != nil {
			t.Fatal(err)
		}
	}
	configMap(t, ns, "shared")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("policy:\n  confirm:\n  - tools: [resources_patch]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens, staticTokens := writeTokenFile(t, []string{"alice", "bob"})
	srv := serveArgs(t, "--config", cfg, "--kubeconfig", saKubeconfig(t, "impersonator"), "--auth", "token", "--auth-token-file", tokens)
	alice, bob := connectAs(t, srv.URL, staticTokens["alice"], "streamable"), connectAs(t, srv.URL, staticTokens["bob"], "streamable")

	args := map[string]any{"resource": "configmaps", "namespace": ns, "name": "shared", "patch": `{"data":{"k":"alice"}}`}
	got, _ := call(t, alice, "resources_patch", args)
	m := approvalRE.FindStringSubmatch(got.Text)
	if !got.IsError || m == nil {
		t.Fatalf("want alice asked for confirmation with a token:\n%s", got.Text)
	}
	args["approval_token"] = m[1]
	got, _ = call(t, bob, "resources_patch", args)
	toolCase{tool: "resources_patch", isError: true, want: []string{"another call"}}.check(t, got)
	got, _ = call(t, alice, "resources_patch", args)
	if got.IsError {
		t.Fatalf("bob's attempt voided alice's approval:\n%s", got.Text)
	}
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(ctx, "shared", metav1.GetOptions{})
	if err != nil || cm.Data["k"] != "alice" {
		t.Fatalf("alice's change did not happen: %v %v", cm.Data, err)
	}
}
