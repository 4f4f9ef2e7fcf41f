package console_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestLiveOutlivesReload: through kubemcp console with the watch cache, a
// live stream of a namespace's pods whose cluster's kubeconfig entry is
// rewritten (a new server URL: new clients, as for a rotated token) says
// resync, since changes meanwhile were not seen, and delivers the next pod;
// with the cluster removed from the kubeconfig it sends watch_error saying
// why.
func TestLiveOutlivesReload(t *testing.T) {
	ns := env.Namespace(t, "live-reload")
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, "admin", "live", map[string]*testenv.Env{"live": env}); err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, "--kubeconfig", kubeconfig, "--kubeconfig-poll", "100ms", "--cache")
	c.login(t)
	stream := c.live(t, "/api/live?kinds=pods&cluster=live&namespace="+ns)
	if got := stream.untilReady(t); got["ready"][0].data["watching"] != 1.0 {
		t.Fatalf("before the reload: %v", got)
	}
	edit := func(change func(*clientcmdapi.Config)) {
		t.Helper()
		if err := testenv.EditKubeconfig(kubeconfig, change); err != nil {
			t.Fatal(err)
		}
	}

	edit(func(c *clientcmdapi.Config) {
		c.Clusters["live"].Server = strings.Replace(c.Clusters["live"].Server, "127.0.0.1", "localhost", 1)
	})
	if e := stream.next(t, 10*time.Second); e.name != "resync" || !strings.Contains(e.data["reason"].(string), "changed in the kubeconfig") {
		t.Fatalf("after the entry changed: %v, want resync", e)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "after"},
		Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
	if _, err := env.Clientset("admin").CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	stream.until(t, "after", 5*time.Second)

	edit(func(c *clientcmdapi.Config) {
		c.Contexts["elsewhere"], c.CurrentContext = c.Contexts["live"], "elsewhere"
		delete(c.Contexts, "live")
	})
	e := stream.next(t, 10*time.Second)
	if e.name != "watch_error" || e.data["cluster"] != "live" || !strings.Contains(e.data["error"].(string), "unknown cluster") {
		t.Fatalf("after the cluster went: %v, want watch_error", e)
	}
	t.Log(e.data["error"])
}
