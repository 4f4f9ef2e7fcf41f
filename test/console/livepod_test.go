package console

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const livePod = "live-web"

// livePodControl makes a running pod in the main cluster and serves, on
// loopback, POST /fail: the pod's container starts crash-looping, as a
// kubelet would report it; and POST /log: the body is the container's new
// log line. The browser test calls them mid-run to see the change arrive on
// the pod issues card, and the line in a followed log, without a reload.
func livePodControl(t *testing.T) string {
	t.Helper()
	pods := env.Clientset("admin").CoreV1().Pods("default")
	ctx := context.Background()
	pod, err := pods.Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: livePod},
		Spec:       corev1.PodSpec{NodeName: env.NodeName, Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pods.Delete(context.Background(), livePod, metav1.DeleteOptions{}) })
	setStatus(t, pod, corev1.ContainerStatus{Name: "web", Ready: true,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}})
	env.Kubelet.SetLogs("default", livePod, "web", []string{"live-web started"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/log" {
			line, _ := io.ReadAll(r.Body)
			env.Kubelet.SetLogs("default", livePod, "web", []string{string(line)})
			return
		}
		if r.Method != http.MethodPost || r.URL.Path != "/fail" {
			http.NotFound(w, r)
			return
		}
		pod, err := pods.Get(r.Context(), livePod, metav1.GetOptions{})
		if err == nil {
			err = updateStatus(r.Context(), pod, corev1.ContainerStatus{Name: "web", RestartCount: 3,
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}})
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func setStatus(t *testing.T, pod *corev1.Pod, cs corev1.ContainerStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := updateStatus(ctx, pod, cs); err != nil {
		t.Fatal(err)
	}
}

func updateStatus(ctx context.Context, pod *corev1.Pod, cs corev1.ContainerStatus) error {
	pod.Status.Phase = corev1.PodRunning
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{cs}
	_, err := env.Clientset("admin").CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	return err
}
