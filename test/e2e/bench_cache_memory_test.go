package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

const (
	rssPods = 10_000
	rssNS   = "bench-10k"
)

var (
	rssOnce sync.Once
	rssErr  error
)

// BenchmarkCacheRSS10kPods reports what a real kubemcp process holds once
// its watch cache holds 10,000 pods, from its own /metrics: its resident
// memory (process_resident_memory_bytes) and Go heap in use, before
// (started, one call answered, pods not read), once the pods are cached, and
// after the next garbage collection; beside the pods' raw JSON as the
// apiserver lists them. Run it once
// (-benchtime 1x): each iteration starts a new process. Seeding the pods
// takes a minute or two; they stay, so run it in a go test of its own.
func BenchmarkCacheRSS10kPods(b *testing.B) {
	rssOnce.Do(func() { rssErr = env.SeedManyPods(context.Background(), rssNS, rssPods) })
	if rssErr != nil {
		b.Fatal(rssErr)
	}
	raw, err := env.Clientset("admin").CoreV1().RESTClient().Get().AbsPath("/api/v1/namespaces", rssNS, "pods").DoRaw(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var before, after, settled reading
	for b.Loop() {
		srv := serveArgs(b, "--kubeconfig", env.Kubeconfig, "--log-level", "warn")
		base := strings.TrimSuffix(srv.URL, "/mcp")
		cs := connect(b, &mcp.StreamableClientTransport{Endpoint: srv.URL}, nil)
		callOK(b, cs, "namespaces_list", nil)
		before = serverMetrics(b, base)
		// Nothing matches: the answer is small, the informer lists every pod.
		testenv.Eventually(b, 2*time.Minute, "10,000 pods cached and a read answered from them", func() bool {
			callOK(b, cs, "pods_list", map[string]any{"namespace": rssNS, "label_selector": "app=none"})
			_, body := scrape(b, base, "")
			return metricValue(b, body, `kubemcp_cache_objects{cluster="`+testenv.KubeContext+`"}`) >= rssPods &&
				metricValue(b, body, `kubemcp_cache_reads_total{cluster="`+testenv.KubeContext+`",result="hit"}`) > 0
		})
		after = serverMetrics(b, base)
		// What the first list decoded and let go of is freed at the next
		// collection: idle, the runtime forces one within two minutes.
		gcs := serverMetrics(b, base).gcs
		testenv.Eventually(b, 3*time.Minute, "a garbage collection", func() bool {
			time.Sleep(time.Second)
			return serverMetrics(b, base).gcs > gcs
		})
		settled = serverMetrics(b, base)
	}
	const mb = 1 << 20
	b.ReportMetric(float64(before.rss)/mb, "rss-before-MB")
	b.ReportMetric(float64(after.rss)/mb, "rss-cached-MB")
	b.ReportMetric(float64(settled.rss)/mb, "rss-after-gc-MB")
	b.ReportMetric(float64(after.heap-before.heap)/mb, "heap-delta-MB")
	b.ReportMetric(float64(settled.heap-before.heap)/mb, "heap-delta-after-gc-MB")
	b.ReportMetric(float64(len(raw))/mb, "raw-json-MB")
}

func callOK(b testing.TB, cs *mcp.ClientSession, tool string, args map[string]any) {
	b.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil || res.IsError {
		b.Fatalf("%s %v: %v %+v", tool, args, err, res)
	}
}
