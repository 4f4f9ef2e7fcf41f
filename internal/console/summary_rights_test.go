package console_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestSummaryReadsAsTheUser: a user who may read one namespace gets
// summaries whose facts hold nothing from the others; and once their
// Kubernetes groups change (their GitHub teams did), the dashboard summary
// kept from before is not shown: one is made again, as who they are now.
func TestSummaryReadsAsTheUser(t *testing.T) {
	read := rbacv1.PolicyRule{Verbs: []string{"list", "get"}, APIGroups: []string{""}, Resources: []string{"pods", "events"}}
	if err := env.Grant(t.Context(), testenv.NamespacePayments, "console-summary", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "summary-readers"}, read); err != nil {
		t.Fatal(err)
	}
	// dana is granted nothing by the package's other tests, whose grants stay in the shared cluster.
	users := map[string]githubUser{"dana": {orgs: []string{"acme"}, teams: map[string][]string{"acme": {"payments"}}}}
	gh := newGitHub(t, users)
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- user: agent\n  token: agent-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	model := summaryModel(t)
	t.Setenv("KUBEMCP_TEST_AI_KEY", "sk-summary-key")
	c := startConsole(t, append(gh.flags(), "--auth", "token", "--auth-token-file", tokens,
		"--identity-rule", "github-user:dana=user:dana", "--identity-rule", "github-team:acme/payments=group:summary-readers",
		"--ai-base-url", model.URL, "--ai-model", "scripted-1", "--ai-api-key-env", "KUBEMCP_TEST_AI_KEY")...)
	gh.signInAs("dana")
	c.signIn(t, "github")
	c.setAI(t, map[string]any{"aiMode": "high"})

	var got summary
	decodeOK(t, http.StatusOK, &got)(c.do(t, "POST", "/api/ai/summary", map[string]string{"card": "pods", "cluster": "live", "namespace": testenv.NamespacePayments}))
	if asked := model.Requests()[0].Messages[1].Text(); !strings.Contains(asked, testenv.PodCrashLoop) {
		t.Fatalf("the payments pods, which dana may read, were not given: %s", asked)
	}
	for _, in := range []map[string]string{{"card": "pods", "cluster": "live"}, {"card": "events", "cluster": "live", "namespace": testenv.NamespaceShop}, {}} {
		decodeOK(t, http.StatusOK, &got)(c.do(t, "POST", "/api/ai/summary", in))
	}
	decodeOK(t, http.StatusOK, &got)(c.do(t, "GET", "/api/ai/summary", nil))
	for _, r := range model.Requests()[1:] {
		asked := r.Messages[1].Text()
		for _, foreign := range []string{testenv.NamespaceShop + `"`, testenv.NamespaceMonitoring, testenv.DeploymentFrontend + "-", testenv.PodOOMKilled, testenv.PodUnschedulable} {
			if strings.Contains(asked, foreign) {
				t.Errorf("the model was given %q, which dana may not read: %s", foreign, asked)
			}
		}
	}
	if n := len(model.Requests()); n != 5 || got.Summary == "" {
		t.Fatalf("%d requests of the model; the dashboard's summary: %+v", n, got)
	}

	users["dana"] = githubUser{orgs: []string{"acme"}} // changed between sign-ins, which the stand-in reads
	gh.signInAs("dana")
	c.signIn(t, "github") // as no group now
	decodeOK(t, http.StatusOK, &got)(c.do(t, "GET", "/api/ai/summary", nil))
	if n := len(model.Requests()); n != 6 {
		t.Fatalf("after dana's groups changed, the summary made as before was kept (%d requests of the model)", n)
	}
}
