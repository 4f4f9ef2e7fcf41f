package diagnostics

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

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

// TestClusterHealthWatches: with watch_seconds, changes in problems during
// the watch are reported: a pod that starts crash-looping, a node that
// joins NotReady, a pod whose problem is resolved by its deletion.
func TestClusterHealthWatches(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	web := podSpec(ns, "web")
	createPod(t, web, running(web, true, 0))
	gone := podSpec(ns, "gone")
	createPod(t, gone, corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted"})
	sick := toolsettest.Name(t, "sick-")
	cs := toolsettest.Serve(t, New)

	type result struct {
		out  HealthOut
		text string
	}
	done := make(chan result)
	go func() {
		var r result
		r.text = cs.OK(t, "cluster_health", map[string]any{"watch_seconds": 2}, &r.out)
		done <- r
	}()
	// The watch takes its kinds in turn, pods and nodes first: once it has
	// taken the last, those two are in place and see what follows.
	testenv.Eventually(t, 10*time.Second, "cluster_health watching", func() bool { return cs.Watches.Stats().Watchers == len(watched) })
	api := admin().CoreV1().Pods(ns)
	p, err := api.Get(t.Context(), "web", metav1.GetOptions{})
	toolsettest.Must(t, err)
	p.Status.ContainerStatuses[0].Ready, p.Status.ContainerStatuses[0].RestartCount = false, 3
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	_, err = api.UpdateStatus(t.Context(), p, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	node(t, sick, false, nodeCondition(corev1.NodeReady, corev1.ConditionFalse, "KubeletNotReady", "PLEG is not healthy"))
	toolsettest.Must(t, api.Delete(t.Context(), "gone", metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))}))

	r := <-done
	wantLine(t, r.text, ns+"/pod/web", "ok", "CrashLoopBackOff")
	wantLine(t, r.text, "node/"+sick, "new", "NotReady")
	wantLine(t, r.text, ns+"/pod/gone", "Evicted", "delet") // deleting: without a kubelet, a bound pod stays until its grace ends
	toolsettest.Want(t, r.text, "Watched 2s: 3 changes in problems")
	if len(r.out.Changes) != 3 || !slices.Contains(r.out.Changes, Change{After: r.out.Changes[0].After, Kind: "Node", Name: sick, From: "new", To: "NotReady"}) {
		t.Errorf("changes %+v", r.out.Changes)
	}

	cs.Call(t, "cluster_health", map[string]any{"watch_seconds": 61}).Expect(t, true, "watch_seconds 61: want 0 to 60")
	r2 := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New).Call(t, "cluster_health", map[string]any{"watch_seconds": 1})
	r2.Expect(t, false, "Watched 1s: 0 changes", "Not watched: pods (forbidden by RBAC), nodes (forbidden by RBAC)")
}
