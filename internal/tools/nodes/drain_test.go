package nodes

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// drainWorld is a node with one pod of every kind a drain treats apart. No
// controller-manager runs, so the test writes what controllers would: pod and
// PodDisruptionBudget status.
type drainWorld struct {
	node, ns string
}

func newDrainWorld(t *testing.T) drainWorld {
	t.Helper()
	w := drainWorld{node: toolsettest.Name(t, ""), ns: toolsettest.Namespace(t, "")}
	node(t, w.node, map[string]string{"node-role.kubernetes.io/worker": ""}, nil)
	rs := w.replicaSet(t, "web")
	guarded := w.replicaSet(t, "guarded")
	ds := w.daemonSet(t, "agent")
	w.pod(t, "web-1", "web", rs, nil, nil)
	w.pod(t, "web-2", "web", rs, nil, nil)
	w.pod(t, "guarded-1", "guarded", guarded, nil, nil)
	w.pod(t, "agent-x", "agent", ds, nil, nil)
	w.pod(t, "static-"+w.node, "static", nil, map[string]string{corev1.MirrorPodAnnotationKey: "hash"}, nil)
	w.pod(t, "bare", "bare", nil, nil, nil)
	w.pod(t, "scratch", "web", rs, nil, []corev1.Volume{{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}})
	w.budget(t, "guarded", 0)
	// A pod of the same namespace on another node, which no drain of this node touches.
	w.pod(t, "elsewhere", "web", rs, nil, nil)
	return w
}

func (w drainWorld) replicaSet(t *testing.T, app string) metav1.Object {
	t.Helper()
	labels := map[string]string{"app": app}
	rs, err := admins().AppsV1().ReplicaSets(w.ns).Create(context.Background(), &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: app, Namespace: w.ns},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: app, Image: "nginx"}}}}},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	return rs
}

func (w drainWorld) daemonSet(t *testing.T, app string) metav1.Object {
	t.Helper()
	labels := map[string]string{"app": app}
	ds, err := admins().AppsV1().DaemonSets(w.ns).Create(context.Background(), &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: app, Namespace: w.ns},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: app, Image: "fluent-bit"}}}}},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	return ds
}

// pod creates a Running, Ready pod bound to the world's node (or, named
// "elsewhere", to the env's node), owned by ctrl if given.
func (w drainWorld) pod(t *testing.T, name, app string, ctrl metav1.Object, annotations map[string]string, volumes []corev1.Volume) *corev1.Pod {
	t.Helper()
	ctx := context.Background()
	nodeName := w.node
	if name == "elsewhere" {
		nodeName = env.NodeName
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: w.ns, Labels: map[string]string{"app": app}, Annotations: annotations},
		Spec:       corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: app, Image: "nginx"}}, Volumes: volumes},
	}
	if ctrl != nil {
		kind := "ReplicaSet"
		if _, ok := ctrl.(*appsv1.DaemonSet); ok {
			kind = "DaemonSet"
		}
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: ctrl.GetName(), UID: ctrl.GetUID(), Controller: ptr.To(true)}}
	}
	p, err := admins().CoreV1().Pods(w.ns).Create(ctx, p, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}}
	p, err = admins().CoreV1().Pods(w.ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	return p
}

// budget creates a PodDisruptionBudget for app and writes the status its
// controller would, allowing the given number of disruptions.
func (w drainWorld) budget(t *testing.T, app string, allowed int32) {
	t.Helper()
	ctx := context.Background()
	api := admins().PolicyV1().PodDisruptionBudgets(w.ns)
	pdb, err := api.Create(ctx, &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: app, Namespace: w.ns},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	w.allow(t, pdb, allowed)
}

func (w drainWorld) allow(t *testing.T, pdb *policyv1.PodDisruptionBudget, allowed int32) {
	t.Helper()
	pdb.Status = policyv1.PodDisruptionBudgetStatus{ObservedGeneration: pdb.Generation, DisruptionsAllowed: allowed,
		CurrentHealthy: 1 + allowed, DesiredHealthy: 1, ExpectedPods: 1 + allowed}
	_, err := admins().PolicyV1().PodDisruptionBudgets(w.ns).UpdateStatus(context.Background(), pdb, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
}

func (w drainWorld) getBudget(t *testing.T, name string) *policyv1.PodDisruptionBudget {
	t.Helper()
	pdb, err := admins().PolicyV1().PodDisruptionBudgets(w.ns).Get(context.Background(), name, metav1.GetOptions{})
	toolsettest.Must(t, err)
	return pdb
}

func (w drainWorld) exists(t *testing.T, pod string) bool {
	t.Helper()
	_, err := admins().CoreV1().Pods(w.ns).Get(context.Background(), pod, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// results maps pod name to result.
func results(out DrainOut) map[string]string {
	m := map[string]string{}
	for _, p := range out.Pods {
		m[p.Name] = p.Result
	}
	return m
}

func checkResults(t *testing.T, out DrainOut, want map[string]string) {
	t.Helper()
	got := results(out)
	if len(got) != len(want) {
		t.Errorf("pods %v, want %v", got, want)
	}
	for name, r := range want {
		if got[name] != r {
			t.Errorf("%s: %q, want %q (all: %v)", name, got[name], r, got)
		}
	}
}

func TestDrain(t *testing.T) {
	w := newDrainWorld(t)
	cs := toolsettest.Serve(t, New)
	static := "static-" + w.node

	// The plan, changing nothing.
	r := cs.Call(t, "nodes_drain", map[string]any{"name": w.node, "dry_run": true})
	r.Expect(t, false, "Dry run, nothing changed", "would cordon it", "2 refused", "1 would be blocked", "2 would evict", "2 skipped",
		"PodDisruptionBudget guarded allows no more disruptions (needs 1 healthy pods and has 1)",
		"managed by DaemonSet agent (ignore_daemonsets)", "mirror pod", "set force", "set delete_emptydir_data")
	var out DrainOut
	r.Decode(t, &out)
	checkResults(t, out, map[string]string{"web-1": resultWouldEvict, "web-2": resultWouldEvict, "guarded-1": resultWouldBlock,
		"agent-x": resultSkipped, static: resultSkipped, "bare": resultRefused, "scratch": resultRefused})
	if !out.DryRun || out.Complete || getNode(t, w.node).Spec.Unschedulable {
		t.Errorf("dry run: %+v, or it cordoned the node", out)
	}

	// Refused as a whole, before anything changes.
	cs.Call(t, "nodes_drain", map[string]any{"name": w.node}).
		Expect(t, true, "was not drained and nothing changed", "2 pod(s) cannot be drained", w.ns+"/bare: not managed by a controller", w.ns+"/scratch: uses emptyDir volume(s) cache")
	if getNode(t, w.node).Spec.Unschedulable || !w.exists(t, "web-1") {
		t.Fatal("a refused drain changed the node or evicted a pod")
	}

	// The real drain: the budget holds guarded-1 until the timeout.
	args := map[string]any{"name": w.node, "force": true, "delete_emptydir_data": true, "grace_period_seconds": 0, "timeout_seconds": 2}
	r = cs.Call(t, "nodes_drain", args)
	r.Expect(t, false, "Node "+w.node+" cordoned and is NOT fully drained", "4 evicted", "1 blocked", "2 skipped",
		"Cannot evict pod as it would violate the pod's disruption budget.", "The disruption budget guarded needs 1 healthy pods and has 1 currently")
	out = DrainOut{}
	r.Decode(t, &out)
	checkResults(t, out, map[string]string{"web-1": resultEvicted, "web-2": resultEvicted, "bare": resultEvicted, "scratch": resultEvicted,
		"guarded-1": resultBlocked, "agent-x": resultSkipped, static: resultSkipped})
	if out.Complete || !out.Cordoned || !getNode(t, w.node).Spec.Unschedulable {
		t.Errorf("after drain: %+v, node unschedulable=%v", out, getNode(t, w.node).Spec.Unschedulable)
	}
	for _, p := range []string{"web-1", "web-2", "bare", "scratch"} {
		if w.exists(t, p) {
			t.Errorf("%s still exists after its eviction", p)
		}
	}
	for _, p := range []string{"guarded-1", "agent-x", static, "elsewhere"} {
		if !w.exists(t, p) {
			t.Errorf("%s was removed", p)
		}
	}

	// The budget now allows one disruption: the Eviction API takes it.
	w.allow(t, w.getBudget(t, "guarded"), 1)
	r = cs.Call(t, "nodes_drain", args)
	r.Expect(t, false, "was already cordoned and is drained", "1 evicted", "2 skipped", `nodes_cordon {"action":"uncordon"`)
	if w.exists(t, "guarded-1") {
		t.Error("guarded-1 still exists")
	}
	if got := w.getBudget(t, "guarded").Status.DisruptionsAllowed; got != 0 {
		t.Errorf("the budget allows %d disruptions after the eviction; the Eviction API should have taken one", got)
	}
}

func TestDrainOptions(t *testing.T) {
	w := newDrainWorld(t)
	cs := toolsettest.Serve(t, New)
	r := cs.Call(t, "nodes_drain", map[string]any{"name": w.node, "dry_run": true, "ignore_daemonsets": false, "force": true, "delete_emptydir_data": true})
	var out DrainOut
	r.Decode(t, &out)
	checkResults(t, out, map[string]string{"web-1": resultWouldEvict, "web-2": resultWouldEvict, "guarded-1": resultWouldBlock,
		"agent-x": resultRefused, "static-" + w.node: resultSkipped, "bare": resultWouldEvict, "scratch": resultWouldEvict})
	r.Expect(t, false, "set ignore_daemonsets", "not managed by a controller: nothing recreates it (force)", "its emptyDir data is lost")

	// Without grace_period_seconds each pod gets its own 30 s, and with no
	// kubelet here to finish the job the pods are still terminating at the timeout.
	r = cs.Call(t, "nodes_drain", map[string]any{"name": w.node, "force": true, "delete_emptydir_data": true, "timeout_seconds": 2})
	r.Expect(t, false, "NOT fully drained", "4 terminating", "eviction accepted; still terminating", "Terminating pods accepted their eviction")
	out = DrainOut{}
	r.Decode(t, &out)
	if results(out)["web-1"] != resultTerminating || out.Complete {
		t.Errorf("structured: %+v", out)
	}

	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "no-such-node"}, `nodes "no-such-node" not found`},
		{map[string]any{"name": w.node, "timeout_seconds": 301}, "timeout_seconds 301: want 1 to 300"},
		{map[string]any{"name": w.node, "grace_period_seconds": -1}, "grace_period_seconds -1"},
	} {
		cs.Call(t, "nodes_drain", c.args).Expect(t, true, c.want)
	}
}

// TestReadOnlyRefusesWrites: with read-only policy beneath the clients, every
// write tool is refused and the node is left as it was; the drain's dry run,
// which only reads, still works.
func TestReadOnlyRefusesWrites(t *testing.T) {
	w := newDrainWorld(t)
	cs := toolsettest.ServeWith(t, toolsettest.Options{ReadOnly: true}, New)
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"nodes_cordon", map[string]any{"action": "cordon", "name": w.node}},
		{"nodes_drain", map[string]any{"name": w.node, "force": true, "delete_emptydir_data": true, "timeout_seconds": 2}},
	} {
		cs.Call(t, c.tool, c.args).Expect(t, true, "read-only")
	}
	if getNode(t, w.node).Spec.Unschedulable || !w.exists(t, "web-1") {
		t.Fatal("read-only mode let a write through")
	}
	cs.Call(t, "nodes_drain", map[string]any{"name": w.node, "dry_run": true}).Expect(t, false, "Dry run, nothing changed")

	toolsettest.Serve(t, New).Call(t, "nodes_cordon", map[string]any{"action": "cordon", "name": w.node}).Expect(t, false)
	cs.Call(t, "nodes_cordon", map[string]any{"action": "uncordon", "name": w.node}).Expect(t, true, "read-only")
	if !getNode(t, w.node).Spec.Unschedulable {
		t.Fatal("read-only mode let an uncordon through")
	}
}

// TestForbidden runs the tools as alice, who has no RBAC grants.
func TestForbidden(t *testing.T) {
	cs := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
	cs.Call(t, "nodes_list", nil).Expect(t, true, "forbidden", `"list"`, "nodes", "alice")
	cs.Call(t, "nodes_cordon", map[string]any{"action": "cordon", "name": testenv.NodeName}).Expect(t, true, "forbidden", "alice")
	cs.Call(t, "nodes_drain", map[string]any{"name": testenv.NodeName, "dry_run": true}).Expect(t, true, "forbidden", "alice")
}
