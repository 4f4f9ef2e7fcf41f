package e2e

import (
	"context"
	"errors"
	"fmt"
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
// do: the idle sessions are closed after --session-idle, the server's
// goroutines return to what they were before, and its heap in use to within
// twice what it was plus 8 MiB (open, the sessions hold several times that).
// It does so twice on one server: the second round must leave no more heap
// than the first, or memory is kept per session.
//
// The server runs with GOGC=10: the sessions' memory is garbage once they
// are reaped, but it shows as returned only after the next collection, which
// with the default GOGC would wait for the runtime's forced one (every 2
// minutes) since little is allocated then; GOGC=10 makes the scrapes
// themselves bring it within seconds.
func TestAbandonedSessionsAreReaped(t *testing.T) {
	const idle = 10 * time.Second // longer than opening them all takes, here
	t.Setenv("GOGC", "10")        // inherited by the server process
	url := startHTTPWith(t, env.Kubeconfig, "--session-idle", idle.String())
	base := strings.TrimSuffix(url, "/mcp")
	before := serverMetrics(t, base)
	var settled [2]int64
	for round := range settled {
		after, figures := abandonSessions(t, url, base, before, idle)
		t.Logf("round %d: %s", round+1, figures)
		settled[round] = after.heap
	}
	// What the first round left (maps grown for its sessions, pools) may
	// stay; a second round leaving more is memory kept per session.
	if grew := settled[1] - settled[0]; grew > 4<<20 {
		t.Errorf("heap in use settled at %d MiB after the first 1,000 sessions, %d MiB after the second: about %d KiB a session is kept",
			settled[0]>>20, settled[1]>>20, grew/1000>>10)
	}
}

// abandonSessions opens 1,000 sessions against the server at url, drops
// them, waits until they are reaped and the heap is back within its bound of
// before, and returns the server's metrics then and a line of figures.
func abandonSessions(t *testing.T, url, base string, before reading, idle time.Duration) (reading, string) {
	t.Helper()
	const sessions = 1000
	conns := &dropAll{}
	start := time.Now()
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
	opened := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("opening %d sessions: %v", sessions, err)
		}
	}
	open := serverMetrics(t, base)
	if got := open.sessions; got < sessions {
		t.Fatalf("%d sessions open after opening %d in %s", got, sessions, opened)
	}
	conns.drop()
	abandoned := time.Now()
	var after reading
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if after = serverMetrics(t, base); after.sessions == 0 && after.goroutines <= before.goroutines+5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s after abandoning %d sessions (idle timeout %s): %d sessions open, %d goroutines (%d before)", sessions, idle, after.sessions, after.goroutines, before.goroutines)
		}
	}
	reaped := time.Since(abandoned)
	// Two collections after the last session ended: the first may have
	// begun while some were still being torn down.
	gcs := after.gcs + 2
	bound := 2*before.heap + 8<<20
	for deadline := time.Now().Add(60 * time.Second); after.gcs < gcs || after.heap > bound; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("60s after abandoning %d sessions, %d collections later: heap in use %d MiB (%d MiB before, %d MiB open), want at most %d MiB",
				sessions, after.gcs-gcs+2, after.heap>>20, before.heap>>20, open.heap>>20, bound>>20)
		}
		after = serverMetrics(t, base)
	}
	return after, fmt.Sprintf("%d sessions opened in %s: goroutines %d before, %d open, %d %s after abandoning them (idle timeout %s); heap in use %d MiB, %d MiB, %d MiB %s after; RSS %d MiB, %d MiB, %d MiB",
		sessions, opened.Round(100*time.Millisecond), before.goroutines, open.goroutines, after.goroutines, reaped.Round(100*time.Millisecond), idle,
		before.heap>>20, open.heap>>20, after.heap>>20, time.Since(abandoned).Round(100*time.Millisecond), before.rss>>20, open.rss>>20, after.rss>>20)
}

// reading is what the test reads of a server's /metrics.
type reading struct {
	sessions, goroutines int
	heap, rss            int64
	gcs                  int // collections so far
}

func serverMetrics(t testing.TB, base string) reading {
	t.Helper()
	_, body := scrape(t, base, "")
	return reading{
		sessions:   int(metricValue(t, body, `kubemcp_sessions_active{transport="streamable-http"}`)),
		goroutines: int(metricValue(t, body, "go_goroutines")),
		heap:       int64(metricValue(t, body, "go_memstats_heap_inuse_bytes")),
		rss:        int64(metricValue(t, body, "process_resident_memory_bytes")),
		gcs:        int(metricValue(t, body, "go_gc_duration_seconds_count")),
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
