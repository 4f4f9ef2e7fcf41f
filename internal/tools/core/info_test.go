package core

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestAPIResourcesList(t *testing.T) {
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name   string
		args   map[string]any
		want   []string
		unwant []string
	}{
		{"one group", map[string]any{"api_group": "apps"}, []string{"deployments", "deploy", "apps/v1", "Deployment", "statefulsets"}, []string{"pods"}},
		{"core group", map[string]any{"api_group": "core"}, []string{"pods", "po", "configmaps"}, []string{"apps/v1"}},
		{"custom resources", map[string]any{"api_group": "example.kubemcp.io"}, []string{"widgets", "wdg", "example.kubemcp.io/v1", "Widget"}, nil},
		{"cluster-scoped", map[string]any{"namespaced": false}, []string{"nodes", "namespaces", "customresourcedefinitions"}, []string{"configmaps", "deployments"}},
		{"by verb", map[string]any{"verb": "create", "api_group": "authorization.k8s.io"}, []string{"selfsubjectaccessreviews"}, nil},
		{"nothing", map[string]any{"api_group": "nope.example"}, []string{"No served resources match"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out APIResourcesOut
			text := s.OK(t, "api_resources_list", tt.args, &out)
			toolsettest.Want(t, text, tt.want...)
			toolsettest.WantNone(t, text, tt.unwant...)
			if out.Resources == nil {
				t.Error("null resources")
			}
		})
	}
	var out APIResourcesOut
	s.OK(t, "api_resources_list", map[string]any{"api_group": "apps"}, &out)
	i := slices.IndexFunc(out.Resources, func(r APIResource) bool { return r.Name == "deployments" })
	if i < 0 || !out.Resources[i].Namespaced || !slices.Contains(out.Resources[i].ShortNames, "deploy") || !slices.Contains(out.Resources[i].Verbs, "patch") {
		t.Errorf("deployments: %+v", out.Resources)
	}
}

func TestClusterInfo(t *testing.T) {
	var out ClusterInfoOut
	text := toolsettest.Serve(t, New).OK(t, "cluster_info", nil, &out)
	toolsettest.Want(t, text, "Version:           v1.34.4", "example.kubemcp.io", "Nodes:             1 (1 ready)", env.Server)
	if out.Nodes == nil || *out.Nodes != 1 || out.APIGroups < 10 || out.Resources < 40 || !slices.Contains(out.ExtraGroups, "example.kubemcp.io") || slices.Contains(out.ExtraGroups, "apps") {
		t.Errorf("structured: %+v", out)
	}

	// alice may read the version and discovery but not nodes: the answer says so.
	alice := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
	toolsettest.Want(t, alice.OK(t, "cluster_info", nil, nil), "v1.34.4", "nodes: forbidden")
}

// TestClustersList reads a kubeconfig of two contexts, the second current,
// both reachable.
func TestClustersList(t *testing.T) {
	cfg, err := clientcmd.LoadFromFile(env.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	other := *cfg.Contexts[testenv.KubeContext]
	other.Namespace = "shop"
	cfg.Contexts["other"] = &other
	cfg.CurrentContext = "other"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	var out ClustersOut
	text := toolsettest.ServeWith(t, toolsettest.Options{Kubeconfig: path}, New).OK(t, "clusters_list", nil, &out)
	toolsettest.Want(t, text, "DEFAULT", "NAMESPACE", "other", "shop", testenv.KubeContext, env.Server, "v1.34.4")
	want := []ClusterStatus{
		{Name: testenv.KubeContext, Server: env.Server, Namespace: "default"},
		{Name: "other", Server: env.Server, Namespace: "shop", Default: true},
	}
	for i := range out.Clusters {
		got := &out.Clusters[i]
		if !got.Reachable || got.Version != "v1.34.4" || got.Nodes < 1 {
			t.Errorf("%s: reachable %v, version %q, nodes %d", got.Name, got.Reachable, got.Version, got.Nodes)
		}
		got.Reachable, got.Version, got.Nodes, got.LatencyMS = false, "", 0, 0 // checked above; the rest is compared whole
	}
	slices.SortFunc(out.Clusters, func(a, b ClusterStatus) int { return strings.Compare(a.Name, b.Name) })
	if !slices.Equal(out.Clusters, want) {
		t.Errorf("clusters = %+v, want %+v", out.Clusters, want)
	}
}
