package pods

import (
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestPodsList keeps the behaviour pods_list had in the core toolset.
func TestPodsList(t *testing.T) {
	cs := toolsettest.Serve(t, New)
	tests := []struct {
		name    string
		args    map[string]any
		isError bool
		want    []string
		lacks   []string
		pods    int // -1: don't check
	}{
		{"namespace", map[string]any{"namespace": "shop"}, false,
			[]string{"NAME", "READY", "STATUS", testenv.FrontendPods()[0], "Running", "node-1"}, []string{"NAMESPACE"}, 5},
		{"all namespaces", map[string]any{}, false, []string{"NAMESPACE", testenv.PodCrashLoop, "CrashLoopBackOff", "ImagePullBackOff", "Unschedulable"}, nil, -1},
		{"label selector", map[string]any{"namespace": "shop", "label_selector": "app=cart"}, false, []string{testenv.CartPods()[1]}, []string{"frontend"}, 2},
		{"none", map[string]any{"namespace": "shop", "label_selector": "app=nothing"}, false, []string{`No pods in namespace "shop" matching "app=nothing"`}, nil, 0},
		{"bad selector", map[string]any{"label_selector": "app in (("}, true, []string{"invalid"}, nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cs.Call(t, "pods_list", tt.args)
			r.Expect(t, tt.isError, tt.want...)
			r.Lacks(t, tt.lacks...)
			if tt.pods < 0 {
				return
			}
			var out ListOut
			r.Decode(t, &out)
			if len(out.Pods) != tt.pods {
				t.Errorf("%d pods in structuredContent, want %d", len(out.Pods), tt.pods)
			}
		})
	}
	t.Run("alice forbidden", func(t *testing.T) {
		toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New).Call(t, "pods_list", map[string]any{"namespace": "shop"}).
			Expect(t, true, "forbidden", `"list"`, "pods", `namespace "shop"`, "alice")
	})
}
