package core

import (
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestResourcesExplain(t *testing.T) {
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"nested field through a list", map[string]any{"api_version": "apps/v1", "kind": "Deployment", "path": "spec.template.spec.containers.resources"},
			[]string{"KIND:     Deployment", "VERSION:  apps/v1", "FIELD:    spec.template.spec.containers.resources <ResourceRequirements>",
				"Compute Resources required by this container", "limits\t<map[string]Quantity>", "requests\t<map[string]Quantity>", "claims\t<[]ResourceClaim>"}},
		{"path starting with the kind, list type, required field", map[string]any{"resource": "deploy", "path": "deployment.spec.template.spec.containers"},
			[]string{"<[]Container>", "name\t<string> -required-", "image\t<string>"}},
		{"enum", map[string]any{"resource": "deployments", "path": "spec.strategy.type"}, []string{"ENUM:     Recreate, RollingUpdate"}},
		{"the kind itself", map[string]any{"resource": "cm"}, []string{"KIND:     ConfigMap", "data\t<map[string]string>", "metadata\t<ObjectMeta>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out ExplainOut
			toolsettest.Want(t, s.OK(t, "resources_explain", tt.args, &out), tt.want...)
			if out.Fields == nil || out.Enum == nil || out.Kind == "" {
				t.Errorf("structured: %+v", out)
			}
		})
	}
	toolsettest.Want(t, s.Fails(t, "resources_explain", map[string]any{"resource": "pods", "path": "spec.containerz"}),
		`field "containerz" does not exist in spec`, "containers, dnsConfig")
	toolsettest.Want(t, s.Fails(t, "resources_explain", map[string]any{"resource": "pods", "path": "metadata.name.x"}), "has no fields of its own")
}

// TestResourcesExplainCRD explains the seeded CRD's schema. The apiserver
// publishes a CRD's OpenAPI a moment after the CRD is Established, so the
// first calls may be told to try again shortly.
func TestResourcesExplainCRD(t *testing.T) {
	s := toolsettest.Serve(t, New)
	args := map[string]any{"resource": "widgets", "path": "spec"}
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := s.Call(t, "resources_explain", args)
		if !a.IsError {
			toolsettest.Want(t, a.Text, "KIND:     Widget", "VERSION:  example.kubemcp.io/v1", "size\t<integer>", "color\t<string>")
			return
		}
		if !strings.Contains(a.Text, "try again shortly") || time.Now().After(deadline) {
			t.Fatalf("explain widgets: %s", a.Text)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
