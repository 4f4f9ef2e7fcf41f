package gateway

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// wsUpstream is a real MCP server over WebSocket: an MCP server with one
// tool behind kubemcp's own HTTP mux (transport.Mux), whose /ws is the
// binding the gateway dials. It serves on one loopback address, so that it
// can be stopped and started there again. It records the Authorization
// header of each upgrade.
type wsUpstream struct {
	addr   string
	server *mcp.Server
	srv    *http.Server
	cancel context.CancelFunc
	mu     sync.Mutex
	auth   []string
}

func newWSUpstream(t *testing.T) *wsUpstream {
	t.Helper()
	w := &wsUpstream{server: helloServer("ws-upstream")}
	w.start(t, "127.0.0.1:0")
	t.Cleanup(w.stop)
	return w
}

// helloServer is an MCP server with one read-only tool, hello, which
// answers "hello <Name>".
func helloServer(name string) *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: name}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "hello", Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}},
		func(_ context.Context, _ *mcp.CallToolRequest, in struct{ Name string }) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hello " + in.Name}}}, nil, nil
		})
	return server
}

// start serves on addr; stop ends the server and every socket it has open
// (a hijacked connection ends with its request's context).
func (w *wsUpstream) start(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	w.addr = ln.Addr().String()
	mux := transport.Mux(w.server, transport.HTTPOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.srv = &http.Server{BaseContext: func(net.Listener) context.Context { return ctx },
		Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			w.mu.Lock()
			w.auth = append(w.auth, r.Header.Get("Authorization"))
			w.mu.Unlock()
			mux.ServeHTTP(rw, r)
		})}
	go w.srv.Serve(ln)
}

func (w *wsUpstream) stop() {
	w.cancel()
	w.srv.Close()
}

func (w *wsUpstream) url() string { return "ws://" + w.addr + transport.PathWS }

// TestWebSocketUpstream: an upstream dialled over WebSocket has its tools
// served prefixed and called; stopped, its tools go; started again on the
// same address, they come back.
func TestWebSocketUpstream(t *testing.T) {
	up := newWSUpstream(t)
	env := map[string]string{"WS_TOKEN": "Bearer ws-4d5e6f"}
	k := mustServe(t, Options{Probe: 200 * time.Millisecond, MinBackoff: 100 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		LookupEnv: func(key string) (string, bool) { v, ok := env[key]; return v, ok },
		Upstreams: []config.Upstream{{Name: "sock", URL: up.url(), Headers: map[string]config.Secret{"Authorization": {FromEnv: "WS_TOKEN"}}}}})
	if !has(k.tools(t), "sock__hello") {
		t.Fatalf("tools/list lacks sock__hello: %v", k.tools(t))
	}
	if got := upstreamText(t, k.call(t, "sock__hello", map[string]any{"Name": "gateway"})); got != "hello gateway" {
		t.Fatalf("sock__hello: %q", got)
	}
	if s, _ := k.gw.State("sock"); s.Transport != config.TransportWebSocket || !s.Connected {
		t.Errorf("upstreams_list says %+v", s)
	}
	up.mu.Lock()
	auth := up.auth
	up.mu.Unlock()
	if len(auth) == 0 || auth[0] != "Bearer ws-4d5e6f" {
		t.Errorf("the upgrade carried Authorization %q, want the configured header", auth)
	}

	up.stop()
	testenv.Eventually(t, 5*time.Second, "sock's tools withdrawn", func() bool { return !has(k.tools(t), "sock__hello") })
	if body := scrape(t, k); !strings.Contains(body, `kubemcp_upstream_connected{upstream="sock"} 0`) {
		t.Errorf("after the stop the metrics say\n%s", grepLines(body, "kubemcp_upstream"))
	}
	if s, _ := k.gw.State("sock"); s.Connected || s.LastError == "" {
		t.Errorf("after the stop upstreams_list says %+v; want disconnected with the reason", s)
	}

	up.start(t, up.addr)
	back := time.Now()
	testenv.Eventually(t, 10*time.Second, "sock's tools listed again", func() bool { return has(k.tools(t), "sock__hello") })
	t.Logf("WebSocket upstream back (listening) -> tools listed again: %s", time.Since(back).Round(time.Millisecond))
	if got := upstreamText(t, k.call(t, "sock__hello", map[string]any{"Name": "again"})); got != "hello again" {
		t.Errorf("sock__hello after the restart: %q", got)
	}
	body := scrape(t, k)
	for _, want := range []string{`kubemcp_upstream_connected{upstream="sock"} 1`,
		`kubemcp_upstream_call_duration_seconds_count{upstream="sock"} 2`, `kubemcp_upstream_reconnects_total{upstream="sock"} `} {
		if !strings.Contains(body, want) {
			t.Errorf("the metrics lack %s:\n%s", want, grepLines(body, "kubemcp_upstream"))
		}
	}
}
