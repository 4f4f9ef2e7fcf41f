package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/metrics"
)

// WebSocket is not an MCP spec transport; this is the binding the TypeScript
// SDK v1's WebSocketClientTransport speaks: subprotocol "mcp", one JSON-RPC
// message per text frame, one MCP session per connection.
const (
	wsSubprotocol = "mcp"
	// WSMaxMessage bounds one incoming message; a bigger one closes the
	// connection with 1009 (message too big).
	WSMaxMessage = 4 << 20
	wsPingEvery  = 30 * time.Second
	// wsPongWait: a connection silent this long (no message, no pong) is dead.
	wsPongWait  = wsPingEvery + 15*time.Second
	wsWriteWait = 10 * time.Second
)

// wsHandler serves GET /ws: it upgrades the request and runs one server
// session over the socket until either side closes it. The caller's identity
// (identity.Middleware put it in the request's context) rides in the
// session's context, where identity.Bind finds it, as for legacy SSE.
type wsHandler struct {
	server   *mcp.Server
	metrics  *metrics.Metrics
	logger   *slog.Logger
	anyHost  bool
	upgrader websocket.Upgrader
}

func newWSHandler(server *mcp.Server, opts HTTPOptions) *wsHandler {
	return &wsHandler{
		server:  server,
		metrics: opts.Metrics,
		logger:  opts.Logger,
		anyHost: opts.Auth != nil,
		// A nil CheckOrigin refuses a browser's upgrade from any origin but
		// the server's own; clients outside browsers send no Origin.
		upgrader: websocket.Upgrader{Subprotocols: []string{wsSubprotocol}},
	}
}

func (h *wsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.check(r); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered, e.g. 403 for a foreign Origin
	}
	conn := newWSConn(ws)
	defer conn.Close()
	// Shutdown cancels the request's context (endOnShutdown); a hijacked
	// connection is otherwise invisible to it.
	defer context.AfterFunc(r.Context(), func() { conn.Close() })()
	ctx := metrics.WithTransport(r.Context(), metrics.WebSocket)
	ss, err := h.server.Connect(ctx, conn, nil)
	if err != nil {
		if h.logger != nil {
			h.logger.Warn("websocket session failed to start", "error", err)
		}
		return
	}
	go conn.keepalive()
	ss.Wait()
}

// check refuses what the upgrade would otherwise accept wrongly: a client
// that does not speak subprotocol mcp, and, without auth, a foreign Host on a
// loopback listener, which is how a page reaches a local server by DNS
// rebinding (its Origin then matches the Host, so the origin check passes).
func (h *wsHandler) check(r *http.Request) error {
	if !slices.Contains(websocket.Subprotocols(r), wsSubprotocol) {
		return fmt.Errorf("MCP over WebSocket needs subprotocol %q (Sec-WebSocket-Protocol: %s)", wsSubprotocol, wsSubprotocol)
	}
	if h.anyHost {
		return nil
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if local == nil || !isLoopback(hostOnly(local.String())) || isLoopback(hostOnly(r.Host)) {
		return nil
	}
	return fmt.Errorf("host %q is not this loopback server; connect to 127.0.0.1 or localhost", r.Host)
}

func hostOnly(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return hostport
}

// wsConn is one MCP connection over a WebSocket: mcp.Transport, which hands
// itself out once, and mcp.Connection.
type wsConn struct {
	ws     *websocket.Conn
	writeM sync.Mutex // gorilla allows one writer at a time; go-sdk writes concurrently
	closed chan struct{}
	once   sync.Once
}

var (
	_ mcp.Transport                = (*wsConn)(nil)
	_ mcp.Connection               = (*wsConn)(nil)
	_ mcp.ProtocolVersionSupporter = (*wsConn)(nil)
)

func newWSConn(ws *websocket.Conn) *wsConn {
	ws.SetReadLimit(WSMaxMessage)
	ws.SetReadDeadline(time.Now().Add(wsPongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(wsPongWait)) })
	return &wsConn{ws: ws, closed: make(chan struct{})}
}

func (c *wsConn) Connect(context.Context) (mcp.Connection, error) { return c, nil }

// SupportsProtocolVersion: a socket is a session, as legacy SSE is; the
// sessionless 2026-07-28 revision defines only stdio and streamable HTTP.
func (c *wsConn) SupportsProtocolVersion(version string) bool { return version < statelessSince }

func (c *wsConn) SessionID() string { return "" }

// Read returns the next message; a frame that is not text, or not one
// JSON-RPC message, ends the connection with a close frame saying why.
func (c *wsConn) Read(context.Context) (jsonrpc.Message, error) {
	kind, data, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	c.ws.SetReadDeadline(time.Now().Add(wsPongWait))
	if kind != websocket.TextMessage {
		return nil, c.refuse(websocket.CloseUnsupportedData, "send one JSON-RPC message per text frame")
	}
	msg, err := jsonrpc.DecodeMessage(data)
	if err != nil {
		return nil, c.refuse(websocket.CloseInvalidFramePayloadData, "not a JSON-RPC message: "+err.Error())
	}
	return msg, nil
}

func (c *wsConn) Write(_ context.Context, msg jsonrpc.Message) error {
	data, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return err
	}
	c.writeM.Lock()
	defer c.writeM.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(wsWriteWait))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

func (c *wsConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.ws.Close()
	})
	return nil
}

// refuse sends a close frame with code and reason (at most 123 bytes, the
// frame's limit) and returns the reason as an error.
func (c *wsConn) refuse(code int, reason string) error {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(wsWriteWait))
	return errors.New(reason)
}

// keepalive pings until the connection closes, so a peer that vanished is
// noticed (its pong never comes, Read times out) and proxies keep the
// socket open.
func (c *wsConn) keepalive() {
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
				c.Close()
				return
			}
		}
	}
}
