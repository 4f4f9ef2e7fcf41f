package diagnostics

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestClusterHealth(t *testing.T) {
	down := toolsettest.Name(t, "down-")
	node(t, down, true, nodeCondition(corev1.NodeReady, corev1.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status."),
		nodeCondition(corev1.NodeDiskPressure, corev1.ConditionTrue, "KubeletHasDiskPressure", "kubelet has disk pressure"))
	cs := toolsettest.Serve(t, New)
	var out HealthOut
	text := cs.OK(t, "cluster_health", map[string]any{}, &out)
	toolsettest.Want(t, text, "Apiserver: ready, all ", " readyz checks pass.",
		"Nodes: 1 of 2 Ready; NotReady: "+down+"; cordoned: "+down+"; under pressure: "+down+".",
		"critical", "CrashLoopBackOff 1", "ImagePullBackOff 1", "Unschedulable 1", "OOMKilled 1", "find_issues {} lists them")
	if !out.Ready || len(out.Failed) != 0 {
		t.Errorf("ready %v, failed %v", out.Ready, out.Failed)
	}
	if out.Nodes.Total != 2 || out.Nodes.Ready != 1 || !slices.Equal(out.Nodes.NotReady, []string{down}) || out.Issues.Critical < 6 || out.Reasons["CrashLoopBackOff"] != 1 {
		t.Errorf("nodes %+v, issues %+v, reasons %v", out.Nodes, out.Issues, out.Reasons)
	}
	if slices.Contains(out.Nodes.NotReady, testenv.NodeName) {
		t.Errorf("the ready seeded node is counted NotReady")
	}

	// alice may ask the apiserver whether it is ready (every authenticated
	// user may), not read nodes or pods.
	r := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New).Call(t, "cluster_health", map[string]any{})
	r.Expect(t, false, "Apiserver: ready", "Nodes and issues: not available, the caller may read none of them.", "nodes (forbidden by RBAC)")
}

func TestHealthTextNamesFailedChecks(t *testing.T) {
	out := HealthOut{Checks: 3, Failed: []string{"etcd", "poststarthook/rbac"}}
	if got, want := readyzText(out), "Apiserver: NOT ready, 2 of 3 readyz checks fail: etcd, poststarthook/rbac."; got[:len(want)] != want {
		t.Errorf("got %q", got)
	}
	if got := checkName("[-]poststarthook/x failed: reason withheld\n"); got != "poststarthook/x" {
		t.Errorf("checkName = %q", got)
	}
}
