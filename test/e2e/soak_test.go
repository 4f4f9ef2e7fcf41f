package e2e

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// soakReads are the mixed read calls the soak makes, in turn.
var soakReads = []*mcp.CallToolParams{
	{Name: "pods_list", Arguments: map[string]any{"namespace": testenv.NamespaceShop}},
	{Name: "namespaces_list"},
	{Name: "resources_get", Arguments: map[string]any{"resource": "deploy", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend}},
	{Name: "events_list", Arguments: map[string]any{"namespace": testenv.NamespacePayments}},
	{Name: "pods_list", Arguments: map[string]any{"label_selector": "app=" + testenv.DeploymentFrontend}},
}

// TestSoak holds 200 concurrent MCP sessions (go-sdk clients, 2025-11-25,
// over HTTP) on the real binary, each making the mixed read calls in turn,
// for KUBEMCP_SOAK (a duration; 5s unless set: make soak sets 60s): no call
// may fail, and once the sessions are closed the server's goroutines return
// to their baseline. Latency percentiles, throughput and the server's RSS
// are logged (docs/BENCHMARKS.md).
func TestSoak(t *testing.T) {
	const sessions = 200
	duration := 5 * time.Second
	if v := os.Getenv("KUBEMCP_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("KUBEMCP_SOAK=%q: %v", v, err)
		}
		duration = d
	}
	url := startHTTPWith(t, env.Kubeconfig, strings.Fields(os.Getenv("KUBEMCP_SOAK_FLAGS"))...)
	base := strings.TrimSuffix(url, "/mcp")
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * sessions}}
	// The baseline is taken after one session has made every call once: what
	// stays for the server's life (the watch cache's informers, with
	// --cache) is not what sessions hold.
	warm := connect(t, &mcp.StreamableClientTransport{Endpoint: url}, nil)
	if _, failures := soak([]*mcp.ClientSession{warm}, 0); len(failures) > 0 {
		t.Fatalf("warming up: %s", failures[0])
	}
	warm.Close()
	var before reading
	testenv.Eventually(t, 10*time.Second, "the warm-up session to end", func() bool { before = serverMetrics(t, base); return before.sessions == 0 })
	clients := make([]*mcp.ClientSession, sessions)
	for i := range clients {
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "soak", Version: "v0"}, nil).Connect(testContext(t),
			&mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		clients[i] = cs
	}
	lat, failures := soak(clients, duration)
	peak := serverMetrics(t, base)
	for _, cs := range clients {
		cs.Close()
	}
	hc.CloseIdleConnections()
	if len(failures) > 0 {
		t.Errorf("%d of %d calls failed, first: %s", len(failures), len(lat)+len(failures), failures[0])
	}
	var after reading
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if after = serverMetrics(t, base); after.sessions == 0 && after.goroutines <= before.goroutines+5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("15s after closing the sessions: %d open, %d goroutines (%d before)", after.sessions, after.goroutines, before.goroutines)
		}
	}
	slices.Sort(lat)
	t.Logf("soak: %d sessions for %s, %d calls (%.0f/s), %d failed; latency p50 %s p95 %s p99 %s max %s; server RSS %d MiB before, %d MiB at the end of the load, %d MiB after; goroutines %d before, %d under load, %d after",
		sessions, duration, len(lat), float64(len(lat))/duration.Seconds(), len(failures),
		pct(lat, 50), pct(lat, 95), pct(lat, 99), pct(lat, 100),
		before.rss>>20, peak.rss>>20, after.rss>>20, before.goroutines, peak.goroutines, after.goroutines)
}

// soak has each client make the soak's calls in turn, each at least once
// and until duration has passed, and returns every successful call's latency and a line per failure.
func soak(clients []*mcp.ClientSession, duration time.Duration) (lat []time.Duration, failures []string) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	end := time.Now().Add(duration)
	for i, cs := range clients {
		wg.Go(func() {
			var mine []time.Duration
			for n := i; n < i+len(soakReads) || time.Now().Before(end); n++ {
				p := soakReads[n%len(soakReads)]
				start := time.Now()
				res, err := cs.CallTool(context.Background(), p)
				if err != nil || res.IsError {
					mu.Lock()
					failures = append(failures, p.Name+": "+errorText(err, res))
					mu.Unlock()
					continue
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return lat, failures
}

func errorText(err error, res *mcp.CallToolResult) string {
	if err != nil {
		return err.Error()
	}
	return textOf(res)
}

// pct is the p-th percentile of sorted.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100].Round(time.Millisecond)
}
