package apps_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/apps"
)

// views are the tools with a view, and the view's URI.
var views = map[string]string{
	"cluster_health":     "ui://kubemcp/cluster-health",
	"find_issues":        "ui://kubemcp/pod-issues",
	"nodes_top":          "ui://kubemcp/node-use",
	"namespace_overview": "ui://kubemcp/namespace-overview",
}

// uiMeta is a tool's _meta.ui as a host reads it.
type uiMeta struct {
	ResourceURI string   `json:"resourceUri"`
	Visibility  []string `json:"visibility"`
}

func uiOf(t *testing.T, tool *mcp.Tool) *uiMeta {
	t.Helper()
	raw, err := json.Marshal(tool.Meta)
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ UI *uiMeta }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.UI
}

func TestDeclaringClientSeesViews(t *testing.T) {
	server := newServer(t)
	cs := connect(t, server, "text/html", apps.MIMEType)
	if _, ok := cs.InitializeResult().Capabilities.Extensions[apps.Extension]; !ok {
		t.Errorf("the server does not declare %s", apps.Extension)
	}
	tools := map[string]*mcp.Tool{}
	for tool, err := range cs.Tools(testContext(t), nil) {
		if err != nil {
			t.Fatal(err)
		}
		tools[tool.Name] = tool
	}
	for name, uri := range views {
		ui := uiOf(t, tools[name])
		if ui == nil || ui.ResourceURI != uri {
			t.Errorf("%s: _meta.ui = %+v, want resourceUri %s", name, ui, uri)
		}
	}
	if ui := uiOf(t, tools[apps.RefreshTool]); ui == nil || !reflect.DeepEqual(ui.Visibility, []string{"app"}) {
		t.Errorf("%s: _meta.ui = %+v, want visibility [app]", apps.RefreshTool, ui)
	}
	if ui := uiOf(t, tools["pods_list"]); ui != nil {
		t.Errorf("pods_list has no view, yet _meta.ui = %+v", ui)
	}

	listed := map[string]string{}
	for r, err := range cs.Resources(testContext(t), nil) {
		if err != nil {
			t.Fatal(err)
		}
		listed[r.URI] = r.MIMEType
	}
	for _, uri := range views {
		if listed[uri] != apps.MIMEType {
			t.Errorf("resources/list: %s has MIME type %q, want %q", uri, listed[uri], apps.MIMEType)
		}
		checkPage(t, cs, uri)
	}
}

// checkPage reads a view and checks it is one self-contained page: a host's
// default Content-Security-Policy lets a view load nothing.
func checkPage(t *testing.T, cs *mcp.ClientSession, uri string) {
	t.Helper()
	res, err := cs.ReadResource(testContext(t), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatalf("reading %s: %v", uri, err)
	}
	if len(res.Contents) != 1 || res.Contents[0].MIMEType != apps.MIMEType {
		t.Fatalf("reading %s: %+v, want one content of type %s", uri, res.Contents, apps.MIMEType)
	}
	page := res.Contents[0].Text
	if !strings.HasPrefix(page, "<!doctype html>") || !strings.Contains(page, "kubemcp.view(") {
		t.Errorf("%s is not a view page:\n%.300s", uri, page)
	}
	for _, external := range []string{"src=", "href=", "@import", "fetch(", "http:", "https:"} {
		if strings.Contains(page, external) {
			t.Errorf("%s holds %q: a view must load nothing", uri, external)
		}
	}
	if len(page) > 16<<10 {
		t.Errorf("%s is %d bytes; views are meant to be small", uri, len(page))
	}
}

func TestOtherClientsSeeNoViews(t *testing.T) {
	server := newServer(t)
	// A declaring client lists first: what it sees must not leak to others.
	if _, err := connect(t, server, apps.MIMEType).ListTools(testContext(t), nil); err != nil {
		t.Fatal(err)
	}
	for name, mimeTypes := range map[string][]string{"no extension": nil, "other MIME types": {"text/uri-list"}} {
		t.Run(name, func(t *testing.T) {
			cs := connect(t, server, mimeTypes...)
			for tool, err := range cs.Tools(testContext(t), nil) {
				if err != nil {
					t.Fatal(err)
				}
				if tool.Name == apps.RefreshTool || tool.Meta["ui"] != nil {
					t.Errorf("tools/list offers %s with _meta %v", tool.Name, tool.Meta)
				}
			}
			for r, err := range cs.Resources(testContext(t), nil) {
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasPrefix(r.URI, "ui://") {
					t.Errorf("resources/list offers %s", r.URI)
				}
			}
			if _, err := cs.ReadResource(testContext(t), &mcp.ReadResourceParams{URI: views["cluster_health"]}); err == nil {
				t.Error("reading a view succeeded")
			}
			if _, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: apps.RefreshTool, Arguments: map[string]any{"tool": "cluster_health"}}); err == nil {
				t.Errorf("calling %s succeeded", apps.RefreshTool)
			}
		})
	}
}

// TestRefresh calls the refresh as a view does and gets what the tool itself
// answers.
func TestRefresh(t *testing.T) {
	cs := connect(t, newServer(t), apps.MIMEType)
	args := map[string]any{"namespace": "payments"}
	direct, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: "find_issues", Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	refreshed, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: apps.RefreshTool, Arguments: map[string]any{"tool": "find_issues", "arguments": args}})
	if err != nil {
		t.Fatal(err)
	}
	if refreshed.IsError || !reflect.DeepEqual(refreshed.StructuredContent, direct.StructuredContent) {
		t.Errorf("refresh answered %+v, the tool %+v", refreshed.StructuredContent, direct.StructuredContent)
	}
	if !strings.Contains(textOf(refreshed), "payments") {
		t.Errorf("refresh text does not name the namespace:\n%s", textOf(refreshed))
	}

	bad, err := cs.CallTool(testContext(t), &mcp.CallToolParams{Name: apps.RefreshTool, Arguments: map[string]any{"tool": "pods_delete"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bad.IsError || !strings.Contains(textOf(bad), "cluster_health, find_issues") {
		t.Errorf("a refresh of a tool without a view: %+v, want an error naming the views' tools", bad)
	}
}

func textOf(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
