package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// updateShots writes the views' screenshots to docs/screenshots; without it
// they go to a temporary folder, so a test run leaves the tree as it was.
var updateShots = flag.Bool("update-shots", false, "save the MCP Apps views' screenshots in docs/screenshots")

const chromium = "/usr/bin/chromium"

// renderedView is what apps-host/run.mjs saw of one view.
type renderedView struct {
	Tool      string `json:"tool"`
	Text      string `json:"text"`
	Refreshed string `json:"refreshed"`
	Calls     []struct {
		Name      string `json:"name"`
		Arguments struct {
			Tool      string         `json:"tool"`
			Arguments map[string]any `json:"arguments"`
		} `json:"arguments"`
	} `json:"calls"`
	Errors  []string `json:"errors"`
	Logs    []string `json:"logs"`
	Sandbox string   `json:"sandbox"`
}

// TestAppsHost renders each MCP Apps view in Chromium, in a sandboxed iframe
// of a host page built on the extension's own host bridge, from a real call
// of a real kubemcp on the test cluster; then clicks the view's Refresh after
// the cluster changed, and finds the change.
func TestAppsHost(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no %s: run `make browser` (scripts/install-chromium.sh) to install Debian's Chromium", chromium)
	}
	crashing := crashLoopingPod(t, "payments")
	useNode(t, "1500m", "3Gi")
	type check struct {
		tool                  string
		args                  map[string]any
		want, wantAfterChange []string
		change                func()
	}
	checks := []check{
		{tool: "cluster_health", want: []string{"ready", "1 of 1", "CrashLoopBackOff"}},
		{tool: "find_issues", args: map[string]any{"namespace": "payments"}, want: []string{crashing, "CrashLoopBackOff", "payments"}},
		{tool: "nodes_top", want: []string{env.NodeName, "1.5 cores", "3.0 GiB"},
			change: func() { useNode(t, "250m", "1Gi") }, wantAfterChange: []string{"250m", "1.0 GiB"}},
		{tool: "namespace_overview", args: map[string]any{"namespace": "payments"}, want: []string{"Namespace payments", "deployments", crashing}},
	}
	var views []map[string]any
	for _, c := range checks {
		views = append(views, map[string]any{"tool": c.tool, "args": c.args})
	}
	got := runHost(t, views, func(tool string) {
		for _, c := range checks {
			if c.tool == tool && c.change != nil {
				c.change()
			}
		}
	})
	if len(got) != len(checks) {
		t.Fatalf("%d views rendered, want %d", len(got), len(checks))
	}
	for i, c := range checks {
		t.Run(c.tool, func(t *testing.T) {
			v := got[i]
			if len(v.Errors)+len(v.Logs) > 0 {
				t.Fatalf("errors %q, console %q", v.Errors, v.Logs)
			}
			if v.Sandbox != "allow-scripts" {
				t.Errorf("iframe sandbox %q", v.Sandbox)
			}
			for _, w := range c.want {
				if !strings.Contains(v.Text, w) {
					t.Errorf("the view does not show %q:\n%s", w, v.Text)
				}
			}
			if len(v.Calls) != 1 || v.Calls[0].Name != "view_refresh" || v.Calls[0].Arguments.Tool != c.tool ||
				fmt.Sprint(v.Calls[0].Arguments.Arguments) != fmt.Sprint(orEmpty(c.args)) {
				t.Errorf("refresh called %+v, want view_refresh of %s with %v", v.Calls, c.tool, c.args)
			}
			want := c.want
			if c.wantAfterChange != nil {
				want = c.wantAfterChange
			}
			for _, w := range want {
				if !strings.Contains(v.Refreshed, w) {
					t.Errorf("after Refresh the view does not show %q:\n%s", w, v.Refreshed)
				}
			}
		})
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// runHost runs apps-host/run.mjs against a kubemcp serving the test cluster
// over HTTP. between is called after each view is drawn, before its Refresh.
func runHost(t *testing.T, views []map[string]any, between func(tool string)) []renderedView {
	t.Helper()
	shots := t.TempDir()
	if *updateShots {
		shots = filepath.Join(repoRoot(t), "docs", "screenshots")
	}
	spec, err := json.Marshal(views)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBinary(t), filepath.Join(nodeDir(t), "apps-host", "run.mjs"),
		"--url", startHTTP(t, env.Kubeconfig), "--chromium", chromium, "--shots", shots, "--views", string(spec))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var result struct {
		Rendered string         `json:"rendered"`
		Views    []renderedView `json:"views"`
	}
	for sc := bufio.NewScanner(stdout); sc.Scan(); {
		result.Rendered = ""
		if err := json.Unmarshal(sc.Bytes(), &result); err != nil {
			t.Fatalf("run.mjs printed %q: %v", sc.Text(), err)
		}
		if result.Rendered != "" {
			between(result.Rendered)
			fmt.Fprintln(stdin)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run.mjs: %v\n%s", err, stderr.String())
	}
	return result.Views
}

// crashLoopingPod is the name of a pod in ns whose container is in
// CrashLoopBackOff.
func crashLoopingPod(t *testing.T, ns string) string {
	t.Helper()
	pods, err := env.Clientset("admin").CoreV1().Pods(ns).List(testContext(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		for _, s := range p.Status.ContainerStatuses {
			if s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff" {
				return p.Name
			}
		}
	}
	t.Fatalf("no pod in %s is in CrashLoopBackOff: the seed changed", ns)
	return ""
}

// useNode makes the metrics API (started once) report this usage of the
// test cluster's node.
func useNode(t *testing.T, cpu, memory string) {
	t.Helper()
	if env.Metrics == nil {
		if err := env.EnableMetrics(testContext(t)); err != nil {
			t.Fatal(err)
		}
	}
	env.Metrics.SetNodeUsage(env.NodeName, cpu, memory)
}

// TestAppsOverHTTP: a real kubemcp process offers the views to a client that
// declares the extension, in both protocol eras (a 2026-07-28 client declares
// it in every request's _meta), and not to one that does not.
func TestAppsOverHTTP(t *testing.T) {
	url := startHTTP(t, env.Kubeconfig)
	for _, version := range []string{"2026-07-28", "2025-11-25"} {
		for _, declare := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s declaring %v", version, declare), func(t *testing.T) {
				caps := &mcp.ClientCapabilities{}
				if declare {
					caps.AddExtension("io.modelcontextprotocol/ui", map[string]any{"mimeTypes": []string{"text/html;profile=mcp-app"}})
				}
				client := mcp.NewClient(&mcp.Implementation{Name: "e2e-apps", Version: "v0"}, &mcp.ClientOptions{Capabilities: caps})
				cs := connectWith(t, client, &mcp.StreamableClientTransport{Endpoint: url}, &mcp.ClientSessionOptions{ProtocolVersion: version})
				if got := cs.InitializeResult().ProtocolVersion; got != version {
					t.Fatalf("negotiated %s", got)
				}
				tools, err := cs.ListTools(testContext(t), nil)
				if err != nil {
					t.Fatal(err)
				}
				var linked []string
				for _, tool := range tools.Tools {
					if ui, ok := tool.Meta["ui"].(map[string]any); ok && ui["resourceUri"] != nil {
						linked = append(linked, tool.Name)
					}
				}
				page, err := cs.ReadResource(testContext(t), &mcp.ReadResourceParams{URI: "ui://kubemcp/cluster-health"})
				if declare && (len(linked) != 4 || err != nil || page.Contents[0].MIMEType != "text/html;profile=mcp-app") {
					t.Errorf("tools with a view %v, reading one: %v", linked, err)
				}
				if !declare && (len(linked) != 0 || err == nil) {
					t.Errorf("not declaring: tools with a view %v, reading one succeeded: %v", linked, err == nil)
				}
			})
		}
	}
}
