package pods

import (
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestTop asks for usage first on a cluster without metrics-server, then
// enables testenv's metrics backend behind the real aggregator. It is the
// only test here that needs metrics; the others do not mind them.
func TestTop(t *testing.T) {
	cs := toolsettest.Serve(t, newPods)
	t.Run("no metrics-server", func(t *testing.T) {
		for _, tool := range []string{"pods_top", "nodes_top"} {
			r := cs.Call(t, tool, map[string]any{})
			r.Expect(t, true, "metrics-server is not installed", "metrics.k8s.io/v1beta1")
			r.Lacks(t, "the server could not find the requested resource")
		}
	})
	if err := env.EnableMetrics(t.Context()); err != nil {
		t.Fatal(err)
	}
	front, cart := testenv.FrontendPods(), testenv.CartPods()
	env.Metrics.SetPodUsage("shop", front[0], "frontend", "15m", "40Mi")
	env.Metrics.SetPodUsage("shop", front[1], "frontend", "250m", "30Mi")
	env.Metrics.SetPodUsage("shop", cart[0], "cart", "120m", "300Mi")
	env.Metrics.SetPodUsage("monitoring", testenv.PodOOMKilled, "log-aggregator", "90m", "63Mi")
	env.Metrics.SetNodeUsage(testenv.NodeName, "1500m", "6Gi")

	names := func(t *testing.T, r toolsettest.Result) []string {
		var out TopPodsOut
		r.Decode(t, &out)
		var got []string
		for _, p := range out.Pods {
			got = append(got, p.Name)
		}
		return got
	}
	tests := []struct {
		name  string
		args  map[string]any
		want  []string
		lacks []string
		pods  []string
	}{
		{"namespace by name", map[string]any{"namespace": "shop"}, []string{"NAME", "CPU", "MEMORY", "250m", "300Mi", "Total over 3 pods: CPU 385m, memory 370Mi."},
			[]string{"NAMESPACE"}, []string{cart[0], front[0], front[1]}},
		{"sort by memory", map[string]any{"namespace": "shop", "sort_by": "memory"}, nil, nil, []string{cart[0], front[0], front[1]}},
		{"sort by cpu", map[string]any{"namespace": "shop", "sort_by": "cpu"}, nil, nil, []string{front[1], cart[0], front[0]}},
		{"all namespaces", map[string]any{"sort_by": "cpu"}, []string{"NAMESPACE", "monitoring", testenv.PodOOMKilled, "63Mi"}, nil,
			[]string{front[1], cart[0], testenv.PodOOMKilled, front[0]}},
		{"label selector", map[string]any{"namespace": "shop", "label_selector": "app=frontend"}, nil, []string{cart[0]}, []string{front[0], front[1]}},
		{"one pod", map[string]any{"namespace": "shop", "name": cart[0]}, []string{"120m"}, nil, []string{cart[0]}},
		{"per container", map[string]any{"namespace": "monitoring", "containers": true}, []string{"POD", "CONTAINER", "log-aggregator", "90m"}, nil,
			[]string{testenv.PodOOMKilled}},
		{"no usage in namespace", map[string]any{"namespace": "payments"}, []string{`No usage reported for pods in namespace "payments"`}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cs.Call(t, "pods_top", tt.args)
			r.Expect(t, false, tt.want...)
			r.Lacks(t, tt.lacks...)
			if got := names(t, r); !slices.Equal(got, tt.pods) {
				t.Errorf("pods %v, want %v", got, tt.pods)
			}
		})
	}
	t.Run("pod without usage", func(t *testing.T) {
		cs.Call(t, "pods_top", map[string]any{"namespace": "shop", "name": front[2]}).
			Expect(t, true, `no usage reported for pods "`+front[2]+`" in namespace "shop"`)
	})
	t.Run("bad sort", func(t *testing.T) {
		cs.Call(t, "pods_top", map[string]any{"sort_by": "disk"}).Expect(t, true, `sort_by "disk": want cpu or memory`)
	})
	t.Run("nodes", func(t *testing.T) {
		r := cs.Call(t, "nodes_top", map[string]any{"sort_by": "memory"})
		r.Expect(t, false, "CPU%", "MEMORY%", testenv.NodeName, "1500m", "37%", "6144Mi")
		var out TopNodesOut
		r.Decode(t, &out)
		if len(out.Nodes) != 1 || out.Nodes[0].CPUPercent == nil || *out.Nodes[0].CPUPercent != 37 || out.Nodes[0].MemoryBytes != 6<<30 {
			t.Errorf("structured %+v", out)
		}
		cs.Call(t, "nodes_top", map[string]any{"label_selector": "kubernetes.io/os=windows"}).Expect(t, false, "No usage reported for nodes")
		cs.Call(t, "nodes_top", map[string]any{"name": "node-9"}).Expect(t, true, `no usage reported for nodes "node-9"`)
	})
	t.Run("alice forbidden", func(t *testing.T) {
		r := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, newPods).Call(t, "pods_top", map[string]any{"namespace": "shop"})
		r.Expect(t, true, "forbidden", "pods.metrics.k8s.io", `namespace "shop"`)
		if strings.Contains(r.Text, "not installed") {
			t.Errorf("forbidden reported as missing metrics-server:\n%s", r.Text)
		}
		toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, newPods).Call(t, "nodes_top", map[string]any{}).Expect(t, true, "forbidden", "nodes.metrics.k8s.io")
	})
}

// TestMetricsBackendDown: an APIService whose backend does not answer makes
// the aggregator reply 503; that is metrics-server down, not missing.
func TestMetricsBackendDown(t *testing.T) {
	err := metricsErr(t.Context(), nil, apierrors.NewServiceUnavailable("the server is currently unable to handle the request"), toolset.Op{})
	if err == nil || !strings.Contains(err.Error(), "installed but not running") || !strings.Contains(err.Error(), "k8s-app=metrics-server") {
		t.Fatalf("got %v", err)
	}
}
