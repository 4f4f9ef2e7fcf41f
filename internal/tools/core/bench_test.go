package core

import (
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// The hot paths of the toolset, through a real MCP client against the real
// apiserver, with discovery warm: what one call costs end to end.
func BenchmarkToolCalls(b *testing.B) {
	s := toolsettest.Serve(b, New)
	calls := []struct {
		name, tool string
		args       map[string]any
	}{
		{"resources_list/pods/table", "resources_list", map[string]any{"resource": "pods"}},
		{"resources_list/widgets/table", "resources_list", map[string]any{"resource": "widgets"}},
		{"resources_list/pods/yaml", "resources_list", map[string]any{"resource": "pods", "output": "yaml"}},
		{"resources_describe/pod", "resources_describe", map[string]any{"resource": "pods", "namespace": "payments", "name": testenv.PodCrashLoop}},
		{"events_list/warnings", "events_list", map[string]any{"warnings_only": true}},
		{"resources_explain/nested", "resources_explain", map[string]any{"resource": "deploy", "path": "spec.template.spec.containers.resources"}},
		{"resources_patch/dry_run", "resources_patch", map[string]any{"resource": "deploy", "namespace": "shop", "name": "frontend", "patch": `{"spec":{"replicas":4}}`, "dry_run": true}},
	}
	for _, c := range calls {
		s.OK(b, c.tool, c.args, nil) // warm discovery and caches
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				s.OK(b, c.tool, c.args, nil)
			}
		})
	}
}
