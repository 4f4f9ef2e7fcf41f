package resources

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

func TestParse(t *testing.T) {
	tests := []struct {
		uri  string
		want address
		bad  bool
	}{
		{uri: "k8s://prod/shop/deploy/web", want: address{cluster: "prod", namespace: "shop", resource: "deploy", name: "web", namespaced: true}},
		{uri: "k8s://prod/nodes/node-1", want: address{cluster: "prod", resource: "nodes", name: "node-1"}},
		{uri: "k8s://admin%40prod/widgets.example.com/w", want: address{cluster: "admin@prod", resource: "widgets.example.com", name: "w"}},
		{uri: "k8s://prod/web", bad: true},
		{uri: "k8s://prod/a/b/c/d", bad: true},
		{uri: "k8s://prod//pods/x", bad: true},
		{uri: "k8s://prod/shop/pods/%zz", bad: true},
		{uri: "file:///etc/passwd", bad: true},
	}
	for _, tt := range tests {
		got, err := parse(tt.uri)
		if tt.bad {
			if !errors.Is(err, errBadURI) {
				t.Errorf("parse(%q) = %+v, %v; want errBadURI", tt.uri, got, err)
			}
			continue
		}
		tt.want.uri = tt.uri
		if err != nil || got != tt.want {
			t.Errorf("parse(%q) = %+v, %v; want %+v", tt.uri, got, err, tt.want)
		}
	}
}

func TestURIRoundTrip(t *testing.T) {
	for _, ns := range []string{"shop", ""} {
		uri := URI("admin@prod", ns, "deployments.apps", "web")
		if want := "k8s://admin%40prod/"; !strings.HasPrefix(uri, want) {
			t.Errorf("URI %s, want it to start %s", uri, want)
		}
		a, err := parse(uri)
		if err != nil || a.cluster != "admin@prod" || a.namespace != ns || a.resource != "deployments.apps" || a.name != "web" {
			t.Errorf("URI %s parses to %+v, %v", uri, a, err)
		}
	}
}

// TestEscapedSegmentsMatchTheTemplates checks that go-sdk routes an escaped
// URI to the templates: the unknown cluster is named unescaped.
func TestEscapedSegmentsMatchTheTemplates(t *testing.T) {
	c := newRig(t, flavours[0], Options{}).connect(t, "admin")
	_, err := c.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: URI("admin@prod", "shop", "pods", "x")})
	if err == nil {
		t.Fatal("read of an unknown cluster succeeded")
	}
	contains(t, "the error", err.Error(), `cluster "admin@prod": unknown cluster`)
}

// TestAnotherCluster reads through a second context of the test cluster: the
// URI's cluster picks the client, and suggestions name a cluster that is not
// the default.
func TestAnotherCluster(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(path, "admin", cluster, map[string]*testenv.Env{cluster: env, "second": env}); err != nil {
		t.Fatal(err)
	}
	cs, _ := serveKubeconfig(t, path, "")
	got, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: URI("second", "shop", "cm", testenv.ConfigMapName)})
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "the read", got.Contents[0].Text, `of cluster "second"`, "name: "+testenv.ConfigMapName)
	_, err = cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: URI("second", "shop", "cm", "nope")})
	if err == nil {
		t.Fatal("read of a missing object succeeded")
	}
	contains(t, "the error", err.Error(), `resources_list {"cluster":"second","namespace":"shop","resource":"configmaps"}`)
}
