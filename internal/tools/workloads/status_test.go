package workloads

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestStatus(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	deployment(t, ns, "web", revs("nginx:1.26", "nginx:1.27"))
	daemonSet(t, ns, "agent", "fluent-bit:3")
	cs := toolsettest.Serve(t, New)

	tests := []struct {
		name    string
		args    map[string]any
		isError bool
		want    []string
		check   func(t *testing.T, out StatusOut)
	}{
		{name: "healthy deployment", args: map[string]any{"kind": "deployment", "namespace": ns, "name": "web"},
			want: []string{"rollout done", `deployment "web" successfully rolled out`, "2 desired, 2 updated, 2 ready, 2 available", "Every pod of ReplicaSet web-rev2 is ready", "NewReplicaSetAvailable"},
			check: func(t *testing.T, out StatusOut) {
				if !out.Done || out.Failed || out.PodsOf != "ReplicaSet web-rev2" || len(out.NotReadyPods) != 0 || len(out.Conditions) != 2 {
					t.Errorf("structured: %+v", out)
				}
			}},
		{name: "seeded crashlooping deployment", args: map[string]any{"kind": "deployment", "namespace": testenv.NamespacePayments, "name": testenv.DeploymentAPI},
			want: []string{"rollout FAILED", "exceeded its progress deadline", "1 desired, 1 updated, 0 ready, 0 available",
				"ProgressDeadlineExceeded", "Pods of ReplicaSet api-6c4b8d7f5 that are not ready", testenv.PodCrashLoop, "CrashLoopBackOff", "Error, exit code 1",
				`<untrusted-data source="condition and pod messages">`, "back-off 5m0s restarting failed container", `rollout {"action":"undo"`},
			check: func(t *testing.T, out StatusOut) {
				if out.Done || !out.Failed || len(out.NotReadyPods) != 1 {
					t.Fatalf("structured: %+v", out)
				}
				p := out.NotReadyPods[0]
				if p.Name != testenv.PodCrashLoop || p.Status != "CrashLoopBackOff" || p.Restarts != 7 || p.Ready != "0/1" || p.LastTermination != "Error, exit code 1" {
					t.Errorf("pod problem: %+v", p)
				}
			}},
		{name: "seeded image pull", args: map[string]any{"kind": "deployment", "namespace": testenv.NamespacePayments, "name": testenv.DeploymentLedger},
			want: []string{"ImagePullBackOff", "registry.invalid"}},
		{name: "seeded pending statefulset", args: map[string]any{"kind": "sts", "namespace": testenv.NamespaceMonitoring, "name": testenv.StatefulSetPrometheus},
			want: []string{"rollout in progress", "waiting for 1 pods to be ready", testenv.PodUnschedulable, "Unschedulable", "Insufficient cpu"}},
		{name: "daemonset", args: map[string]any{"kind": "daemonset", "namespace": ns, "name": "agent"},
			want: []string{"rollout done", `daemon set "agent" successfully rolled out`}},
		{name: "not found", args: map[string]any{"kind": "deployment", "namespace": ns, "name": "nope"}, isError: true,
			want: []string{`deployments "nope" not found`}},
		{name: "wait too long", args: map[string]any{"kind": "deployment", "namespace": ns, "name": "web", "wait_seconds": 61}, isError: true,
			want: []string{"wait_seconds 61: want 0 to 60"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cs.Call(t, "rollout_status", tt.args)
			r.Expect(t, tt.isError, tt.want...)
			if tt.check != nil {
				var out StatusOut
				r.Decode(t, &out)
				tt.check(t, out)
			}
		})
	}
}

// TestStatusWait starts a rollout half done, waits on it, and finishes it
// while the tool watches, as the controller would.
func TestStatusWait(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	d := deployment(t, ns, "web", revs("nginx:1.26", "nginx:1.27"))
	d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 1, 1
	d, err := admins().AppsV1().Deployments(ns).UpdateStatus(context.Background(), d, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	cs := toolsettest.Serve(t, New)
	args := map[string]any{"kind": "deployment", "namespace": ns, "name": "web", "wait_seconds": 1}

	r := cs.Call(t, "rollout_status", args)
	r.Expect(t, false, "rollout in progress", "1 out of 2 new replicas have been updated", "Waited 1.")
	var out StatusOut
	r.Decode(t, &out)
	if out.Done || out.Waited < 1 || out.Waited > 5 {
		t.Errorf("structured: %+v", out)
	}

	go func() {
		time.Sleep(500 * time.Millisecond)
		d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 2, 2
		_, _ = admins().AppsV1().Deployments(ns).UpdateStatus(context.Background(), d, metav1.UpdateOptions{})
	}()
	args["wait_seconds"] = 30
	start := time.Now()
	cs.Call(t, "rollout_status", args).Expect(t, false, "rollout done", "successfully rolled out")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the wait ended %s after start; the watch should have seen the change at once", took)
	}
}

// TestStatusNotReadyPodsOfNewReplicaSet checks that only the new ReplicaSet's
// pods are listed, and that a pod running but failing readiness says so.
func TestStatusNotReadyPodsOfNewReplicaSet(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	d := deployment(t, ns, "web", revs("nginx:1.26"))
	oldRS, err := admins().AppsV1().ReplicaSets(ns).Get(context.Background(), "web-rev1", metav1.GetOptions{})
	toolsettest.Must(t, err)
	pod(t, ns, "web-rev1-stale", oldRS.Spec.Template, owner(oldRS, "ReplicaSet"), false)
	// A new template, with its ReplicaSet half rolled out: one pod not ready.
	d.Spec.Template.Spec.Containers[0].Image = "nginx:1.27"
	d, err = admins().AppsV1().Deployments(ns).Update(context.Background(), d, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	rs := replicaSet(t, d, 2, revisionSpec{image: "nginx:1.27"}, 1)
	p := pod(t, ns, "web-rev2-0", rs.Spec.Template, owner(rs, "ReplicaSet"), false)
	p.Status.Conditions[0].Message = "containers with unready status: [web]"
	_, err = admins().CoreV1().Pods(ns).UpdateStatus(context.Background(), p, metav1.UpdateOptions{})
	toolsettest.Must(t, err)

	r := toolsettest.Serve(t, New).Call(t, "rollout_status", map[string]any{"kind": "deployment", "namespace": ns, "name": "web"})
	r.Expect(t, false, "waiting for the deployment spec update to be observed", "Pods of ReplicaSet web-rev2 that are not ready", "web-rev2-0", "NotReady",
		"containers with unready status: [web]")
	if strings.Contains(r.Text, "web-rev1-stale") {
		t.Errorf("a pod of the old ReplicaSet is listed:\n%s", r.Text)
	}
}

func TestEvalDeployment(t *testing.T) {
	base := func() *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Generation: 2},
			Spec:   appsv1.DeploymentSpec{Replicas: ptrTo(int32(3))},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3}}
	}
	tests := []struct {
		name   string
		change func(d *appsv1.Deployment)
		done   bool
		failed bool
		want   string
	}{
		{"rolled out", func(*appsv1.Deployment) {}, true, false, "successfully rolled out"},
		{"not observed", func(d *appsv1.Deployment) { d.Generation = 3 }, false, false, "to be observed"},
		{"updating", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }, false, false, "1 out of 3 new replicas"},
		{"old pending", func(d *appsv1.Deployment) { d.Status.Replicas = 4 }, false, false, "1 old replicas are pending termination"},
		{"unavailable", func(d *appsv1.Deployment) { d.Status.AvailableReplicas = 2 }, false, false, "2 of 3 updated replicas are available"},
		{"deadline", func(d *appsv1.Deployment) {
			d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
		}, false, true, "exceeded its progress deadline"},
		{"paused", func(d *appsv1.Deployment) { d.Spec.Paused = true; d.Status.UpdatedReplicas = 1 }, false, false, "paused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.change(d)
			p := evalDeployment(d)
			if p.Done != tt.done || p.Failed != tt.failed || !strings.Contains(p.Message, tt.want) {
				t.Errorf("got done=%v failed=%v %q", p.Done, p.Failed, p.Message)
			}
		})
	}
}

func TestEvalStatefulSet(t *testing.T) {
	s := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Generation: 1},
		Spec: appsv1.StatefulSetSpec{Replicas: ptrTo(int32(3)), UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptrTo(int32(2))}}},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 1, ReadyReplicas: 3, UpdatedReplicas: 1, CurrentRevision: "a", UpdateRevision: "b"}}
	if p := evalStatefulSet(s); !p.Done || !strings.Contains(p.Message, "partitioned rollout complete") {
		t.Errorf("partition 2 of 3 with 1 updated: %+v", p)
	}
	s.Spec.UpdateStrategy.RollingUpdate = nil
	if p := evalStatefulSet(s); p.Done || !strings.Contains(p.Message, "revision b") {
		t.Errorf("revisions differ: %+v", p)
	}
}

func ptrTo[T any](v T) *T { return &v }
