package core

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// serveCaller serves the core tools with the admin's kubeconfig as the
// server's own credential and creds for callers, in memory; every call comes
// from id, as the HTTP transport's authentication would have put it.
func serveCaller(t *testing.T, creds clusters.Credentials, id *identity.Identity) *toolsettest.Session {
	t.Helper()
	mgr, err := clusters.New(clusters.Options{Kubeconfig: env.Kubeconfig, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	bind := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			return next(identity.NewContext(ctx, id), method, req)
		}
	}
	server := mcpserver.New(mcpserver.Options{Tools: New(toolset.Deps{Clusters: mgr}).Tools(), Bind: bind})
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "callers", Version: "v0"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return &toolsettest.Session{ClientSession: cs}
}

func bearer(user, token string) *identity.Identity {
	return identity.WithBearer(identity.Identity{User: user}, token)
}

// TestDiscoveryAsCaller: api_resources_list and cluster_info answer from
// discovery the server's credential read, so they answer a caller only as
// far as the cluster lets that caller read it: a token the cluster does not
// accept, or a caller denied discovery, learns nothing; alice, with no
// grants, gets the API (every authenticated user may read discovery) but no
// nodes; the admin gets everything.
func TestDiscoveryAsCaller(t *testing.T) {
	tests := []struct {
		name   string
		creds  clusters.Credentials
		id     *identity.Identity
		fails  bool
		info   []string // in cluster_info's answer
		unwant []string // in neither answer
	}{
		{"revoked token", clusters.Passthrough, bearer("gone", "a-token-the-apiserver-does-not-know"), true,
			[]string{"401 Unauthorized"}, []string{"v1.34", "deployments", "example.kubemcp.io"}},
		{"caller denied discovery", clusters.Impersonate, &identity.Identity{User: "system:anonymous"}, true,
			[]string{"forbidden", `"/api"`}, []string{"v1.34", "deployments", "example.kubemcp.io"}},
		{"alice, no grants", clusters.Passthrough, bearer("alice", env.Users["alice"].Token), false,
			[]string{"v1.34.4", "example.kubemcp.io", "nodes: forbidden"}, []string{"Nodes:"}},
		{"alice impersonated", clusters.Impersonate, &identity.Identity{User: "alice", Groups: []string{"team-a"}}, false,
			[]string{"v1.34.4", "example.kubemcp.io", "nodes: forbidden"}, []string{"Nodes:"}},
		{"admin", clusters.Passthrough, bearer("admin", env.Users["admin"].Token), false,
			[]string{"v1.34.4", "example.kubemcp.io", "Nodes:             1 (1 ready)"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serveCaller(t, tt.creds, tt.id)
			resources := s.Call(t, "api_resources_list", map[string]any{"api_group": "apps"})
			info := s.Call(t, "cluster_info", nil)
			resources.Expect(t, tt.fails)
			info.Expect(t, tt.fails, tt.info...)
			if !tt.fails {
				toolsettest.Want(t, resources.Text, "deployments")
			}
			resources.Lacks(t, tt.unwant...)
			info.Lacks(t, tt.unwant...)
		})
	}
}
