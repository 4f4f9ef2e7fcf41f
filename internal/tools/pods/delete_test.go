package pods

import (
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func replicaSetOwner(name string) *metav1.OwnerReference {
	return &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: name, UID: "6a1c3f0e-0000-4000-8000-000000000001", Controller: ptr.To(true)}
}

func TestPodsDelete(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	runningPod(t, ns, "web-7d9f-abcde", nil, replicaSetOwner("web-7d9f"), "web")
	runningPod(t, ns, "bare", nil, nil, "main")
	runningPod(t, ns, "slow", nil, nil, "main")
	pods := env.Clientset("admin").CoreV1().Pods(ns)
	cs := toolsettest.Serve(t, newPods)

	r := cs.Call(t, "pods_delete", map[string]any{"namespace": ns, "name": "web-7d9f-abcde", "dry_run": true})
	r.Expect(t, false, "Dry run", "nothing was deleted", "ReplicaSet web-7d9f replaces it with a new pod")
	var out DeleteOut
	r.Decode(t, &out)
	if out.Deleted || !out.DryRun || !out.Recreated || out.Owner == nil || out.Owner.Kind != "ReplicaSet" {
		t.Errorf("dry run structured %+v", out)
	}
	if p, err := pods.Get(t.Context(), "web-7d9f-abcde", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("dry run changed the pod: %v %v", err, p.DeletionTimestamp)
	}

	r = cs.Call(t, "pods_delete", map[string]any{"namespace": ns, "name": "web-7d9f-abcde", "grace_period_seconds": 0})
	r.Expect(t, false, "Deleted pod "+ns+"/web-7d9f-abcde with a grace period of 0s", "ReplicaSet web-7d9f replaces it")
	r.Decode(t, &out)
	if !out.Deleted || out.DryRun || !out.Recreated {
		t.Errorf("structured %+v", out)
	}
	if _, err := pods.Get(t.Context(), "web-7d9f-abcde", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("pod still there: %v", err)
	}

	r = cs.Call(t, "pods_delete", map[string]any{"namespace": ns, "name": "bare", "grace_period_seconds": 0})
	r.Expect(t, false, "No controller owns it: once deleted, it does not come back")
	var bare DeleteOut
	r.Decode(t, &bare)
	if bare.Recreated || bare.Owner != nil || !bare.Deleted {
		t.Errorf("bare pod structured %+v", bare)
	}

	// Without a kubelet to confirm, a graceful delete leaves the pod Terminating.
	cs.Call(t, "pods_delete", map[string]any{"namespace": ns, "name": "slow"}).Expect(t, false, "with the pod's grace period")
	if p, err := pods.Get(t.Context(), "slow", metav1.GetOptions{}); err != nil || p.DeletionTimestamp == nil {
		t.Errorf("graceful delete: err %v, deletionTimestamp %v", err, p.DeletionTimestamp)
	}

	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"not found", map[string]any{"namespace": ns, "name": "bare"}, []string{`pods "bare" not found`, "pods_list"}},
		{"negative grace", map[string]any{"namespace": ns, "name": "slow", "grace_period_seconds": -1}, []string{"grace_period_seconds -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { cs.Call(t, "pods_delete", tt.args).Expect(t, true, tt.want...) })
	}
	t.Run("alice forbidden", func(t *testing.T) {
		toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, newPods).Call(t, "pods_delete", map[string]any{"namespace": ns, "name": "slow"}).Expect(t, true, "forbidden", "pods")
	})
}

// TestPodsDeleteReadOnly: the policy beneath the clients refuses the delete
// and the pod stays as it was.
func TestPodsDeleteReadOnly(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	runningPod(t, ns, "keep", nil, nil, "main")
	cs := toolsettest.ServeWith(t, toolsettest.Options{ReadOnly: true}, newPods)
	cs.Call(t, "pods_delete", map[string]any{"namespace": ns, "name": "keep", "grace_period_seconds": 0}).
		Expect(t, true, "read-only", "kubemcp's own policy")
	p, err := env.Clientset("admin").CoreV1().Pods(ns).Get(t.Context(), "keep", metav1.GetOptions{})
	if err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("read-only delete changed the pod: %v %v", err, p)
	}
}
