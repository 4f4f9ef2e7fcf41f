package transport

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// hub is the remote side kubemcp dials out to: a WebSocket listener that
// wants subprotocol mcp and a bearer, and hands each socket it accepts to
// the test, which is the MCP client over it. It can go down and come back on
// the same address.
type hub struct {
	t       *testing.T
	addr    string
	token   string
	sockets chan *websocket.Conn
	mu      sync.Mutex
	srv     *http.Server
	open    []*websocket.Conn
}

func newHub(t *testing.T, token string) *hub {
	h := &hub{t: t, addr: "127.0.0.1:0", token: token, sockets: make(chan *websocket.Conn, 4)}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *hub) wants() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.token
}

func (h *hub) setToken(token string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.token = token
}

func (h *hub) url() string { return "ws://" + h.addr + "/hub" }

func (h *hub) start() {
	ln, err := net.Listen("tcp", h.addr)
	if err != nil {
		h.t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	up := websocket.Upgrader{Subprotocols: []string{"mcp"}}
	h.mu.Lock()
	h.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+h.wants() {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		h.mu.Lock()
		h.open = append(h.open, ws)
		h.mu.Unlock()
		h.sockets <- ws
	})}
	h.mu.Unlock()
	go h.srv.Serve(ln)
}

// stop closes the listener and every socket, as a hub that restarts.
func (h *hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.srv.Close()
	for _, ws := range h.open {
		ws.Close()
	}
	h.open = nil
}

// session waits for kubemcp to dial in and is the MCP client over the socket.
func (h *hub) session(ctx context.Context, within time.Duration) (*mcp.ClientSession, time.Time) {
	h.t.Helper()
	select {
	case ws := <-h.sockets:
		at := time.Now()
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "hub", Version: "v"}, nil).Connect(ctx, newWSConn(ws), nil)
		if err != nil {
			h.t.Fatal(err)
		}
		h.t.Cleanup(func() { cs.Close() })
		return cs, at
	case <-time.After(within):
		h.t.Fatalf("kubemcp did not dial in within %s", within)
	}
	return nil, time.Time{}
}

func echoServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "kubemcp", Version: "v"}, nil)
	type in struct {
		Text string `json:"text"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, a in) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: a.Text}}}, nil, nil
	})
	return s
}

func useSession(t *testing.T, ctx context.Context, cs *mcp.ClientSession) {
	t.Helper()
	list, err := cs.ListTools(ctx, nil)
	if err != nil || len(list.Tools) != 1 || list.Tools[0].Name != "echo" {
		t.Fatalf("tools/list over the dialled socket: %v %+v", err, list)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}})
	if err != nil || res.IsError || res.Content[0].(*mcp.TextContent).Text != "hi" {
		t.Fatalf("tools/call over the dialled socket: %v %+v", err, res)
	}
}

// TestConnectReconnects: kubemcp dials the hub with its bearer (read again
// at each dial) and serves MCP to it; when the hub drops the socket kubemcp
// dials again after about the first backoff (1 s), and when the hub is down
// longer it keeps trying, doubling the wait, until the hub is back.
func TestConnectReconnects(t *testing.T) {
	h := newHub(t, "t1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dials atomic.Int32
	token := func() (string, error) { dials.Add(1); return h.wants(), nil }
	done := make(chan struct{})
	go func() { Connect(ctx, echoServer(), h.url(), ConnectOptions{Token: token}); close(done) }()

	cs, _ := h.session(ctx, 5*time.Second)
	useSession(t, ctx, cs)

	dropped := time.Now()
	h.stop()
	h.start() // back at once: the first backoff is all that passes
	cs, at := h.session(ctx, 5*time.Second)
	useSession(t, ctx, cs)
	t.Logf("hub dropped the socket and stayed up: kubemcp served again after %s", at.Sub(dropped).Round(time.Millisecond))
	if d := at.Sub(dropped); d < 700*time.Millisecond || d > 2*time.Second {
		t.Errorf("redialled %s after the drop, want about the first backoff, 1 s", d)
	}

	h.stop()
	down := time.Now()
	testenv.Eventually(t, 5*time.Second, "a dial to the stopped hub", func() bool { return dials.Load() >= 3 })
	time.Sleep(500 * time.Millisecond)
	h.setToken("t2") // rotated while down: the next dial reads it
	h.start()
	back := time.Now()
	cs, at = h.session(ctx, 10*time.Second)
	useSession(t, ctx, cs)
	t.Logf("hub down %s: kubemcp served again %s after it came back (%d dials)", back.Sub(down).Round(time.Millisecond),
		at.Sub(back).Round(time.Millisecond), dials.Load())

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Connect did not return when its context ended")
	}
}

// TestConnectRefusals: a hub that refuses the bearer or does not speak
// subprotocol mcp gets no session, and the error says what to fix.
func TestConnectRefusals(t *testing.T) {
	h := newHub(t, "right")
	ctx := context.Background()
	_, err := connectOnce(ctx, echoServer(), h.url(), ConnectOptions{Token: func() (string, error) { return "wrong", nil }})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong token: %v, want the hub's 401", err)
	}
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil) // agrees to no subprotocol
		if err == nil {
			ws.Close()
		}
	}))
	defer plain.Close()
	_, err = connectOnce(ctx, echoServer(), "ws"+strings.TrimPrefix(plain.URL, "http"), ConnectOptions{})
	if err == nil || !strings.Contains(err.Error(), "subprotocol mcp") {
		t.Errorf("no subprotocol: %v", err)
	}
}
