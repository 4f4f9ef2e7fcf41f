package testenv

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"
)

func TestSeedWorkloads(t *testing.T) {
	ctx := t.Context()
	apps := env.Clientset("admin").AppsV1()
	tests := []struct {
		ns, name        string
		replicas, ready int32
		unavailable     int32
	}{
		{NamespaceShop, DeploymentFrontend, 3, 3, 0},
		{NamespaceShop, DeploymentCart, 2, 2, 0},
		{NamespacePayments, DeploymentAPI, 1, 0, 1},
		{NamespacePayments, DeploymentLedger, 1, 0, 1},
		{NamespaceMonitoring, DeploymentLogAggregator, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.ns+"/"+tt.name, func(t *testing.T) {
			d, err := apps.Deployments(tt.ns).Get(ctx, tt.name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			st := d.Status
			if *d.Spec.Replicas != tt.replicas || st.ReadyReplicas != tt.ready || st.UnavailableReplicas != tt.unavailable {
				t.Errorf("replicas %d ready %d unavailable %d; want %d %d %d", *d.Spec.Replicas, st.ReadyReplicas, st.UnavailableReplicas, tt.replicas, tt.ready, tt.unavailable)
			}
			rss, err := apps.ReplicaSets(tt.ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + tt.name})
			if err != nil || len(rss.Items) != 1 || rss.Items[0].OwnerReferences[0].UID != d.UID {
				t.Fatalf("replicasets = %v, %v; want one owned by the deployment", rss, err)
			}
			pods, err := env.Clientset("admin").CoreV1().Pods(tt.ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + tt.name})
			if err != nil || int32(len(pods.Items)) != tt.replicas {
				t.Fatalf("pods: %d, %v; want %d", len(pods.Items), err, tt.replicas)
			}
			for _, p := range pods.Items {
				if p.OwnerReferences[0].UID != rss.Items[0].UID || p.Spec.NodeName != NodeName || p.Status.PodIP == "" {
					t.Errorf("pod %s: owner %v node %q ip %q", p.Name, p.OwnerReferences, p.Spec.NodeName, p.Status.PodIP)
				}
			}
		})
	}
}

func TestSeedRunningPods(t *testing.T) {
	for _, name := range append(FrontendPods(), CartPods()...) {
		p := getPod(t, NamespaceShop, name)
		cs := p.Status.ContainerStatuses
		if p.Status.Phase != corev1.PodRunning || len(cs) != 1 || !cs[0].Ready || cs[0].State.Running == nil || !podReady(p) {
			t.Errorf("pod %s: phase %s statuses %+v; want Running and Ready", name, p.Status.Phase, cs)
		}
	}
	logs := podLogs(t, NamespaceShop, FrontendPods()[0], DeploymentFrontend, false)
	if n := strings.Count(logs, "\n"); n < 30 || !strings.Contains(logs, `"GET /`) {
		t.Errorf("frontend log has %d lines, want a few dozen access-log lines:\n%s", n, logs)
	}
}

func TestSeedProblemPods(t *testing.T) {
	crash := getPod(t, NamespacePayments, PodCrashLoop).Status.ContainerStatuses[0]
	if crash.State.Waiting == nil || crash.State.Waiting.Reason != "CrashLoopBackOff" || crash.RestartCount != 7 ||
		crash.LastTerminationState.Terminated == nil || crash.LastTerminationState.Terminated.ExitCode != 1 ||
		crash.LastTerminationState.Terminated.Reason != "Error" {
		t.Errorf("crashloop pod status = %+v", crash)
	}
	if prev := podLogs(t, NamespacePayments, PodCrashLoop, DeploymentAPI, true); !strings.Contains(prev, "panic: runtime error") {
		t.Errorf("previous log of %s lacks the panic:\n%s", PodCrashLoop, prev)
	}
	pull := getPod(t, NamespacePayments, PodImagePull)
	if w := pull.Status.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != "ImagePullBackOff" ||
		!strings.HasPrefix(pull.Spec.Containers[0].Image, "registry.invalid/") {
		t.Errorf("image pull pod = %+v", pull.Status)
	}
	pending := getPod(t, NamespaceMonitoring, PodUnschedulable)
	if c := pending.Status.Conditions; pending.Status.Phase != corev1.PodPending || len(c) != 1 || c[0].Type != corev1.PodScheduled ||
		c[0].Status != corev1.ConditionFalse || c[0].Reason != "Unschedulable" || !strings.Contains(c[0].Message, "Insufficient cpu") {
		t.Errorf("pending pod = %+v", pending.Status)
	}
	oom := getPod(t, NamespaceMonitoring, PodOOMKilled).Status.ContainerStatuses[0].LastTerminationState.Terminated
	if oom == nil || oom.Reason != "OOMKilled" || oom.ExitCode != 137 {
		t.Errorf("OOMKilled pod last state = %+v", oom)
	}
}

func TestSeedEvents(t *testing.T) {
	tests := []struct{ ns, pod, reason string }{
		{NamespacePayments, PodCrashLoop, "BackOff"},
		{NamespacePayments, PodImagePull, "Failed"},
		{NamespaceMonitoring, PodUnschedulable, "FailedScheduling"},
	}
	for _, tt := range tests {
		evs, err := env.Clientset("admin").CoreV1().Events(tt.ns).List(t.Context(), metav1.ListOptions{
			FieldSelector: "involvedObject.name=" + tt.pod + ",reason=" + tt.reason,
		})
		if err != nil || len(evs.Items) == 0 || evs.Items[0].Type != corev1.EventTypeWarning || evs.Items[0].InvolvedObject.UID == "" {
			t.Errorf("events %s for %s/%s: %v, %v", tt.reason, tt.ns, tt.pod, evs, err)
		}
	}
}

func TestSeedConfigAndCRD(t *testing.T) {
	ctx := t.Context()
	core := env.Clientset("admin").CoreV1()
	secret, err := core.Secrets(NamespaceShop).Get(ctx, SecretName, metav1.GetOptions{})
	if err != nil || string(secret.Data["password"]) != PlantedSecret {
		t.Errorf("secret %s: %v; want password %s", SecretName, err, PlantedSecret)
	}
	if _, err := core.ConfigMaps(NamespaceShop).Get(ctx, ConfigMapName, metav1.GetOptions{}); err != nil {
		t.Error(err)
	}
	svcs, err := core.Services(NamespaceShop).List(ctx, metav1.ListOptions{})
	names := []string{}
	for _, s := range svcs.Items {
		names = append(names, s.Name)
	}
	if err != nil || !slices.Contains(names, DeploymentFrontend) || !slices.Contains(names, DeploymentCart) {
		t.Errorf("services in shop = %v, %v", names, err)
	}
	w, err := dynamic.NewForConfigOrDie(env.RESTConfig("admin")).Resource(WidgetGVR).Namespace(NamespaceShop).Get(ctx, WidgetName, metav1.GetOptions{})
	if err != nil || w.Object["spec"].(map[string]any)["size"] != int64(3) {
		t.Errorf("widget = %v, %v; want spec.size 3", w, err)
	}
}

func getPod(t *testing.T, ns, name string) *corev1.Pod {
	t.Helper()
	p, err := env.Clientset("admin").CoreV1().Pods(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func podLogs(t *testing.T, ns, pod, container string, previous bool) string {
	t.Helper()
	opts := &corev1.PodLogOptions{Container: container, Previous: previous, TailLines: ptr.To(int64(100))}
	b, err := env.Clientset("admin").CoreV1().Pods(ns).GetLogs(pod, opts).DoRaw(t.Context())
	if err != nil {
		t.Fatalf("logs of %s/%s: %v", ns, pod, err)
	}
	return string(b)
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
