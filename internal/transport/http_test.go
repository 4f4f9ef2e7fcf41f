package transport

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestListenRefusesBeyondLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.1.2.3:8080", "[::]:0", "example.com:80"} {
		if _, err := Listen(addr, ListenOptions{}); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Listen(%q) = %v, want ErrNotLoopback", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := Listen(addr, ListenOptions{})
		if err != nil {
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		ln.Close()
	}
}

// TestShutdownEndsOpenStreams checks that an open legacy SSE stream (a GET that
// never ends by itself) does not hold a shutdown for the whole grace period.
func TestShutdownEndsOpenStreams(t *testing.T) {
	ln, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	mux := Mux(server, HTTPOptions{Ready: func(context.Context) (string, error) { return "cluster a: not ready\n", errors.New("cluster down") }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, mux, ServeOptions{Grace: 30 * time.Second}) }()

	base := "http://" + ln.Addr().String()
	if code := get(t, base+PathHealthz); code != http.StatusOK {
		t.Fatalf("/healthz: %d", code)
	}
	if code := get(t, base+PathReadyz); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with a failing check: %d, want 503", code)
	}
	resp, err := http.Get(base + PathSSE) // stays open
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("/sse: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if ep := endpointEvent(t, resp); !strings.HasPrefix(ep, PathMessage+"?sessionid=") {
		t.Fatalf("legacy clients are told to post to %q, want %s?sessionid=...", ep, PathMessage)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown waited on the open stream")
	}
	t.Logf("shutdown with an open stream took %s", time.Since(start))
}

// endpointEvent reads the SSE stream up to its first data line: the URL the
// client must post its messages to.
func endpointEvent(t *testing.T, resp *http.Response) string {
	t.Helper()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return data
		}
	}
	t.Fatalf("stream ended without an endpoint event: %v", sc.Err())
	return ""
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestShutdownClosesUnusedConnections: a connection no request came on (a
// client's spare) does not hold a shutdown; net/http alone would wait 5 s
// for it, longer than this grace.
func TestShutdownClosesUnusedConnections(t *testing.T) {
	ln, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, Mux(server, HTTPOptions{}), ServeOptions{Grace: 2 * time.Second}) }()
	spare, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer spare.Close()
	if code := get(t, "http://"+ln.Addr().String()+PathHealthz); code != http.StatusOK {
		t.Fatalf("/healthz: %d", code) // the server has seen the spare connection by now
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
