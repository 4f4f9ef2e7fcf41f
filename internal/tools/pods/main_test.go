package pods

import (
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e }))
}

// newPods is the toolset as a server of several users builds it: without
// port_forward, which the port-forward tests add.
func newPods(d toolset.Deps) *Pods { return New(d, Options{}) }

// runningPod creates a pod bound to the env's node with a Running status and
// the given containers, as a kubelet would report it.
func runningPod(t *testing.T, ns, name string, labels map[string]string, owner *metav1.OwnerReference, containers ...string) *corev1.Pod {
	t.Helper()
	api := env.Clientset("admin").CoreV1().Pods(ns)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}, Spec: corev1.PodSpec{NodeName: testenv.NodeName}}
	if owner != nil {
		pod.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	for _, c := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c, Image: "busybox:1.37"})
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{Name: c, Image: "busybox:1.37", Ready: true,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}})
	}
	status := pod.Status
	created, err := api.Create(t.Context(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status = status
	created.Status.Phase = corev1.PodRunning
	if created, err = api.UpdateStatus(t.Context(), created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return created
}
