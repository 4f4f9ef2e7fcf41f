package cache_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/tools/core"
	"github.com/kubemcp/kubemcp/internal/tools/pods"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// serve serves the pods and core toolsets over s's clusters, with s's cache or
// without, to a real MCP client; user, if set, is bound as every call's
// caller.
func serve(t *testing.T, s cache.Stack, cached bool, user string) *mcp.ClientSession {
	t.Helper()
	deps := toolset.Deps{Clusters: s.Clusters}
	if cached {
		deps.Cache = s.Cache
	}
	opts := mcpserver.Options{Tools: append(pods.New(deps, pods.Options{}).Tools(), core.New(deps).Tools()...)}
	if user != "" {
		opts.Bind = func(next mcp.MethodHandler) mcp.MethodHandler {
			return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
				return next(cache.As(ctx, user), method, req)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ct, st := mcp.NewInMemoryTransports()
	if _, err := mcpserver.New(opts).Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "cache-test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func call(t *testing.T, cs *mcp.ClientSession, args map[string]any) (text, structured string) {
	t.Helper()
	r := callResult(t, cs, "pods_list", args)
	return r.text, r.structured
}

// result is a tool result made comparable.
type result struct {
	isError          bool
	text, structured string
}

func callResult(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) result {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.StructuredContent)
	return result{res.IsError, res.Content[0].(*mcp.TextContent).Text, string(b)}
}

// TestPodsListGolden: over the seeded world, pods_list answers from the
// cache exactly as from the apiserver, text and structured content, in
// several scopes, with selectors, small budgets (the page cut) and a deny
// rule, for each of goldenCallers.
func TestPodsListGolden(t *testing.T) {
	grantCarol(t)
	pol := policy.Config{Deny: []policy.Rule{{Kinds: []string{"Pod"}, Namespaces: []string{"kube-system"}}}}
	for _, c := range []struct {
		name string
		pol  policy.Config
		args []map[string]any
	}{
		{"no-policy", policy.Config{}, []map[string]any{
			{}, {"namespace": testenv.NamespaceShop}, {"namespace": testenv.NamespacePayments}, {"namespace": testenv.NamespaceMonitoring},
			{"label_selector": "app=frontend"}, {"namespace": testenv.NamespaceShop, "label_selector": "app in (frontend,cart)"},
			{"label_selector": "!app"}, {"namespace": "nowhere"}, {"label_selector": "app=none"}, {"label_selector": "a in ("},
			{"max_bytes": 300}, {"limit": 2}, {"namespace": testenv.NamespaceShop, "limit": 2},
		}},
		{"deny-kube-system", pol, []map[string]any{{}, {"namespace": "kube-system"}, {"namespace": testenv.NamespaceShop}}},
	} {
		for _, who := range goldenCallers {
			t.Run(fmt.Sprintf("%s/%s/%s", c.name, who.mode, who.user), func(t *testing.T) {
				s := cache.NewStack(t, who.mode, c.pol, nil)
				same := sameAs(t, serve(t, s, false, who.user), serve(t, s, true, who.user))
				for _, args := range c.args {
					same("pods_list", args)
				}
			})
		}
	}
}

// TestPodsListPartial: a caller refused the all-namespace list gets the
// pods of the namespaces it may list, and both text and structured content
// say the answer is partial and why.
func TestPodsListPartial(t *testing.T) {
	w := newWorld(t)
	s := cache.NewStack(t, clusters.Impersonate, policy.Config{}, nil)
	text, structured := call(t, serve(t, s, true, "alice"), map[string]any{})
	var out pods.ListOut
	if err := json.Unmarshal([]byte(structured), &out); err != nil {
		t.Fatal(err)
	}
	// Namespaces of earlier tests (and runs: without a namespace controller
	// they never finish deleting) may be alice's too: count only this one's.
	mine := 0
	for _, p := range out.Pods {
		if p.Namespace == w.b {
			t.Fatalf("a pod of %s, which alice may not list, in her answer: %s", w.b, structured)
		}
		if p.Namespace == w.a {
			mine++
		}
	}
	if !strings.HasPrefix(text, "Partial: You may not list pods in all namespaces") || !strings.Contains(out.Partial, w.a) || mine != 3 {
		t.Fatalf("text:\n%s\nstructured: %s", text, structured)
	}
}
