package app

import (
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

// targetToolBytes is the target for what a tool may cost on average in
// the tools/list a client puts into a model's context, as compact JSON (name,
// description, annotations, input and output schemas), so that kubemcp's tools
// leave room for the conversation.
const targetToolBytes = 600

// TestToolsListSize keeps tools/list from growing back: each way of serving
// has a ceiling a tool on average, at what it costs now. The ceilings are
// above targetToolBytes because the output schemas (about 230 bytes a tool)
// and the annotations (about 115) leave too little for the rest; the test
// logs how far each is from the target and names the largest tools.
func TestToolsListSize(t *testing.T) {
	kubeconfig := offlineKubeconfig(t)
	for _, tt := range []struct {
		name    string
		setup   func(*config.Config)
		ceiling int
	}{
		{"default", func(*config.Config) {}, 893},
		{"read-only", func(c *config.Config) { c.ReadOnly = true }, 920},
		{"cli on PATH", func(c *config.Config) { c.CLI = true }, 913},
		{"two clusters", func(c *config.Config) { c.Kubeconfig = twoClusters(t) }, 1015},
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
	}{{false, 965}, {true, 1030}} {
		t.Run(fmt.Sprintf("every CLI tool, read-only %v", tt.readOnly), func(t *testing.T) {
			cl, err := clusters.New(clusters.Options{Kubeconfig: kubeconfig})
			if err != nil {
				t.Fatal(err)
			}
			deps := toolset.Deps{Clusters: cl}
			sets := toolsets(config.Default(), deps)
			for i, ts := range sets {
				if ts.Name() == "cli" {
					sets[i] = cli.New(deps, cli.Options{ReadOnly: tt.readOnly, LookPath: func(name string) (string, error) { return "/bin/" + name, nil }})
				}
			}
			tools, err := toolset.Select(sets, toolset.Filter{OptIn: []string{"cli"}, ReadOnly: tt.readOnly})
			if err != nil {
				t.Fatal(err)
			}
			checkSize(t, listTools(t, mcpserver.New(mcpserver.Options{Tools: tools})), tt.ceiling)
		})
	}
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

func checkSize(t *testing.T, tools []*mcp.Tool, ceiling int) {
	t.Helper()
	all, err := json.Marshal(tools)
	if err != nil {
		t.Fatal(err)
	}
	type sized struct {
		name  string
		bytes int
	}
	var each []sized
	for _, tool := range tools {
		b, _ := json.Marshal(tool)
		each = append(each, sized{tool.Name, len(b)})
	}
	slices.SortFunc(each, func(a, b sized) int { return b.bytes - a.bytes })
	avg, largest := len(all)/len(tools), each[:min(5, len(each))]
	t.Logf("%d tools, %d bytes: %d a tool (target %d); largest %v", len(tools), len(all), avg, targetToolBytes, largest)
	if avg > ceiling {
		t.Errorf("tools/list averages %d bytes a tool, more than the ceiling of %d (target %d); the five largest: %v", avg, ceiling, targetToolBytes, largest)
	}
}
