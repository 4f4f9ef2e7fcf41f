package console_test

import (
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubemcp/kubemcp/internal/console"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestEachUserSeesWhatTheirRBACAllows: with impersonation, two people signed
// in with GitHub reach the cluster as the rules map them (alice by her
// login, bob by his team's group) and the same stream shows each only the
// namespace their RBAC lets them list.
func TestEachUserSeesWhatTheirRBACAllows(t *testing.T) {
	ctx := t.Context()
	listPods := rbacv1.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	if err := env.Grant(ctx, testenv.NamespaceShop, "console-alice", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice"}, listPods); err != nil {
		t.Fatal(err)
	}
	if err := env.Grant(ctx, testenv.NamespacePayments, "console-payments", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "payments-readers"}, listPods); err != nil {
		t.Fatal(err)
	}
	gh := newGitHub(t, map[string]githubUser{"alice": {}, "bob": {orgs: []string{"acme"}, teams: map[string][]string{"acme": {"payments"}}}})
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- user: agent\n  token: agent-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// --auth token guards /mcp and makes the credentials impersonate.
	c := startConsole(t, append(gh.flags(), "--auth", "token", "--auth-token-file", tokens,
		"--identity-rule", "github-user:alice=user:alice", "--identity-rule", "github-team:acme/payments=group:payments-readers")...)

	sees := map[string]map[string]string{} // user: namespace: the stream's event
	for _, user := range []string{"alice", "bob"} {
		jar, _ := cookiejar.New(nil)
		c.client = &http.Client{Jar: jar}
		gh.signInAs(user)
		c.signIn(t, "github")
		sees[user] = map[string]string{}
		for _, ns := range []string{testenv.NamespaceShop, testenv.NamespacePayments} {
			got, _ := byCluster(t, c.stream(t, "/api/stream/pods?cluster=live&namespace="+ns, 10*time.Second))
			e := got["live"]
			sees[user][ns] = e.name
			if e.name == "cluster_error" && !strings.Contains(e.data["error"].(string), "forbidden") {
				t.Errorf("%s in %s: %v", user, ns, e.data)
			}
		}
	}
	want := map[string]map[string]string{
		"alice": {testenv.NamespaceShop: "cluster_data", testenv.NamespacePayments: "cluster_error"},
		"bob":   {testenv.NamespaceShop: "cluster_error", testenv.NamespacePayments: "cluster_data"},
	}
	for user, nss := range want {
		for ns, event := range nss {
			if sees[user][ns] != event {
				t.Errorf("%s listing pods in %s: %s, want %s", user, ns, sees[user][ns], event)
			}
		}
	}
}

func TestBadIdentityRulesAreNamed(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"github-team:acme/sre", "want SOURCE:VALUE=TARGET:VALUE"},
		{"gitlab-group:x=group:y", `source "gitlab-group"`},
		{"github-org:acme=role:admin", `target "role:admin"`},
		{"github-org:acme=group:", `target "group:"`},
	} {
		_, err := console.ParseRules([]string{"github-org:ok=group:ok", tc.spec})
		if err == nil || !strings.Contains(err.Error(), tc.spec) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.spec, err, tc.want)
		}
	}
}
