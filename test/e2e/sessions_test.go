package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestAbandonedSessionsAreReaped opens 1,000 MCP sessions (2025-11-25, each
// with its event stream open, as go-sdk clients keep one) against the real
// binary, then drops every connection without a DELETE, as clients that die
// do: the idle sessions are closed after --session-idle, and the server's
// goroutines and heap return to what they were before.
func TestAbandonedSessionsAreReaped(t *testing.T) {
	const sessions = 1000
	url := startHTTPWith(t, env.Kubeconfig, "--session-idle", "3s")
	base := strings.TrimSuffix(url, "/mcp")
	before := serverMetrics(t, base)
	conns := &dropAll{}
	hc := &http.Client{Transport: &http.Transport{DialContext: conns.dial, MaxIdleConnsPerHost: sessions}}
	client := mcp.NewClient(&mcp.Implementation{Name: "abandoner", Version: "v0"}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	slots := make(chan struct{}, 50) // connects at once
	for range sessions {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			_, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc},
				&mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("opening %d sessions: %v", sessions, err)
		}
	}
	open := serverMetrics(t, base)
	if got := open.sessions; got < sessions {
		t.Fatalf("%d sessions open after opening %d", got, sessions)
	}
	conns.drop()
	abandoned := time.Now()
	var after reading
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if after = serverMetrics(t, base); after.sessions == 0 && after.goroutines <= before.goroutines+5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s after abandoning %d sessions (idle timeout 3s): %d sessions open, %d goroutines (%d before)", sessions, after.sessions, after.goroutines, before.goroutines)
		}
	}
	t.Logf("%d sessions: goroutines %d before, %d open, %d %s after abandoning them (idle timeout 3s); heap in use %d MiB, %d MiB, %d MiB; RSS %d MiB, %d MiB, %d MiB",
		sessions, before.goroutines, open.goroutines, after.goroutines, time.Since(abandoned).Round(100*time.Millisecond),
		before.heap>>20, open.heap>>20, after.heap>>20, before.rss>>20, open.rss>>20, after.rss>>20)
}

// reading is what the test reads of a server's /metrics.
type reading struct {
	sessions, goroutines int
	heap, rss            int64
}

func serverMetrics(t *testing.T, base string) reading {
	t.Helper()
	_, body := scrape(t, base, "")
	return reading{
		sessions:   int(metricValue(t, body, `kubemcp_sessions_active{transport="streamable-http"}`)),
		goroutines: int(metricValue(t, body, "go_goroutines")),
		heap:       int64(metricValue(t, body, "go_memstats_heap_inuse_bytes")),
		rss:        int64(metricValue(t, body, "process_resident_memory_bytes")),
	}
}

// metricValue is the value of the series named exactly so in a scrape; a
// series not there yet (no session opened) reads 0.
func metricValue(t testing.TB, body, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", series, err)
	}
	return v
}

// dropAll dials connections and closes them all at once, as a client
// process that dies would; it dials no more after that (go-sdk clients would
// reconnect their event streams).
type dropAll struct {
	mu      sync.Mutex
	conns   []net.Conn
	dropped bool
}

func (d *dropAll) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dropped {
		return nil, errors.New("this client is gone")
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		d.conns = append(d.conns, c)
	}
	return c, err
}

func (d *dropAll) drop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dropped = true
	for _, c := range d.conns {
		c.Close()
	}
}
