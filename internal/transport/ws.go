package transport

import (
	"cmp"
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
	// DefaultWSPing is how often a socket is pinged (HTTPOptions.WSPing),
	// so that a peer that vanished is noticed and proxies keep it open.
	DefaultWSPing = 30 * time.Second
	// wsCloseWait: how long a close frame may take to go out. A connection
	// cut for a slow reader is closed this long after the cut at the latest.
	wsCloseWait = time.Second
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
	// What a client that reads slowly may hold, as for event streams
	// (boundStreams).
	backlog int
	stall   time.Duration
	ping    time.Duration
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
		backlog:  cmp.Or(opts.StreamBacklog, DefaultStreamBacklog),
		stall:    cmp.Or(opts.StreamStall, DefaultStreamStall),
		ping:     cmp.Or(opts.WSPing, DefaultWSPing),
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
	conn := newBoundWSConn(ws, h.backlog, h.stall, h.ping, cutCounter(h.metrics, metrics.WebSocket))
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
// itself out once, and mcp.Connection. Its writes never wait for the
// client: go-sdk writes in the sender's goroutine and tells a resource's
// subscribers one after another, so a client that stops reading would hold
// up every other subscriber. A write queues its message in an outbox of
// backlog bytes, which one goroutine (send) writes to the socket, each
// frame within stall; past either bound the connection is closed, with a
// close frame saying why if it can still go out.
type wsConn struct {
	ws     *websocket.Conn
	stall  time.Duration
	ping   time.Duration
	out    *outbox
	closed chan struct{}
	once   sync.Once
}

var (
	_ mcp.Transport                = (*wsConn)(nil)
	_ mcp.Connection               = (*wsConn)(nil)
	_ mcp.ProtocolVersionSupporter = (*wsConn)(nil)
)

// newWSConn serves ws with the default bounds, uncounted: a socket dialled
// out (Connect, WebSocketClient) has no HTTPOptions.
func newWSConn(ws *websocket.Conn) *wsConn {
	return newBoundWSConn(ws, DefaultStreamBacklog, DefaultStreamStall, DefaultWSPing, func(error) {})
}

// newBoundWSConn serves ws, pinged every ping, cut past backlog bytes
// waiting or a write waiting stall; counted hears why it was cut.
func newBoundWSConn(ws *websocket.Conn, backlog int, stall, ping time.Duration, counted func(error)) *wsConn {
	c := &wsConn{ws: ws, stall: stall, ping: ping, closed: make(chan struct{})}
	ws.SetReadLimit(WSMaxMessage)
	c.alive()
	ws.SetPongHandler(func(string) error { c.alive(); return nil })
	// A cut closes the socket within wsCloseWait whatever send is waiting
	// for; until then send may finish the message in hand and say why.
	c.out = newOutbox(backlog, func(err error) {
		counted(err)
		time.AfterFunc(wsCloseWait, func() { c.Close() })
	})
	go c.send()
	return c
}

// alive: the peer just sent something (a message, a pong), so it is there.
// If nothing more comes for a ping interval and a half (45 s by default),
// a pong has been missed and Read fails, which ends the session.
func (c *wsConn) alive() { c.ws.SetReadDeadline(time.Now().Add(c.ping + c.ping/2)) }

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
	c.alive()
	if kind != websocket.TextMessage {
		return nil, c.refuse(websocket.CloseUnsupportedData, "send one JSON-RPC message per text frame")
	}
	msg, err := jsonrpc.DecodeMessage(data)
	if err != nil {
		return nil, c.refuse(websocket.CloseInvalidFramePayloadData, "not a JSON-RPC message: "+err.Error())
	}
	return msg, nil
}

// Write queues msg for send, or fails once the connection is cut or closed.
func (c *wsConn) Write(_ context.Context, msg jsonrpc.Message) error {
	data, err := jsonrpc.EncodeMessage(msg)
	if err != nil {
		return err
	}
	return c.out.put(data)
}

func (c *wsConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.out.fail(net.ErrClosed)
		c.ws.Close()
	})
	return nil
}

// refuse sends a close frame with code and reason (at most 123 bytes, the
// frame's limit) and returns the reason as an error. gorilla lets it run
// beside send.
func (c *wsConn) refuse(code int, reason string) error {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(wsCloseWait))
	return errors.New(reason)
}

// send is the connection's one writer (gorilla allows one): it writes what
// is queued, one message a frame, and pings every ping interval, so a peer
// that vanished is noticed (its pong never comes, Read times out) and
// proxies keep the socket open. It returns once the connection is closed
// or cut, closing a cut one.
func (c *wsConn) send() {
	t := time.NewTicker(c.ping)
	defer t.Stop()
	for {
		msgs, _, last := c.out.take()
		if err := c.frames(msgs); err != nil {
			c.out.fail(err)
		}
		if last {
			c.cut()
			return
		}
		select {
		case <-c.out.wake:
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.stall)); err != nil {
				c.out.fail(err)
			}
		case <-c.closed:
			return
		}
	}
}

// frames writes msgs, each within stall, until one fails or the
// connection is cut.
func (c *wsConn) frames(msgs [][]byte) error {
	for _, m := range msgs {
		if c.out.cause() != nil {
			return nil
		}
		c.ws.SetWriteDeadline(time.Now().Add(c.stall))
		if err := c.ws.WriteMessage(websocket.TextMessage, m); err != nil {
			return err
		}
	}
	return nil
}

// cut closes a connection cut for a slow reader, saying why if the socket
// still takes a close frame (after a stalled write it never does).
func (c *wsConn) cut() {
	if err := c.out.cause(); err != nil && !errors.Is(err, net.ErrClosed) {
		c.refuse(websocket.ClosePolicyViolation, err.Error())
	}
	c.Close()
}
