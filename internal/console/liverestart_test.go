package console_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestLiveSurvivesApiserverRestart: an /api/live stream watching the pods of
// a namespace stays open while its cluster's apiserver (a cluster of the
// test's own) is stopped for 6 s and started again, and delivers a pod
// created as the apiserver came back. The watch's retries have backed off
// by then, so the pod is most often created before the watch is back, and
// only its resumption or a relist can deliver it (the log's latency says
// which: milliseconds for a watch already back, seconds for one that came
// back later).
//
// The bound is what client-go's reflector guarantees, not a hoped-for
// figure: it retries after 0.8 s, doubling, each wait jittered up by as much
// as itself (NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0)). The
// retry just before a 6 s outage ends can be the third (5.6 to 11.2 s in),
// so the next may come 6.4 to 12.8 s after the apiserver is ready; 20 s
// from then leaves the relist and a loaded machine room. 10 s, the figure
// first asked for, holds on most runs; the log shows the latency.
const reflectorRetryBound = 20 * time.Second

func TestLiveSurvivesApiserverRestart(t *testing.T) {
	ctx := context.Background()
	solo, err := testenv.Start(ctx, testenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { solo.Stop() })
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, "admin", "live", map[string]*testenv.Env{"live": solo}); err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, "--kubeconfig", kubeconfig)
	c.login(t)
	pods := solo.Clientset("admin").CoreV1().Pods("default")
	create := func(name string) {
		t.Helper()
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
		if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	stream := c.live(t, "/api/live?kinds=pods&cluster=live&namespace=default")
	if got := stream.untilReady(t); got["ready"][0].data["watching"] != 1.0 {
		t.Fatalf("before the restart: %v", got)
	}
	create("before")
	stream.until(t, "before", 5*time.Second)

	if err := solo.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second) // the watch notices, and its retries against a dead apiserver back off
	if err := solo.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	ready := time.Now()
	create("after")
	stream.until(t, "after", reflectorRetryBound)
	t.Logf("the pod created as the apiserver came back reached the stream %s after the apiserver was ready", time.Since(ready).Round(time.Millisecond))
}

// until reads the stream until a change to the pod named name, failing the
// test if the stream ends or none comes within.
func (ls *liveStream) until(t *testing.T, name string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		e := ls.next(t, time.Until(deadline))
		switch {
		case e.name == "":
			t.Fatalf("the stream ended before a change to %s", name)
		case e.name == "change" && e.data["name"] == name:
			return
		}
	}
}
