package pods

import (
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestPodsGet reads each seeded problem pod: the summary must name what is
// wrong without the model having to read the whole object.
func TestPodsGet(t *testing.T) {
	cs := toolsettest.Serve(t, newPods)
	tests := []struct {
		name, ns, pod string
		status        string
		want          []string
		check         func(t *testing.T, d Detail)
	}{
		{"crashloop", "payments", testenv.PodCrashLoop, "CrashLoopBackOff",
			[]string{"status: CrashLoopBackOff (phase Running), ready 0/1, restarts 7", "waiting: CrashLoopBackOff", "last termination: Error, exit code 1",
				"owner: ReplicaSet api-6c4b8d7f5 (controller)", "node: node-1", "back-off 5m0s restarting failed container"},
			func(t *testing.T, d Detail) {
				if lt := d.Containers[0].LastTermination; lt == nil || lt.ExitCode != 1 || lt.Reason != "Error" {
					t.Errorf("last termination %+v", lt)
				}
			}},
		{"image pull", "payments", testenv.PodImagePull, "ImagePullBackOff",
			[]string{"waiting: ImagePullBackOff", `<untrusted-data source="status messages of pod payments/` + testenv.PodImagePull + `">`, "image: registry.invalid/payments/ledger:3.1.0", `Back-off pulling image "registry.invalid`}, nil},
		{"unschedulable", "monitoring", testenv.PodUnschedulable, "Unschedulable",
			[]string{"status: Unschedulable (phase Pending)", "not scheduled", "PodScheduled False (Unschedulable)",
				"condition PodScheduled: 0/1 nodes are available: 1 Insufficient cpu", "owner: StatefulSet prometheus (controller)", "requests: cpu=8 memory=4Gi"},
			func(t *testing.T, d Detail) {
				if d.Node != "" || d.Containers[0].State != "" {
					t.Errorf("node %q, state %q: want neither", d.Node, d.Containers[0].State)
				}
			}},
		{"oomkilled", "monitoring", testenv.PodOOMKilled, "Running",
			[]string{"status: Running, ready 1/1", "last termination: OOMKilled, exit code 137", "limits: cpu=200m memory=64Mi", "restarts 4"},
			func(t *testing.T, d Detail) {
				if lt := d.Containers[0].LastTermination; lt == nil || lt.Reason != "OOMKilled" || lt.ExitCode != 137 {
					t.Errorf("last termination %+v", lt)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cs.Call(t, "pods_get", map[string]any{"namespace": tt.ns, "name": tt.pod})
			r.Expect(t, false, tt.want...)
			r.Lacks(t, "apiVersion:", "managedFields")
			var out GetOut
			r.Decode(t, &out)
			if out.Status != tt.status || out.Name != tt.pod || len(out.Containers) != 1 || out.Object != nil {
				t.Errorf("structured: status %q name %q containers %d object %v", out.Status, out.Name, len(out.Containers), out.Object != nil)
			}
			if tt.check != nil {
				tt.check(t, out.Detail)
			}
		})
	}
}

func TestPodsGetOutputAndErrors(t *testing.T) {
	cs := toolsettest.Serve(t, newPods)
	front := testenv.FrontendPods()[0]
	tests := []struct {
		name    string
		args    map[string]any
		isError bool
		want    []string
	}{
		{"yaml", map[string]any{"namespace": "shop", "name": front, "output": "yaml"}, false,
			[]string{"Pod shop/" + front, "status: Running", "apiVersion: v1", "kind: Pod", "nodeName: node-1"}},
		{"json", map[string]any{"namespace": "shop", "name": front, "output": "json"}, false, []string{`"kind": "Pod"`}},
		{"yaml within max_bytes", map[string]any{"namespace": "shop", "name": front, "output": "yaml", "max_bytes": 1500}, false,
			[]string{"Pod shop/" + front, "raise max_bytes"}},
		{"bad output", map[string]any{"namespace": "shop", "name": front, "output": "xml"}, true, []string{`output "xml": want yaml or json`}},
		{"no name", map[string]any{"namespace": "shop"}, true, []string{"name"}},
		{"not found", map[string]any{"namespace": "shop", "name": "nope"}, true, []string{`pods "nope" not found in namespace "shop"`, `pods_list {"namespace":"shop"}`}},
		{"default namespace", map[string]any{"name": front}, true, []string{`namespace "default"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cs.Call(t, "pods_get", tt.args)
			r.Expect(t, tt.isError, tt.want...)
			r.Lacks(t, "managedFields")
			if mb, ok := tt.args["max_bytes"].(int); ok && len(r.Text) > mb {
				t.Errorf("answer is %d bytes, max_bytes %d", len(r.Text), mb)
			}
			if tt.name == "yaml" {
				var out GetOut
				r.Decode(t, &out)
				if out.Object["kind"] != "Pod" {
					t.Errorf("structured object kind %v", out.Object["kind"])
				}
			}
		})
	}
	t.Run("alice forbidden", func(t *testing.T) {
		toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, newPods).Call(t, "pods_get", map[string]any{"namespace": "shop", "name": front}).
			Expect(t, true, "forbidden", `"get"`, "pods", `namespace "shop"`)
	})
}
