package pods

import (
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestPodsList keeps the behaviour pods_list had in the core toolset.
func TestPodsList(t *testing.T) {
	cs := toolsettest.Serve(t, newPods)
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
		toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, newPods).Call(t, "pods_list", map[string]any{"namespace": "shop"}).
			Expect(t, true, "forbidden", `"list"`, "pods", `namespace "shop"`, "alice")
	})
}

// TestPodsListPages: a list cut at the byte budget names the call for the
// rest, and following the calls shows every pod exactly once.
func TestPodsListPages(t *testing.T) {
	cs := toolsettest.Serve(t, newPods)
	var all ListOut
	cs.OK(t, "pods_list", map[string]any{}, &all)
	seen := map[string]int{}
	args := map[string]any{"max_bytes": 1024}
	pages := 1
	for ; ; pages++ {
		if pages > len(all.Pods) {
			t.Fatalf("more pages than pods: %v", seen)
		}
		var out ListOut
		text := cs.OK(t, "pods_list", args, &out)
		if len(text) > 1024 {
			t.Errorf("page %d is %d bytes, more than its budget of 1024", pages, len(text))
		}
		for _, p := range out.Pods {
			seen[p.Namespace+"/"+p.Name]++
		}
		if out.Continue == "" {
			break
		}
		toolsettest.Want(t, text, `pods_list {"max_bytes":1024,"continue":"`+out.Continue+`"}`)
		args["continue"] = out.Continue
	}
	if pages < 2 {
		t.Fatalf("%d pods fit in one page of 1024 bytes: the test shows nothing", len(all.Pods))
	}
	if len(seen) != len(all.Pods) {
		t.Errorf("the pages showed %d pods, the list has %d", len(seen), len(all.Pods))
	}
	for pod, n := range seen {
		if n != 1 {
			t.Errorf("%s shown %d times", pod, n)
		}
	}
	cs.Call(t, "pods_list", map[string]any{"limit": -1}).Expect(t, true, "limit -1")
}
