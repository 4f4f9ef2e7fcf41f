package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/backoff"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/metrics"
)

// ConnectOptions configure dialling out (Connect).
type ConnectOptions struct {
	// Token is the bearer sent in the Authorization header, asked for at
	// every dial so that a rotated file is picked up; nil sends none.
	Token func() (string, error)
	// TLS verifies a wss:// peer; nil means the system's roots.
	TLS *tls.Config
	// Backoff paces redialling; its zero value waits 1 s doubling to 30 s.
	Backoff backoff.Backoff
	Logger  *slog.Logger
}

// connectHandshake bounds one dial, TCP and TLS and the upgrade together.
const connectHandshake = 10 * time.Second

// Connect dials the WebSocket at rawURL and serves one MCP session over it,
// kubemcp being the server and the peer the client (binding as at /ws);
// when the socket drops or cannot be opened it dials again after a backoff,
// until ctx ends. Nothing listens: this is how kubemcp serves a hub it can
// reach but that cannot reach it.
func Connect(ctx context.Context, server *mcp.Server, rawURL string, opts ConnectOptions) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	where := config.SafeURL(rawURL)
	wait := opts.Backoff
	for {
		opened, err := connectOnce(ctx, server, rawURL, opts)
		if ctx.Err() != nil {
			return
		}
		if opened {
			wait.Reset()
		}
		delay := wait.Next()
		logger.Warn("connect: MCP over WebSocket ended; dialling again", "url", where, "error", err, "after", delay)
		if !backoff.Sleep(ctx, delay) {
			return
		}
	}
}

// connectOnce is one socket: dial, serve the session until it ends, and say
// whether the socket opened and why it ended.
func connectOnce(ctx context.Context, server *mcp.Server, rawURL string, opts ConnectOptions) (opened bool, err error) {
	header, err := opts.header()
	if err != nil {
		return false, err
	}
	ws, err := dial(ctx, rawURL, header, opts.TLS)
	if err != nil {
		return false, err
	}
	conn := newWSConn(ws)
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	ss, err := server.Connect(metrics.WithTransport(ctx, metrics.WebSocket), conn, nil)
	if err != nil {
		return true, fmt.Errorf("starting the MCP session: %w", err)
	}
	return true, ss.Wait()
}

// header carries the bearer, read now.
func (opts ConnectOptions) header() (http.Header, error) {
	header := http.Header{}
	if opts.Token != nil {
		token, err := opts.Token()
		if err != nil {
			return nil, err
		}
		header.Set("Authorization", "Bearer "+token)
	}
	return header, nil
}

// WebSocketClient is an MCP client transport over WebSocket, the binding
// /ws serves (subprotocol mcp, a message a text frame): the gateway dials
// its websocket upstreams with it. Each Connect dials a new socket.
type WebSocketClient struct {
	URL    string
	Header http.Header // sent with the upgrade, e.g. Authorization
	TLS    *tls.Config // verifies a wss:// server; nil: the system's roots
}

var _ mcp.Transport = (*WebSocketClient)(nil)

func (c *WebSocketClient) Connect(ctx context.Context) (mcp.Connection, error) {
	ws, err := dial(ctx, c.URL, c.Header, c.TLS)
	if err != nil {
		return nil, err
	}
	return newWSConn(ws), nil
}

func dial(ctx context.Context, rawURL string, header http.Header, tlsConfig *tls.Config) (*websocket.Conn, error) {
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: connectHandshake,
		Subprotocols: []string{wsSubprotocol}, TLSClientConfig: tlsConfig}
	ws, resp, err := d.DialContext(ctx, rawURL, header)
	if err != nil {
		if resp != nil {
			// A refusal's status says what to fix (401: the token).
			return nil, fmt.Errorf("dialling %s: HTTP %s: %w", config.SafeURL(rawURL), resp.Status, err)
		}
		return nil, fmt.Errorf("dialling %s: %w", config.SafeURL(rawURL), err)
	}
	if ws.Subprotocol() != wsSubprotocol {
		ws.Close()
		return nil, errors.New("the peer did not agree to WebSocket subprotocol mcp; it must answer Sec-WebSocket-Protocol: mcp")
	}
	return ws, nil
}
