package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/tools/cli"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// modelBudget is the most the default tools may cost a model: what a client
// puts into its context on every turn (see modelView), so that kubemcp's
// tools leave room for the conversation. The goal was 14,000 bytes; it is
// kept just above what they cost now (13,596), so that it ratchets down.
const modelBudget = 13_650

// TestToolsListSize keeps tools/list from growing back: the default tools
// stay within modelBudget, and each other way of serving has a ceiling in
// bytes just above what it costs now. The test logs each total and the
// largest tools, the first to look at when a new tool needs room.
func TestToolsListSize(t *testing.T) {
	kubeconfig := offlineKubeconfig(t)
	for _, tt := range []struct {
		name    string
		setup   func(*config.Config)
		ceiling int
	}{
		{"default", func(*config.Config) {}, modelBudget},
		{"read-only", func(c *config.Config) { c.ReadOnly = true }, 9_100},
		{"cli on PATH", func(c *config.Config) { c.CLI = true }, 14_650},
		{"two clusters", func(c *config.Config) { c.Kubeconfig = twoClusters(t) }, 17_800},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Kubeconfig = kubeconfig
			tt.setup(&cfg)
			srv, err := NewServer(cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkSize(t, listTools(t, srv.MCP), tt.ceiling)
		})
	}
	// Which CLI tools exist depends on what is on PATH; these are all four,
	// whatever is installed here, in both modes.
	for _, tt := range []struct {
		readOnly bool
		ceiling  int
	}{{false, 17_600}, {true, 13_100}} {
		t.Run(fmt.Sprintf("every CLI tool, read-only %v", tt.readOnly), func(t *testing.T) {
			tools, err := toolset.Select(everyCLITool(t, kubeconfig, tt.readOnly), toolset.Filter{OptIn: []string{"cli"}, ReadOnly: tt.readOnly})
			if err != nil {
				t.Fatal(err)
			}
			checkSize(t, listTools(t, mcpserver.New(mcpserver.Options{Tools: tools})), tt.ceiling)
		})
	}
}

// everyCLITool is every toolset, with the CLI toolset as it is when all four
// CLIs are on PATH (whatever is installed here), built for read-only mode or
// not.
func everyCLITool(t *testing.T, kubeconfig string, readOnly bool) []toolset.Toolset {
	t.Helper()
	cl, err := clusters.New(clusters.Options{Kubeconfig: kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	deps := toolset.Deps{Clusters: cl}
	sets, err := toolsets(config.Default(), deps)
	if err != nil {
		t.Fatal(err)
	}
	opts := cli.Options{ReadOnly: readOnly, LookPath: func(name string) (string, error) { return "/bin/" + name, nil }}
	for i, ts := range sets {
		switch ts.Name() {
		case "cli":
			sets[i] = cli.New(deps, opts)
		case "shell":
			if sets[i], err = cli.NewShell(deps, opts, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	return sets
}

// twoClusters is a kubeconfig with two contexts, neither reachable.
func twoClusters(t *testing.T) string {
	return writeKubeconfig(t, "[{name: one, context: {cluster: c, user: u}}, {name: two, context: {cluster: c, user: u}}]", "one")
}

func listTools(t *testing.T, server *mcp.Server) []*mcp.Tool {
	t.Helper()
	ctx := context.Background()
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "size"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Tools
}

// modelView is what a client puts into a model's context for a tool: its
// name, description and input schema. Output schemas are for programs and
// annotations for the client's approval prompts; neither reaches the model.
type modelView struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	InputSchema any    `json:"inputSchema"`
}

// modelBytes is tool's modelView as compact JSON, as a model reads it (no
// HTML escapes).
func modelBytes(t *testing.T, tool *mcp.Tool) int {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(modelView{tool.Name, tool.Description, tool.InputSchema}); err != nil {
		t.Fatal(err)
	}
	return b.Len() - 1 // Encode ends with a newline
}

func checkSize(t *testing.T, tools []*mcp.Tool, ceiling int) {
	t.Helper()
	type sized struct {
		name  string
		bytes int
	}
	var each []sized
	total := 0
	for _, tool := range tools {
		n := modelBytes(t, tool)
		total += n
		each = append(each, sized{tool.Name, n})
	}
	slices.SortFunc(each, func(a, b sized) int { return b.bytes - a.bytes })
	largest := each[:min(5, len(each))]
	t.Logf("%d tools, %d bytes (ceiling %d); largest %v", len(tools), total, ceiling, largest)
	if total > ceiling {
		t.Errorf("tools cost a model %d bytes, more than the ceiling of %d; the five largest: %v", total, ceiling, largest)
	}
}
