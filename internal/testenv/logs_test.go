package testenv

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestLogsThroughAPIServer reads logs set on the fake kubelet through the
// real apiserver's pods/log proxy.
func TestLogsThroughAPIServer(t *testing.T) {
	ctx := t.Context()
	cs := env.Clientset("admin")
	ns := env.Namespace(t, "logs-test")
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "talker", Namespace: ns},
		Spec: corev1.PodSpec{NodeName: NodeName, Containers: []corev1.Container{
			{Name: "main", Image: "busybox"}, {Name: "quiet", Image: "busybox"},
		}},
	}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	env.Kubelet.SetLogs(ns, "talker", "main", []string{"one", "two", "three", "four", "five"})
	env.Kubelet.SetPreviousLogs(ns, "talker", "main", []string{"before", "panic: boom"})

	tests := []struct {
		name    string
		opts    corev1.PodLogOptions
		want    string
		also    string // another acceptable answer, for timing-dependent cases
		wantErr string
	}{
		{name: "all", opts: corev1.PodLogOptions{Container: "main"}, want: "one\ntwo\nthree\nfour\nfive\n"},
		{name: "tail", opts: corev1.PodLogOptions{Container: "main", TailLines: ptr.To(int64(2))}, want: "four\nfive\n"},
		{name: "tail zero", opts: corev1.PodLogOptions{Container: "main", TailLines: ptr.To(int64(0))}, want: ""},
		{name: "previous", opts: corev1.PodLogOptions{Container: "main", Previous: true}, want: "before\npanic: boom\n"},
		{name: "limit bytes", opts: corev1.PodLogOptions{Container: "main", LimitBytes: ptr.To(int64(6))}, want: "one\ntw"},
		{name: "since", opts: corev1.PodLogOptions{Container: "main", SinceSeconds: ptr.To(int64(2))}, want: "four\nfive\n", also: "five\n"},
		{name: "follow returns what there is", opts: corev1.PodLogOptions{Container: "main", Follow: true, TailLines: ptr.To(int64(1))}, want: "five\n"},
		{name: "empty container", opts: corev1.PodLogOptions{Container: "quiet"}, want: ""},
		{name: "no previous", opts: corev1.PodLogOptions{Container: "quiet", Previous: true}, wantErr: `previous terminated container "quiet"`},
		{name: "unknown container", opts: corev1.PodLogOptions{Container: "nope"}, wantErr: "container nope is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := cs.CoreV1().Pods(ns).GetLogs("talker", &tt.opts)
			if tt.wantErr != "" {
				// Stream, not DoRaw: DoRaw replaces the server's message for
				// pods/log errors with "unknown reason" (client-go).
				_, err := req.Stream(ctx)
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			got, err := req.DoRaw(ctx)
			if err != nil || (string(got) != tt.want && (tt.also == "" || string(got) != tt.also)) {
				t.Fatalf("logs = %q, %v; want %q", got, err, tt.want)
			}
		})
	}

	t.Run("timestamps", func(t *testing.T) {
		got, err := cs.CoreV1().Pods(ns).GetLogs("talker", &corev1.PodLogOptions{Container: "main", Timestamps: true, TailLines: ptr.To(int64(1))}).DoRaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stamp, text, _ := strings.Cut(strings.TrimSpace(string(got)), " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil || text != "five" || time.Since(at) > time.Minute {
			t.Fatalf("line = %q (parsed %v, %v); want a recent RFC 3339 stamp and five", got, at, err)
		}
	})
}
