package nodes

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestListSeededNode(t *testing.T) {
	r := toolsettest.Serve(t, New).Call(t, "nodes_list", map[string]any{"label_selector": "kubernetes.io/hostname=" + testenv.NodeName})
	r.Expect(t, false, "NAME", testenv.NodeName, "Ready", "v1.34.4", "127.0.0.1", "4/4", "16Gi/16Gi", "110/110")
	var out ListOut
	r.Decode(t, &out)
	if len(out.Nodes) != 1 {
		t.Fatalf("structured: %s", r.Structured)
	}
	n := out.Nodes[0]
	if n.Name != testenv.NodeName || !n.Ready || n.Status != "Ready" || n.Capacity.CPU != "4" || n.Capacity.Memory != "16Gi" || n.Allocatable.Pods != "110" ||
		n.InternalIP != "127.0.0.1" || len(n.Problems) != 0 || len(n.Conditions) != 4 || n.Taints == nil || n.Roles == nil {
		t.Errorf("node-1: %+v", n)
	}
}

func TestListProblems(t *testing.T) {
	name := toolsettest.Name(t, "")
	node(t, name, map[string]string{"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/gpu": "", "suite": name},
		[]corev1.Taint{{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule}},
		corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady", Message: "container runtime network not ready"},
		corev1.NodeCondition{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionTrue, Reason: "KubeletHasInsufficientMemory", Message: "kubelet has insufficient memory available"},
		corev1.NodeCondition{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse})
	cs := toolsettest.Serve(t, New)
	cs.Call(t, "nodes_cordon", map[string]any{"action": "cordon", "name": name}).Expect(t, false)

	r := cs.Call(t, "nodes_list", map[string]any{"label_selector": "suite=" + name})
	r.Expect(t, false, "NotReady,SchedulingDisabled", "gpu,worker", "nvidia.com/gpu=present:NoSchedule", "Ready=False,MemoryPressure",
		`<untrusted-data source="node condition messages">`, "container runtime network not ready", "insufficient memory")
	var out ListOut
	r.Decode(t, &out)
	n := out.Nodes[0]
	if n.Ready || !n.Unschedulable || len(n.Problems) != 2 || len(n.Taints) != 1 || len(n.Roles) != 2 {
		t.Errorf("structured: %+v", n)
	}

	cs.Call(t, "nodes_list", map[string]any{"label_selector": "suite=nothing-has-this"}).Expect(t, false, `No nodes match "suite=nothing-has-this"`)
	cs.Call(t, "nodes_list", map[string]any{"label_selector": "a b"}).Expect(t, true, "invalid")
}

func TestCordonRoundTrip(t *testing.T) {
	name := toolsettest.Name(t, "")
	node(t, name, nil, nil)
	cs := toolsettest.Serve(t, New)
	steps := []struct {
		action        string
		want          string
		unschedulable bool
		changed       bool
	}{
		{"cordon", "node " + name + " cordoned", true, true},
		{"cordon", "already cordoned; nothing changed", true, false},
		{"uncordon", "node " + name + " uncordoned", false, true},
		{"uncordon", "already uncordoned; nothing changed", false, false},
	}
	for _, s := range steps {
		r := cs.Call(t, "nodes_cordon", map[string]any{"action": s.action, "name": name})
		r.Expect(t, false, s.want)
		var out CordonOut
		r.Decode(t, &out)
		if out.Unschedulable != s.unschedulable || out.Changed != s.changed {
			t.Errorf("%s: structured %+v", s.action, out)
		}
		if got := getNode(t, name).Spec.Unschedulable; got != s.unschedulable {
			t.Errorf("%s: spec.unschedulable = %v", s.action, got)
		}
	}
	cs.Call(t, "nodes_cordon", map[string]any{"action": "cordon", "name": "no-such-node"}).Expect(t, true, `nodes "no-such-node" not found`, "nodes_list")
	cs.Call(t, "nodes_cordon", map[string]any{"action": "drain", "name": name}).Expect(t, true, `action "drain": want cordon or uncordon`)
}

func TestToolAnnotations(t *testing.T) {
	toolsettest.Serve(t, New).WantAnnotations(t, map[string]toolsettest.Hints{ // readOnly, destructive, idempotent
		"nodes_list": {true, false, true}, "nodes_cordon": {false, true, true}, "nodes_drain": {false, true, false},
	})
}
