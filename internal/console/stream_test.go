package console_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

type event struct {
	name string
	data map[string]any
}

// stream reads a whole SSE stream; it fails the test if the stream does not
// end within within.
func (c *consoleServer) stream(t *testing.T, path string, within time.Duration) []event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatalf("the stream did not end within %s: %v", within, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("stream answer: %d %v", resp.StatusCode, resp.Header)
	}
	var events []event
	var name string
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(nil, 4<<20)
	for lines.Scan() {
		c.bodies.WriteString(lines.Text() + "\n")
		switch line := lines.Text(); {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			e := event{name: name}
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e.data); err != nil {
				t.Fatalf("event %s: %v", name, err)
			}
			events = append(events, e)
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatalf("the stream did not end within %s: %v", within, err)
	}
	return events
}

// byCluster indexes the per-cluster events; done is the last event.
func byCluster(t *testing.T, events []event) (map[string]event, event) {
	t.Helper()
	if len(events) == 0 || events[len(events)-1].name != "done" {
		t.Fatalf("the stream did not end with done: %+v", events)
	}
	out := map[string]event{}
	for _, e := range events[:len(events)-1] {
		out[e.data["cluster"].(string)] = e
	}
	return out, events[len(events)-1]
}

// TestPodsStreamWithOneClusterDown: the live cluster's pods arrive as
// cluster_data, the dead one is a cluster_error, then (kubemcp now backing
// off from it) a cluster_skipped; done counts them; all well within the
// deadline.
func TestPodsStreamWithOneClusterDown(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	start := time.Now()
	got, done := byCluster(t, c.stream(t, "/api/stream/pods?namespace="+testenv.NamespaceShop, 20*time.Second))
	live, down := got["live"], got["down"]
	items, _ := live.data["items"].([]any)
	if live.name != "cluster_data" || live.data["source"] != "kubemcp" || len(items) == 0 {
		t.Fatalf("live: %+v", live)
	}
	for _, it := range items {
		if it.(map[string]any)["namespace"] != testenv.NamespaceShop {
			t.Fatalf("a pod outside the namespace asked for: %v", it)
		}
	}
	if down.name != "cluster_error" || down.data["error"] == "" {
		t.Fatalf("down: %+v", down)
	}
	if done.data["totalClusters"] != 2.0 || done.data["completedClusters"] != 1.0 {
		t.Fatalf("done: %+v", done.data)
	}
	t.Logf("first stream took %s", time.Since(start))

	got, done = byCluster(t, c.stream(t, "/api/stream/pods", 10*time.Second))
	if got["down"].name != "cluster_skipped" || !strings.Contains(got["down"].data["reason"].(string), "unreachable") {
		t.Fatalf("down, the second time: %+v", got["down"])
	}
	if got["live"].name != "cluster_data" || done.data["skippedOffline"] != 1.0 {
		t.Fatalf("second stream: %+v, done %+v", got, done.data)
	}
}

func TestStreamsOfEachKind(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	// What each stream must show of the seeded cluster: so many items, one
	// of them with this field and value.
	for kind, want := range map[string]struct {
		min          int
		field, value string
	}{
		"events":      {1, "namespace", testenv.NamespacePayments},
		"nodes":       {1, "name", env.NodeName},
		"deployments": {2, "name", testenv.DeploymentFrontend},
		"services":    {1, "namespace", testenv.NamespaceShop},
		"issues":      {1, "namespace", testenv.NamespacePayments},
	} {
		got, _ := byCluster(t, c.stream(t, "/api/stream/"+kind+"?cluster=live", 10*time.Second))
		items, _ := got["live"].data["items"].([]any)
		if len(got) != 1 || got["live"].name != "cluster_data" || len(items) < want.min ||
			!slices.ContainsFunc(items, func(it any) bool { return it.(map[string]any)[want.field] == want.value }) {
			t.Fatalf("%s: %+v", kind, got)
		}
	}
	status, body := c.do(t, "GET", "/api/stream/pods?cluster=nope", nil)
	wantError(t, status, body, http.StatusBadRequest, "invalid", "cluster: ")
	status, body = c.do(t, "GET", "/api/stream/secrets", nil)
	wantError(t, status, body, http.StatusNotFound, "not_found", "pods, events, nodes, deployments, services, issues and security")
}

func TestClusters(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	var out struct {
		Clusters []struct {
			Name      string
			Reachable bool
			Default   bool
			Error     string
		}
	}
	decodeOK(t, http.StatusOK, &out)(c.do(t, "GET", "/api/clusters", nil))
	seen := map[string]bool{}
	for _, cl := range out.Clusters {
		seen[cl.Name] = true
		if cl.Name == "live" && (!cl.Reachable || !cl.Default) || cl.Name == "down" && (cl.Reachable || cl.Error == "") {
			t.Errorf("cluster %+v", cl)
		}
	}
	if len(seen) != 2 || !seen["live"] || !seen["down"] {
		t.Fatalf("clusters: %+v", out)
	}
}

// TestMCPOnTheSameListener: an agent uses the console's address for MCP.
func TestMCPOnTheSameListener(t *testing.T) {
	c := startConsole(t)
	ctx := context.Background()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "agent"}, nil).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: c.base + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "namespaces_list", Arguments: map[string]any{"cluster": "live"}})
	if err != nil || res.IsError {
		t.Fatalf("namespaces_list: %+v %v", res, err)
	}
}

// TestNoClusterCredentialReachesTheBrowser reads everything the API serves
// about clusters and looks for the kubeconfig's token and CA in it.
func TestNoClusterCredentialReachesTheBrowser(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	c.do(t, "GET", "/api/clusters", nil)
	c.do(t, "GET", "/api/me", nil)
	for _, kind := range []string{"pods", "events", "nodes"} {
		c.stream(t, "/api/stream/"+kind, 20*time.Second)
	}
	served := c.bodies.String()
	if !strings.Contains(served, "cluster_data") {
		t.Fatal("nothing was streamed: the test would prove nothing")
	}
	ca := strings.Split(strings.TrimSpace(string(env.CAData())), "\n")
	for what, secret := range map[string]string{
		"the bearer token":           env.Users["admin"].Token,
		"the CA (PEM)":               ca[1], // the first line of its body
		"the CA (base64 of the PEM)": base64.StdEncoding.EncodeToString(env.CAData())[:40],
	} {
		if strings.Contains(served, secret) {
			t.Errorf("%s reached the browser", what)
		}
	}
}

// TestToolsRunAsTheSignedInUser: the bridge's calls reach kubemcp as the
// console's user, as the audit log records them.
func TestToolsRunAsTheSignedInUser(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "audit.log")
	c := startConsole(t, "--audit-file", audit)
	c.login(t)
	c.stream(t, "/api/stream/nodes?cluster=live", 10*time.Second)
	c.do(t, "GET", "/api/clusters", nil)
	data, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, tool := range []string{"nodes_list", "clusters_list"} {
		if !slices.ContainsFunc(lines, func(l string) bool {
			return strings.Contains(l, `"tool":"`+tool+`"`) && strings.Contains(l, `"identity":"dev"`)
		}) {
			t.Errorf("no audit line of %s as dev:\n%s", tool, data)
		}
	}
}

// TestStreamEndsWhenAClusterHangs: a cluster that accepts connections and
// never answers is reported after kubemcp's per-cluster timeout (3 s here),
// and the stream ends; no spinner waits forever.
func TestStreamEndsWhenAClusterHangs(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	if err := env.PauseAPIServer(); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if err := env.ResumeAPIServer(); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer resume()
	// SIGSTOP takes a moment to stop every thread: wait until a TLS
	// handshake, which needs the process, no longer completes.
	testenv.Eventually(t, 5*time.Second, "the kube-apiserver to hang", func() bool {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 200 * time.Millisecond}, "tcp",
			strings.TrimPrefix(env.Server, "https://"), &tls.Config{InsecureSkipVerify: true})
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	start := time.Now()
	got, done := byCluster(t, c.stream(t, "/api/stream/pods?cluster=live", 15*time.Second))
	took := time.Since(start)
	resume()
	if got["live"].name != "cluster_error" || !strings.Contains(got["live"].data["error"].(string), "3s") || done.data["completedClusters"] != 0.0 {
		t.Fatalf("a hung cluster: %+v, done %+v", got, done.data)
	}
	if took > 10*time.Second {
		t.Fatalf("the stream took %s", took)
	}
}
