package workloads

import (
	"testing"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestScale(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", revs("nginx:1.27"))
	statefulSet(t, ns, "db", revs("postgres:17"))
	daemonSet(t, ns, "agent", "fluent-bit:3")
	cs := toolsettest.Serve(t, New)

	r := cs.Call(t, "workloads_scale", map[string]any{"kind": "deploy", "namespace": ns, "name": "web", "replicas": 5})
	r.Expect(t, false, "deployment "+ns+"/web scaled: 2 -> 5 replicas")
	var out ScaleOut
	r.Decode(t, &out)
	if out.Previous != 2 || out.Replicas != 5 || !out.Changed || out.Kind != Deployment {
		t.Errorf("structured: %+v", out)
	}
	if got := *getDeployment(t, ns, "web").Spec.Replicas; got != 5 {
		t.Errorf("spec.replicas = %d after scaling to 5", got)
	}

	cs.Call(t, "workloads_scale", map[string]any{"kind": "deployment", "namespace": ns, "name": "web", "replicas": 5}).
		Expect(t, false, "already has 5 replicas; nothing changed")

	cs.Call(t, "workloads_scale", map[string]any{"kind": "StatefulSet", "namespace": ns, "name": "db", "replicas": 0}).
		Expect(t, false, "statefulset "+ns+"/db scaled: 1 -> 0 replicas")
	if got := *getStatefulSet(t, ns, "db").Spec.Replicas; got != 0 {
		t.Errorf("statefulset spec.replicas = %d after scaling to 0", got)
	}

	failures := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"daemonset", map[string]any{"kind": "ds", "namespace": ns, "name": "agent", "replicas": 2}, []string{"a DaemonSet cannot be scaled", "one pod on every node"}},
		{"negative", map[string]any{"kind": "deployment", "namespace": ns, "name": "web", "replicas": -1}, []string{"replicas -1: want 0 or more"}},
		{"not found", map[string]any{"kind": "deployment", "namespace": ns, "name": "nope", "replicas": 1}, []string{`"nope" not found`, ns, `resources_list {"resource":"deployments","namespace":"` + ns + `"}`}},
		{"bad kind", map[string]any{"kind": "cronjob", "namespace": ns, "name": "web", "replicas": 1}, []string{`kind "cronjob": want deployment, statefulset or daemonset`}},
		{"no name", map[string]any{"kind": "deployment", "namespace": ns, "replicas": 1}, []string{"name"}},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			cs.Call(t, "workloads_scale", f.args).Expect(t, true, f.want...)
		})
	}
}
