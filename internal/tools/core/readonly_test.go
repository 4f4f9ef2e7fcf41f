package core

import (
	"testing"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestWritesRefusedReadOnly: with kubemcp's read-only policy beneath the
// client, every write tool (dry runs included: they are writes to the API)
// is refused with a sentence naming read-only mode, and nothing changes.
func TestWritesRefusedReadOnly(t *testing.T) {
	ns := toolsettest.Namespace(t, "read-only")
	createConfigMap(t, ns, "cfg")
	s := toolsettest.ServeWith(t, toolsettest.Options{ReadOnly: true}, New)
	tests := []struct {
		tool string
		args map[string]any
	}{
		{"resources_apply", map[string]any{"manifest": configMapYAML("cfg", "red"), "namespace": ns}},
		{"resources_apply", map[string]any{"manifest": configMapYAML("new", "red"), "namespace": ns}},
		{"resources_patch", map[string]any{"resource": "cm", "namespace": ns, "name": "cfg", "patch": `{"data":{"color":"red"}}`}},
		{"resources_delete", map[string]any{"resource": "cm", "namespace": ns, "name": "cfg"}},
		{"resources_delete", map[string]any{"resource": "cm", "namespace": ns, "name": "cfg", "dry_run": true}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			toolsettest.Want(t, s.Fails(t, tt.tool, tt.args), "read-only", "kubemcp's own policy")
			if got := configMapColor(t, ns, "cfg"); got != "blue" {
				t.Errorf("color = %q", got)
			}
			if exists(t, ns, "new") {
				t.Error("apply created an object")
			}
		})
	}
	// Reads still work.
	s.OK(t, "resources_get", map[string]any{"resource": "cm", "namespace": ns, "name": "cfg"}, nil)
}
