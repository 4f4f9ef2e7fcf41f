package console_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestConsoleThroughARemoteKubemcp: with --mcp-url the console has no
// kubeconfig of its own; it lists clusters and streams pods through a
// kubemcp serving MCP over streamable HTTP, which audits the calls as the
// caller of the console's token. The console serves no /mcp itself.
func TestConsoleThroughARemoteKubemcp(t *testing.T) {
	// The remote impersonates its caller: the bridge's token user may list pods in shop.
	listPods := rbacv1.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	if err := env.Grant(t.Context(), testenv.NamespaceShop, "console-bridge", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "console-bridge"}, listPods); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tokens, audit := filepath.Join(dir, "tokens.yaml"), filepath.Join(dir, "audit.log")
	if err := os.WriteFile(tokens, []byte("tokens:\n- user: console-bridge\n  token: bridge-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	remote := runKubemcp(t, "serving MCP at ", []string{"serve", "--listen", "127.0.0.1:0", "--auth", "token",
		"--auth-token-file", tokens, "--kubeconfig", twoClusters(t), "--cluster-timeout", "3s", "--audit-file", audit})
	c := startConsole(t, "--mcp-url", remote, "--mcp-token", "bridge-token", "--kubeconfig", filepath.Join(dir, "none"))
	c.login(t)

	var list struct{ Clusters []struct{ Name string } }
	decodeOK(t, http.StatusOK, &list)(c.do(t, "GET", "/api/clusters", nil))
	if len(list.Clusters) != 2 {
		t.Fatalf("clusters: %+v", list)
	}
	got, done := byCluster(t, c.stream(t, "/api/stream/pods?namespace="+testenv.NamespaceShop, 20*time.Second))
	if items, _ := got["live"].data["items"].([]any); got["live"].name != "cluster_data" || len(items) == 0 ||
		got["down"].name == "cluster_data" || done.data["totalClusters"] != 2.0 {
		t.Fatalf("stream: %+v, done %+v", got, done.data)
	}
	data, err := os.ReadFile(audit)
	if err != nil || !strings.Contains(string(data), `"tool":"pods_list"`) || !strings.Contains(string(data), `"identity":"console-bridge"`) {
		t.Fatalf("the remote's audit log: %s %v", data, err)
	}
	if status, body := c.do(t, "GET", "/mcp", nil); status != http.StatusNotFound {
		t.Fatalf("/mcp on the console: %d %s", status, body)
	}
	// Live updates watch in this process's own pool, which a remote console has not.
	liveStatus, liveBody := c.do(t, "GET", "/api/live?kinds=pods", nil)
	wantError(t, liveStatus, liveBody, http.StatusNotImplemented, "no_live", "--mcp-url")

	wrong := startConsole(t, "--mcp-url", remote, "--mcp-token", "not-the-token")
	wrong.login(t)
	status, body := wrong.do(t, "GET", "/api/clusters", nil)
	wantError(t, status, body, http.StatusBadGateway, "mcp_unavailable", remote)
	if strings.Contains(string(body), "not-the-token") {
		t.Fatalf("the token is in the answer: %s", body)
	}
}
