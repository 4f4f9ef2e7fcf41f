package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestBodyTimeout: a client that sends its headers and then dribbles its
// body loses the connection after BodyTimeout, while a call that runs longer
// than BodyTimeout after its body arrived is answered in full.
func TestBodyTimeout(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	server.AddTool(&mcp.Tool{Name: "slow", InputSchema: map[string]any{"type": "object"}},
		func(ctx context.Context, _ *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			select {
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			case <-time.After(time.Second):
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "done"}}}, nil
		})
	addr := serveMux(t, Mux(server, HTTPOptions{BodyTimeout: 300 * time.Millisecond}), ServeOptions{Grace: time.Second})

	t.Run("dribbled body", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		if _, err := io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.Copy(io.Discard, conn) // until the server closes the connection
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("the connection was still open after %s", time.Since(start))
		}
	})

	for _, version := range []string{"2025-11-25", statelessSince} {
		t.Run("long answer "+version, func(t *testing.T) {
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "v"}, nil).Connect(t.Context(),
				&mcp.StreamableClientTransport{Endpoint: "http://" + addr + PathMCP}, &mcp.ClientSessionOptions{ProtocolVersion: version})
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "slow"})
			if err != nil || res.IsError {
				t.Fatalf("a call running past the body timeout: %v %+v", err, res)
			}
		})
	}
}

// TestHeaderTimeout: clients that dribble their headers, a byte at a time
// and never finishing, lose their connections once HeaderTimeout has passed
// since they connected, while the server goes on answering everyone else.
func TestHeaderTimeout(t *testing.T) {
	const limit = time.Second
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	addr := serveMux(t, Mux(server, HTTPOptions{}), ServeOptions{Grace: time.Second, HeaderTimeout: limit})
	const dribblers = 20
	cut := make(chan time.Duration, dribblers)
	for range dribblers {
		go func() { cut <- dribbleHeaders(t, addr) }()
	}
	time.Sleep(limit / 2) // every dribbler is connected and sending
	if code := get(t, "http://"+addr+PathHealthz); code != http.StatusOK {
		t.Fatalf("/healthz beside %d dribbling clients: %d", dribblers, code)
	}
	first, last := time.Hour, time.Duration(0)
	for range dribblers {
		took := <-cut
		if took < limit || took > limit+3*time.Second {
			t.Errorf("a client dribbling its headers was cut after %s, want about %s", took, limit)
		}
		first, last = min(first, took), max(last, took)
	}
	t.Logf("%d clients dribbling their headers were cut %s to %s after connecting (header timeout %s)", dribblers, first.Round(10*time.Millisecond), last.Round(10*time.Millisecond), limit)
	if code := get(t, "http://"+addr+PathHealthz); code != http.StatusOK {
		t.Fatalf("/healthz after the dribblers were cut: %d", code)
	}
}

// dribbleHeaders connects to addr and sends a request's headers a byte every
// 100ms without ever ending them, and returns how long the connection lasted.
func dribbleHeaders(t *testing.T, addr string) time.Duration {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer conn.Close()
	start := time.Now()
	headers := "GET " + PathHealthz + " HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: " + strings.Repeat("x", 1000)
	for i := 0; i < len(headers); i++ {
		if _, err := conn.Write([]byte{headers[i]}); err != nil {
			return time.Since(start) // the server closed the connection
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("the server was still reading headers sent for %s", time.Since(start))
	return time.Since(start)
}

// serveMux serves h with opts on a loopback port until the test ends, and
// returns the address.
func serveMux(t *testing.T, h http.Handler, opts ServeOptions) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return ln.Addr().String()
}
