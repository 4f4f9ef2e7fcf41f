package diagnostics

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e }))
}

func admin() kubernetes.Interface { return env.Clientset("admin") }

// ago is a time d before now, as the API stores it.
func ago(d time.Duration) metav1.Time {
	return metav1.NewTime(time.Now().Add(-d).Truncate(time.Second))
}

// createPod creates pod and then writes status through the status
// subresource, as a kubelet would; there is none here.
func createPod(t *testing.T, pod *corev1.Pod, status corev1.PodStatus) *corev1.Pod {
	t.Helper()
	api := admin().CoreV1().Pods(pod.Namespace)
	if pod.Spec.NodeName == "" && status.Phase != corev1.PodPending {
		pod.Spec.NodeName = testenv.NodeName
	}
	created, err := api.Create(t.Context(), pod, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	created.Status = status
	created, err = api.UpdateStatus(t.Context(), created, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	return created
}

// podSpec is one container, image busybox:1.37 unless said.
func podSpec(ns, name string, containers ...corev1.Container) *corev1.Pod {
	if len(containers) == 0 {
		containers = []corev1.Container{{Name: "main", Image: "busybox:1.37"}}
	}
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{Containers: containers}}
}

// running is the status of a pod whose containers run, ready or not, with
// restarts each.
func running(pod *corev1.Pod, ready bool, restarts int32) corev1.PodStatus {
	st := corev1.PodStatus{Phase: corev1.PodRunning, StartTime: ptrTime(ago(time.Hour))}
	cond := corev1.ConditionTrue
	if !ready {
		cond = corev1.ConditionFalse
	}
	st.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: cond, LastTransitionTime: ago(10 * time.Minute)},
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: ago(time.Hour)}}
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image, Ready: ready, RestartCount: restarts,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: ago(time.Hour)}}})
	}
	return st
}

func ptrTime(t metav1.Time) *metav1.Time { return &t }

// deployment creates a Deployment of replicas with the given status.
func deployment(t *testing.T, ns, name string, replicas int32, status appsv1.DeploymentStatus) {
	t.Helper()
	api := admin().AppsV1().Deployments(ns)
	labels := map[string]string{"app": name}
	d, err := api.Create(t.Context(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec(ns, name).Spec}},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	status.ObservedGeneration = d.Generation
	d.Status = status
	_, err = api.UpdateStatus(t.Context(), d, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
}

// node creates a node of the test's own with the given conditions, and
// deletes it when the test ends.
func node(t *testing.T, name string, unschedulable bool, conds ...corev1.NodeCondition) {
	t.Helper()
	api := admin().CoreV1().Nodes()
	n, err := api.Create(t.Context(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.NodeSpec{Unschedulable: unschedulable}}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	t.Cleanup(func() { _ = api.Delete(context.Background(), name, metav1.DeleteOptions{}) })
	n.Status.Conditions = conds
	_, err = api.UpdateStatus(t.Context(), n, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
}

func nodeCondition(typ corev1.NodeConditionType, status corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
	return corev1.NodeCondition{Type: typ, Status: status, Reason: reason, Message: msg, LastHeartbeatTime: ago(time.Minute), LastTransitionTime: ago(20 * time.Minute)}
}

// line is the line of text that holds every part, or "".
func line(text string, parts ...string) string {
	for l := range strings.Lines(text) {
		if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(l, p) }) {
			return l
		}
	}
	return ""
}

// wantLine fails unless one line of text holds every part.
func wantLine(t *testing.T, text string, parts ...string) {
	t.Helper()
	if line(text, parts...) == "" {
		t.Errorf("no line with all of %q in:\n%s", parts, text)
	}
}

// ofDeployment makes p one of Deployment name's pods, as the Deployment
// controller names and labels them.
func ofDeployment(p *corev1.Pod, name, hash string) *corev1.Pod {
	p.Labels["pod-template-hash"] = hash
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: name + "-" + hash, UID: "uid-" + types.UID(name), Controller: ptr.To(true)}}
	return p
}

// withResources sets the requests and limits of p's first container; an
// empty quantity is left unset.
func withResources(p *corev1.Pod, reqCPU, reqMem, limCPU, limMem string) *corev1.Pod {
	set := func(l corev1.ResourceList, name corev1.ResourceName, q string) corev1.ResourceList {
		if q == "" {
			return l
		}
		if l == nil {
			l = corev1.ResourceList{}
		}
		l[name] = resource.MustParse(q)
		return l
	}
	r := &p.Spec.Containers[0].Resources
	r.Requests = set(set(r.Requests, corev1.ResourceCPU, reqCPU), corev1.ResourceMemory, reqMem)
	r.Limits = set(set(r.Limits, corev1.ResourceCPU, limCPU), corev1.ResourceMemory, limMem)
	return p
}
