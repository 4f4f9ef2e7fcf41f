package transport

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// dialWS opens base's /ws (an http:// URL) with gorilla's client, which sends
// no Origin unless told, as a client outside a browser.
func dialWS(base string, h http.Header, subprotocols ...string) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{Subprotocols: subprotocols, HandshakeTimeout: 5 * time.Second}
	return d.Dial("ws"+strings.TrimPrefix(base, "http")+PathWS, h)
}

func bearerHeader(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// call sends one JSON-RPC request as a text frame and returns the result of
// the answer with its id, skipping notifications.
func call(t *testing.T, c *websocket.Conn, id int, method string, params any) json.RawMessage {
	t.Helper()
	req := map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}
	if err := c.WriteJSON(req); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var resp struct {
			ID     *int            `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := c.ReadJSON(&resp); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if resp.ID == nil || *resp.ID != id {
			continue
		}
		if resp.Error != nil {
			t.Fatalf("%s: %s", method, resp.Error)
		}
		return resp.Result
	}
}

// TestWebSocketSession: initialize, tools/list and a tool call over /ws,
// each caller's call running as that caller.
func TestWebSocketSession(t *testing.T) {
	base := authedServer(t)
	for _, who := range []struct{ token, user string }{{"ta", "alice"}, {"tb", "bob"}} {
		c, resp, err := dialWS(base, bearerHeader(who.token), "mcp")
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "mcp" {
			t.Errorf("negotiated subprotocol %q, want mcp", got)
		}
		var init mcp.InitializeResult
		json.Unmarshal(call(t, c, 1, "initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "c", "version": "v"}}), &init)
		if init.ProtocolVersion != "2025-11-25" || init.ServerInfo == nil || init.ServerInfo.Name != "t" {
			t.Errorf("initialize: %+v", init)
		}
		c.WriteJSON(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
		var list mcp.ListToolsResult
		json.Unmarshal(call(t, c, 2, "tools/list", map[string]any{}), &list)
		if len(list.Tools) != 1 || list.Tools[0].Name != "whoami" {
			t.Errorf("tools/list: %+v", list.Tools)
		}
		var res struct {
			Content []mcp.TextContent `json:"content"`
		}
		json.Unmarshal(call(t, c, 3, "tools/call", map[string]any{"name": "whoami", "arguments": map[string]any{}}), &res)
		if len(res.Content) != 1 || res.Content[0].Text != who.user {
			t.Errorf("%s's call ran as %+v", who.user, res.Content)
		}
		c.Close()
	}
}

// TestWebSocketRefusals: what is refused before the upgrade, with the status
// a client sees.
func TestWebSocketRefusals(t *testing.T) {
	base := authedServer(t)
	for _, tt := range []struct {
		name         string
		header       http.Header
		subprotocols []string
		want         int
	}{
		{"no bearer", nil, []string{"mcp"}, http.StatusUnauthorized},
		{"wrong bearer", bearerHeader("nope"), []string{"mcp"}, http.StatusUnauthorized},
		{"no subprotocol", bearerHeader("ta"), nil, http.StatusBadRequest},
		{"wrong subprotocol", bearerHeader("ta"), []string{"graphql-ws"}, http.StatusBadRequest},
		{"foreign origin", http.Header{"Authorization": {"Bearer ta"}, "Origin": {"https://evil.example"}}, []string{"mcp"}, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, resp, err := dialWS(base, tt.header, tt.subprotocols...)
			if err == nil {
				c.Close()
				t.Fatal("upgraded")
			}
			if resp == nil || resp.StatusCode != tt.want {
				t.Fatalf("%v %v, want %d", resp, err, tt.want)
			}
		})
	}
	// The server's own origin, as a page it served would send, is let in.
	h := bearerHeader("ta")
	h.Set("Origin", base)
	c, _, err := dialWS(base, h, "mcp")
	if err != nil {
		t.Fatalf("own origin: %v", err)
	}
	c.Close()
}

// TestWebSocketLoopbackHost: without auth, a page that reached the loopback
// server by DNS rebinding (foreign Host, matching Origin) is refused.
func TestWebSocketLoopbackHost(t *testing.T) {
	srv := httptest.NewServer(Mux(mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil), HTTPOptions{}))
	t.Cleanup(srv.Close)
	d := websocket.Dialer{Subprotocols: []string{"mcp"}}
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + PathWS
	_, resp, err := d.Dial(u, http.Header{"Host": {"rebound.example:80"}, "Origin": {"http://rebound.example:80"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("rebound host: %v %v, want 400", resp, err)
	}
	c, _, err := d.Dial(u, nil)
	if err != nil {
		t.Fatalf("loopback host: %v", err)
	}
	c.Close()
}

// TestWebSocketMessageLimit: a message over WSMaxMessage closes the
// connection with 1009; a binary frame with 1003.
func TestWebSocketMessageLimit(t *testing.T) {
	base := authedServer(t)
	for _, tt := range []struct {
		name string
		kind int
		data []byte
		code int
	}{
		{"oversize", websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", WSMaxMessage) + `"}}`), websocket.CloseMessageTooBig},
		{"binary", websocket.BinaryMessage, []byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`), websocket.CloseUnsupportedData},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := dialWS(base, bearerHeader("ta"), "mcp")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.WriteMessage(tt.kind, tt.data); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, _, err = c.ReadMessage()
			if ce := (*websocket.CloseError)(nil); !errors.As(err, &ce) || ce.Code != tt.code {
				t.Fatalf("read after %s: %v, want close %d", tt.name, err, tt.code)
			}
		})
	}
}

// wsPeer is a client socket on /ws, initialized, whose messages one
// goroutine reads (gorilla answers pings only while reading) until the
// socket ends, which closed then reports.
type wsPeer struct {
	c        *websocket.Conn
	messages chan []byte
	closed   chan error
}

// dialPeer opens /ws at base; a deaf peer reads but answers no ping, as a
// peer that is gone behind a proxy that still holds the connection.
func dialPeer(t *testing.T, base string, deaf bool) *wsPeer {
	t.Helper()
	c, _, err := dialWS(base, nil, "mcp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	call(t, c, 1, "initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "c", "version": "v"}})
	c.WriteJSON(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	if deaf {
		c.SetPingHandler(func(string) error { return nil })
	}
	c.SetReadDeadline(time.Time{})
	p := &wsPeer{c: c, messages: make(chan []byte, 16), closed: make(chan error, 1)}
	go func() {
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				p.closed <- err
				return
			}
			p.messages <- data
		}
	}()
	return p
}

// TestWebSocketKeepalive: /ws pings every WSPing; a peer that stops
// answering is closed within two intervals and its session released,
// while a live peer that sends nothing but pongs stays connected across
// several intervals and is still served.
func TestWebSocketKeepalive(t *testing.T) {
	const every = 500 * time.Millisecond
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	srv := httptest.NewServer(Mux(server, HTTPOptions{WSPing: every}))
	t.Cleanup(srv.Close)
	live, deaf := dialPeer(t, srv.URL, false), dialPeer(t, srv.URL, true)
	start := time.Now()
	sessions := func() int {
		n := 0
		for range server.Sessions() {
			n++
		}
		return n
	}
	if n := sessions(); n != 2 {
		t.Fatalf("%d sessions after two peers initialized, want 2", n)
	}

	select {
	case <-deaf.closed:
		took := time.Since(start)
		t.Logf("a peer that answers no ping closed after %s (ping every %s)", took.Round(time.Millisecond), every)
		if took < every {
			t.Errorf("the deaf peer was closed after %s, before a ping was even missed", took)
		}
	case <-time.After(2 * every):
		t.Fatalf("a peer that answers no ping is still connected after %s", 2*every)
	}
	testenv.Eventually(t, 2*every, "the deaf peer's session released", func() bool { return sessions() == 1 })

	// Deliberate: what is checked is that nothing happens to the live peer
	// for several intervals, for which there is no event to wait on.
	time.Sleep(5*every - time.Since(start))
	select {
	case err := <-live.closed:
		t.Fatalf("the live peer was closed though it answered every ping: %v", err)
	default:
	}
	if err := live.c.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "ping"}); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-live.messages:
		if !strings.Contains(string(msg), `"id":2`) {
			t.Errorf("the live peer's ping answered with %s", msg)
		}
	case err := <-live.closed:
		t.Fatalf("the live peer was closed: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the live peer's ping went unanswered after five intervals")
	}
	if n := sessions(); n != 1 {
		t.Errorf("%d sessions, want the live peer's alone", n)
	}
}
