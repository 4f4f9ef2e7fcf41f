// Package transport carries MCP between clients and the server: stdio, and an
// HTTP mux with streamable HTTP (/mcp), legacy SSE (/sse, /message),
// WebSocket (/ws), the health probes (/healthz, /readyz), Prometheus metrics
// (/metrics) and, with
// authentication, the OAuth protected-resource metadata
// (/.well-known/oauth-protected-resource); served over plain HTTP or TLS with
// a certificate reloaded from its files.
package transport

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/metrics"
)

// HTTPOptions configure the HTTP mux.
type HTTPOptions struct {
	// Ready reports whether the server can do its job (a cluster answers),
	// with a line per cluster; /readyz is 503 when it returns an error, and
	// shows the report either way. Nil means always ready.
	Ready func(context.Context) (string, error)
	// SessionIdle closes a stateful session after this long without requests,
	// so clients that vanish without DELETE do not leak. Zero means never.
	SessionIdle time.Duration
	Logger      *slog.Logger
	// Auth, when set, guards the MCP paths: it verifies each request's
	// bearer and puts the caller in the request's context, or answers 401
	// (identity.Middleware). The probes and the metadata stay open.
	Auth func(http.Handler) http.Handler
	// ResourceMetadata, when set, is served at PathResourceMetadata and at
	// its /mcp form (RFC 9728 puts the resource's path after the well-known
	// one), so MCP clients can find the authorization server.
	ResourceMetadata *oauthex.ProtectedResourceMetadata
	// Metrics, when set, are served at PathMetrics, behind Auth like the MCP
	// paths (they name clusters and tools), and count sessions by transport.
	Metrics *metrics.Metrics
	// BodyTimeout is how long a client may take to send a request's body
	// (zero: DefaultBodyTimeout); the connection is closed past it.
	BodyTimeout time.Duration
	// StreamBacklog is how many bytes may wait for a client that reads its
	// event stream slowly, StreamStall how long one write to it may wait
	// (zero: DefaultStreamBacklog, DefaultStreamStall); past either its
	// stream is cut.
	StreamBacklog int
	StreamStall   time.Duration
	// WSPing is how often /ws pings each socket (zero: DefaultWSPing); a
	// peer that answers nothing, pong or message, for one and a half of it
	// is closed and its session ended.
	WSPing time.Duration
}

// The first protocol version without sessions: its clients are served statelessly.
const statelessSince = "2026-07-28"

// Paths served by the mux.
const (
	PathMCP     = "/mcp"
	PathSSE     = "/sse"
	PathMessage = "/message"
	PathWS      = "/ws"
	PathHealthz = "/healthz"
	PathReadyz  = "/readyz"
	PathMetrics = "/metrics"

	PathResourceMetadata = "/.well-known/oauth-protected-resource"
)

// Mux serves MCP and the probes. Streamable HTTP serves 2025-era clients with
// sessions and 2026-07-28 clients statelessly, routed by the
// MCP-Protocol-Version header each request carries.
//
// With Auth, any Host header is accepted: the bearer, not the address, keeps
// out a page that reached the server by DNS rebinding, and kubemcp may sit
// behind a reverse proxy. Without it, go-sdk refuses a foreign Host on a
// loopback listener.
func Mux(server *mcp.Server, opts HTTPOptions) *http.ServeMux {
	getServer := func(*http.Request) *mcp.Server { return server }
	anyHost := opts.Auth != nil
	stateful := mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{SessionTimeout: opts.SessionIdle, Logger: opts.Logger, DisableLocalhostProtection: anyHost})
	stateless := mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{Stateless: true, Logger: opts.Logger, DisableLocalhostProtection: anyHost})
	sse := newSSERouter(func() *mcp.SSEHandler {
		return mcp.NewSSEHandler(getServer, &mcp.SSEOptions{DisableLocalhostProtection: anyHost})
	})
	guard := opts.Auth
	if guard == nil {
		guard = func(h http.Handler) http.Handler { return h }
	}

	// Sessions count against their address's cap (identity.Limiter); a
	// body must arrive within bodyTimeout, and a slow reader of a stream
	// holds at most its bounded backlog.
	bodyTimeout := cmp.Or(opts.BodyTimeout, DefaultBodyTimeout)
	serveMCP := func(h http.Handler) http.Handler { return bodyDeadline(withAddress(guard(h)), bodyTimeout) }
	bounded := func(h http.Handler) http.Handler {
		return boundStreams(h, cmp.Or(opts.StreamBacklog, DefaultStreamBacklog), cmp.Or(opts.StreamStall, DefaultStreamStall), opts.Metrics)
	}

	mux := http.NewServeMux()
	mux.Handle(PathMCP, serveMCP(bounded(jsonRPCRefusals(byProtocol(stateful, stateless, opts.Metrics)))))
	mux.Handle("GET "+PathSSE, serveMCP(bounded(http.HandlerFunc(sse.stream))))
	mux.Handle("POST "+PathMessage, serveMCP(jsonRPCRefusals(http.HandlerFunc(sse.post))))
	mux.Handle("GET "+PathWS, serveMCP(newWSHandler(server, opts)))
	if md := opts.ResourceMetadata; md != nil {
		mux.Handle(PathResourceMetadata, auth.ProtectedResourceMetadataHandler(md))
		mux.Handle(PathResourceMetadata+PathMCP, auth.ProtectedResourceMetadataHandler(md))
	}
	if opts.Metrics != nil {
		mux.Handle("GET "+PathMetrics, guard(opts.Metrics.Handler()))
	}
	mux.HandleFunc(PathHealthz, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc(PathReadyz, func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if opts.Ready == nil {
			fmt.Fprintln(w, "ok")
			return
		}
		report, err := opts.Ready(ctx)
		if err != nil {
			http.Error(w, "not ready: "+err.Error()+"\n"+report, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok\n"+report)
	})
	return mux
}

// byProtocol routes a request by its MCP-Protocol-Version. The metrics count
// a stateless request as a session while it runs; the middleware counts a
// stateful session from its initialize to its end, by the transport marked
// here.
func byProtocol(stateful, stateless http.Handler, m *metrics.Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Mcp-Protocol-Version") >= statelessSince {
			if m != nil {
				defer m.SessionOpened(metrics.StatelessHTTP)()
			}
			stateless.ServeHTTP(w, r)
			return
		}
		stateful.ServeHTTP(w, r.WithContext(metrics.WithTransport(r.Context(), metrics.StreamableHTTP)))
	})
}

// withAddress marks each request with the client's address, so that the
// session it opens counts against that address's cap.
func withAddress(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(identity.WithAddress(r.Context(), r.RemoteAddr)))
	})
}

// ErrNotLoopback is returned for a listen address beyond this machine: without
// authentication, kubemcp serves only loopback.
var ErrNotLoopback = errors.New("refusing to listen beyond loopback without authentication; use 127.0.0.1:PORT or [::1]:PORT, or set auth (token, oidc or passthrough)")

// ListenOptions say what the listener will serve.
type ListenOptions struct {
	// Authenticated: every MCP request must carry a verified bearer
	// (HTTPOptions.Auth), so any address may be bound.
	Authenticated bool
}

// Listen binds addr, which must be a loopback address unless opts say the
// server authenticates its callers.
func Listen(addr string, opts ListenOptions) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if !opts.Authenticated && !isLoopback(host) {
		return nil, fmt.Errorf("listen address %q: %w", addr, ErrNotLoopback)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ServeOptions configure Serve and ServeTLS.
type ServeOptions struct {
	// Grace is how long in-flight requests may take to finish once the
	// server shuts down.
	Grace time.Duration
	// HeaderTimeout is how long a client may take to send a request's
	// headers (zero: DefaultHeaderTimeout); the connection is closed past
	// it, so a client that dribbles them holds a connection and a goroutine
	// that long at most.
	HeaderTimeout time.Duration
}

// Serve serves h on ln until ctx ends, then shuts down: it stops accepting,
// ends long-lived event streams at once, and gives in-flight requests up to
// opts.Grace to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opts ServeOptions) error {
	return serve(ctx, ln, h, opts, nil)
}

// ServeTLS is Serve over TLS with tc (Certificate.TLSConfig), HTTP/2
// offered beside HTTP/1.1.
func ServeTLS(ctx context.Context, ln net.Listener, h http.Handler, opts ServeOptions, tc *tls.Config) error {
	return serve(ctx, ln, h, opts, tc)
}

func serve(ctx context.Context, ln net.Listener, h http.Handler, opts ServeOptions, tc *tls.Config) error {
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	unused := &unusedConns{conns: map[net.Conn]bool{}}
	srv := &http.Server{
		Handler:           endOnShutdown(streams, h),
		ReadHeaderTimeout: cmp.Or(opts.HeaderTimeout, DefaultHeaderTimeout),
		IdleTimeout:       idleConnTimeout,
		ConnState:         unused.track,
		TLSConfig:         tc,
	}
	srv.RegisterOnShutdown(endStreams)
	srv.RegisterOnShutdown(unused.close)
	errc := make(chan error, 1)
	go func() {
		if tc != nil {
			errc <- srv.ServeTLS(ln, "", "") // the certificate comes from tc
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), opts.Grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down within %s: %w", opts.Grace, err)
	}
	return nil
}

// unusedConns are the connections no request has come on yet. Shutdown
// closes only idle connections, and treats a new one as idle only after 5 s,
// so a client that dialled a spare connection would hold a shutdown for that
// long; close them at once instead.
type unusedConns struct {
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func (u *unusedConns) track(c net.Conn, state http.ConnState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if state == http.StateNew {
		u.conns[c] = true
	} else {
		delete(u.conns, c)
	}
}

func (u *unusedConns) close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		c.Close()
	}
}

// endOnShutdown ties GET requests, which hold event streams open indefinitely,
// to streams, so a shutdown ends them instead of waiting for them.
func endOnShutdown(streams context.Context, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			stop := context.AfterFunc(streams, cancel)
			defer stop()
			r = r.WithContext(ctx)
		}
		h.ServeHTTP(w, r)
	})
}
