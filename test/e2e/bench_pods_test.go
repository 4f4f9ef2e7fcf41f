package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

const (
	benchNamespaces = 10
	benchPodsPerNS  = 100
)

var benchOnce sync.Once

// benchCluster adds 10 namespaces of 100 Running pods each to the test
// cluster, once per run.
// benchCluster seeds the pods once and returns two plain client-go clients
// as baselines: one decoding JSON (client-go's default) and kubemcp's own
// typed client, which asks for protobuf.
func benchCluster(b *testing.B) (jsonClient, protoClient kubernetes.Interface) {
	b.Helper()
	kc, err := kube.New(env.RESTConfig("admin"), kube.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var setupErr error
	benchOnce.Do(func() { setupErr = seedBenchPods(context.Background(), kc.Typed) })
	if setupErr != nil {
		b.Fatal(setupErr)
	}
	cfg := env.RESTConfig("admin")
	cfg.QPS, cfg.Burst = -1, -1 // no client-side throttling, as kubemcp's
	jsonClient, err = kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return jsonClient, kc.Typed
}

func seedBenchPods(ctx context.Context, c kubernetes.Interface) error {
	errs := make(chan error, benchNamespaces)
	for n := range benchNamespaces {
		go func() { errs <- seedBenchNamespace(ctx, c, fmt.Sprintf("bench-%d", n)) }()
	}
	for range benchNamespaces {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func seedBenchNamespace(ctx context.Context, c kubernetes.Interface, ns string) error {
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	start := metav1.NewTime(time.Now().Add(-time.Hour))
	for i := range benchPodsPerNS {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%s-%03d", ns, i), Labels: map[string]string{"app": "web", "shard": fmt.Sprint(i % 4)}},
			Spec:       corev1.PodSpec{NodeName: testenv.NodeName, Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
		}
		created, err := c.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		created.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: fmt.Sprintf("10.245.%d.%d", i/250, i%250+1), StartTime: &start,
			ContainerStatuses: []corev1.ContainerStatus{{Name: "web", Ready: true, RestartCount: int32(i % 3), Image: "nginx:1.27",
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}}}}}
		if _, err := c.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkPodsList compares pods_list through a real MCP client (in memory,
// so the figure is kubemcp's own cost plus the apiserver's) with the raw API
// list it makes, in the same run, and reports the median and the text size.
func BenchmarkPodsList(b *testing.B) {
	rawJSON, rawProto := benchCluster(b)
	cfg := config.Default()
	cfg.Kubeconfig, cfg.Cache = env.Kubeconfig, false
	cs := connectConfig(b, cfg) // direct: each call lists from the apiserver
	cfg.Cache = true
	cached := connectConfig(b, cfg) // the shared watch cache, in the same run
	ctx := context.Background()
	for _, scope := range []struct{ name, ns string }{{"one-namespace", "bench-3"}, {"all-namespaces", ""}} {
		for _, raw := range []struct {
			name   string
			client kubernetes.Interface
		}{{"raw-api-json", rawJSON}, {"raw-api-protobuf", rawProto}} {
			b.Run(scope.name+"/"+raw.name, func(b *testing.B) {
				timed(b, func() int {
					list, err := raw.client.CoreV1().Pods(scope.ns).List(ctx, metav1.ListOptions{})
					if err != nil {
						b.Fatal(err)
					}
					return len(list.Items)
				})
			})
		}
		// pods_list-cached-none matches no pod: the cost of an MCP call
		// around an empty answer, the floor beneath every cached read.
		for _, tool := range []struct {
			name     string
			cs       *mcp.ClientSession
			selector string
		}{{"pods_list", cs, ""}, {"pods_list-cached", cached, ""}, {"pods_list-cached-none", cached, "app=none"}} {
			b.Run(scope.name+"/"+tool.name, func(b *testing.B) {
				var textBytes int
				args := map[string]any{"namespace": scope.ns, "label_selector": tool.selector}
				timed(b, func() int {
					res, err := tool.cs.CallTool(ctx, &mcp.CallToolParams{Name: "pods_list", Arguments: args})
					if err != nil || res.IsError {
						b.Fatalf("%v %+v", err, res)
					}
					textBytes = len(res.Content[0].(*mcp.TextContent).Text)
					return 0
				})
				b.ReportMetric(float64(textBytes), "text-bytes")
			})
		}
	}
}

// timed runs f b.N times and reports the median duration next to the mean.
func timed(b *testing.B, f func() int) {
	b.Helper()
	var d []time.Duration
	items := 0
	for b.Loop() {
		start := time.Now()
		items = f()
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	if items > 0 {
		b.ReportMetric(float64(items), "items")
	}
}
