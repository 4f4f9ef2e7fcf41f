package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// BenchmarkFanOut compares pods_list across 5 real clusters in one call with
// 5 single-cluster calls one after another, in the same loop: each iteration
// times the fan-out, each single call, and their sum. The target is a fan-out
// about as long as the slowest single call. "local" reaches the apiservers
// directly, so all of them share this machine's cores with kubemcp;
// "remote" and "far" put each behind a proxy that delays every packet toward
// it by 20 or 100 ms, as for clusters in other regions, where waiting rather
// than this machine's CPU bounds a call.
func BenchmarkFanOut(b *testing.B) {
	const clusters = 5
	envs := map[string]*testenv.Env{"c0": env}
	for i, e := range fleet(b, clusters-1) {
		envs[fmt.Sprintf("c%d", i+1)] = e
	}
	for _, e := range envs {
		if err := seedBenchNamespace(context.Background(), e.Clientset("admin"), "fanout"); err != nil {
			b.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name  string
		delay time.Duration
	}{{"local", 0}, {"remote", 20 * time.Millisecond}, {"far", 100 * time.Millisecond}} {
		b.Run(tt.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "kubeconfig")
			if err := testenv.WriteKubeconfig(path, "admin", "c0", envs); err != nil {
				b.Fatal(err)
			}
			if tt.delay > 0 {
				delayed(b, path, tt.delay)
			}
			benchFanOut(b, connectInMemory(b, path), clusters)
		})
	}
}

func benchFanOut(b *testing.B, cs *mcp.ClientSession, clusters int) {
	ctx := context.Background()
	pods := func(cluster string, budget int) time.Duration {
		start := time.Now()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "pods_list",
			Arguments: map[string]any{"cluster": cluster, "namespace": "fanout", "max_bytes": budget}})
		if err != nil || res.IsError {
			b.Fatalf("pods_list on %s: %v %+v", cluster, err, res)
		}
		return time.Since(start)
	}
	var fan, seq, slowest []time.Duration
	for b.Loop() {
		fan = append(fan, pods("*", clusters*16384))
		var sum, most time.Duration
		for i := range clusters {
			d := pods(fmt.Sprintf("c%d", i), 16384)
			sum += d
			most = max(most, d)
		}
		seq, slowest = append(seq, sum), append(slowest, most)
	}
	p50 := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	f, s, w := p50(fan), p50(seq), p50(slowest)
	b.ReportMetric(f, "fanout-p50-ms")
	b.ReportMetric(s, "sequential-p50-ms")
	b.ReportMetric(w, "slowest-single-p50-ms")
	b.ReportMetric(f/s, "fanout/sequential")
	b.ReportMetric(f/w, "fanout/slowest")
}

// delayed rewrites the kubeconfig at path so that every cluster is reached
// through a loopback proxy that holds each chunk sent toward the apiserver
// for delay (a one-way latency; answers flow back at once).
func delayed(b *testing.B, path string, delay time.Duration) {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cfg.Clusters {
		u, err := url.Parse(c.Server)
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ln.Close() })
		go proxyDelayed(ln, u.Host, delay)
		c.Server = "https://" + ln.Addr().String()
	}
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		b.Fatal(err)
	}
}

func proxyDelayed(ln net.Listener, target string, delay time.Duration) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			continue
		}
		go func() { io.Copy(client, server); client.Close() }()
		go forwardLate(client, server, delay)
	}
}

// forwardLate copies from src to dst, each chunk delay after it was read,
// in order.
func forwardLate(src, dst net.Conn, delay time.Duration) {
	type chunk struct {
		due  time.Time
		data []byte
	}
	queue := make(chan chunk, 1024)
	go func() {
		defer dst.Close()
		for c := range queue {
			time.Sleep(time.Until(c.due)) // the latency is what the benchmark measures
			if _, err := dst.Write(c.data); err != nil {
				return
			}
		}
	}()
	defer close(queue)
	for {
		buf := make([]byte, 32<<10)
		n, err := src.Read(buf)
		if n > 0 {
			queue <- chunk{time.Now().Add(delay), buf[:n]}
		}
		if err != nil {
			return
		}
	}
}
