package console

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const livePod = "live-web"

// livePodControl makes a running pod in the main cluster and serves, on
// loopback, what the browser test calls mid-run to see a change arrive
// without a reload:
//
//   - POST /fail: the pod's container starts crash-looping, as a kubelet
//     would report it;
//   - POST /start: it runs again;
//   - POST /log: the body is the container's new log line;
//   - POST /warn: a Warning event whose reason is the body.
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
	if err := updateStatus(ctx, pod, running); err != nil {
		t.Fatal(err)
	}
	env.Kubelet.SetLogs("default", livePod, "web", []string{"live-web started"})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /fail", control(func(ctx context.Context, _ string) error { return setLivePod(ctx, crashLooping) }))
	mux.HandleFunc("POST /start", control(func(ctx context.Context, _ string) error { return setLivePod(ctx, running) }))
	mux.HandleFunc("POST /log", control(func(_ context.Context, line string) error {
		env.Kubelet.SetLogs("default", livePod, "web", []string{line})
		return nil
	}))
	mux.HandleFunc("POST /warn", control(func(ctx context.Context, reason string) error {
		return recordWarning(ctx, reason, "a warning the browser test made mid-run")
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// control serves f with the request's body, answering 500 with its error.
func control(f func(ctx context.Context, body string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = f(r.Context(), string(body))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
}

// running is the live pod's container running; crashLooping, as a kubelet
// reports a container that keeps failing.
func running() corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "web", Ready: true,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}}
}

func crashLooping() corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "web", RestartCount: 3,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
}

func setLivePod(ctx context.Context, status func() corev1.ContainerStatus) error {
	pod, err := env.Clientset("admin").CoreV1().Pods("default").Get(ctx, livePod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	return updateStatus(ctx, pod, status)
}

func updateStatus(ctx context.Context, pod *corev1.Pod, status func() corev1.ContainerStatus) error {
	pod.Status.Phase = corev1.PodRunning
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{status()}
	_, err := env.Clientset("admin").CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	return err
}
