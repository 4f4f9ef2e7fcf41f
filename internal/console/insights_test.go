package console_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestInsights: each insight card's stream answers for the live cluster
// from its tool and for the dead one with why not; without metrics.k8s.io
// the usage cards say so, and once it serves, they show its figures.
func TestInsights(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	live := func(path string) event {
		t.Helper()
		got, done := byCluster(t, c.stream(t, path, 20*time.Second))
		if done.data["totalClusters"] != 2.0 || got["down"].name == "cluster_data" {
			t.Fatalf("%s: down answered %+v, done %+v", path, got["down"], done.data)
		}
		return got["live"]
	}
	item := func(e event) map[string]any {
		t.Helper()
		items, _ := e.data["items"].([]any)
		if e.name != "cluster_data" || len(items) != 1 {
			t.Fatalf("want one item: %+v", e)
		}
		return items[0].(map[string]any)
	}

	overview := item(live("/api/insights/overview?namespace=" + testenv.NamespaceShop))
	if overview["namespace"] != testenv.NamespaceShop || len(overview["counts"].([]any)) == 0 {
		t.Errorf("overview: %+v", overview)
	}
	usage := item(live("/api/insights/usage?namespace=" + testenv.NamespaceShop))
	if len(usage["workloads"].([]any)) == 0 || usage["metrics"] == "" {
		t.Errorf("usage without metrics: %+v", usage)
	}
	access := live("/api/insights/access?namespace=" + testenv.NamespaceShop)
	checks, _ := access.data["items"].([]any)
	if access.name != "cluster_data" || len(checks) != 8 || checks[0].(map[string]any)["allowed"] != true {
		t.Errorf("access: %+v", access)
	}
	if e := live("/api/insights/top_nodes"); e.name != "cluster_error" || !strings.Contains(e.data["error"].(string), "metrics") {
		t.Errorf("top_nodes without metrics: %+v", e)
	}
	status, body := c.do(t, "GET", "/api/insights/gossip", nil)
	wantError(t, status, body, http.StatusNotFound, "not_found", "overview, top_pods, top_nodes, usage and access")

	if err := env.EnableMetrics(t.Context()); err != nil {
		t.Fatal(err)
	}
	pods, err := env.Clientset("admin").CoreV1().Pods(testenv.NamespaceShop).List(t.Context(), metav1.ListOptions{LabelSelector: "app=" + testenv.DeploymentCart})
	if err != nil || len(pods.Items) == 0 {
		t.Fatalf("the cart's pods: %v", err)
	}
	env.Metrics.SetPodUsage(testenv.NamespaceShop, pods.Items[0].Name, testenv.DeploymentCart, "120m", "300Mi")
	env.Metrics.SetNodeUsage(env.NodeName, "1500m", "6Gi")
	top := live("/api/insights/top_pods?namespace=" + testenv.NamespaceShop)
	rows, _ := top.data["items"].([]any)
	if top.name != "cluster_data" || len(rows) == 0 || rows[0].(map[string]any)["cpu_millicores"] != 120.0 {
		t.Errorf("top_pods: %+v", top)
	}
	nodes := live("/api/insights/top_nodes")
	rows, _ = nodes.data["items"].([]any)
	if nodes.name != "cluster_data" || len(rows) != 1 || rows[0].(map[string]any)["cpu_percent"] == nil {
		t.Errorf("top_nodes: %+v", nodes)
	}
}
