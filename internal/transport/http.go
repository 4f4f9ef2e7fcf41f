// Package transport carries MCP between clients and the server: stdio, and an
// HTTP mux with streamable HTTP (/mcp), legacy SSE (/sse, /message) and the
// health probes (/healthz, /readyz).
package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// HTTPOptions configure the HTTP mux.
type HTTPOptions struct {
	// Ready reports whether the server can do its job (its cluster answers);
	// /readyz is 503 with the error otherwise. Nil means always ready.
	Ready func(context.Context) error
	// SessionIdle closes a stateful session after this long without requests,
	// so clients that vanish without DELETE do not leak. Zero means never.
	SessionIdle time.Duration
	Logger      *slog.Logger
}

// The first protocol version without sessions: its clients are served statelessly.
const statelessSince = "2026-07-28"

// Paths served by the mux.
const (
	PathMCP     = "/mcp"
	PathSSE     = "/sse"
	PathMessage = "/message"
	PathHealthz = "/healthz"
	PathReadyz  = "/readyz"
)

// Mux serves MCP and the probes. Streamable HTTP serves 2025-era clients with
// sessions and 2026-07-28 clients statelessly, routed by the
// MCP-Protocol-Version header each request carries.
func Mux(server *mcp.Server, opts HTTPOptions) *http.ServeMux {
	getServer := func(*http.Request) *mcp.Server { return server }
	stateful := mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{SessionTimeout: opts.SessionIdle, Logger: opts.Logger})
	stateless := mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{Stateless: true, Logger: opts.Logger})
	sse := mcp.NewSSEHandler(getServer, nil)

	mux := http.NewServeMux()
	mux.HandleFunc(PathMCP, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Mcp-Protocol-Version") >= statelessSince {
			stateless.ServeHTTP(w, r)
			return
		}
		stateful.ServeHTTP(w, r)
	})
	// The SSE handler tells each client to post to the URL of its GET plus a
	// session query; serving the GET as if it came to /message makes that
	// endpoint /message?sessionid=..., the path legacy clients expect.
	mux.HandleFunc("GET "+PathSSE, func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = PathMessage
		sse.ServeHTTP(w, r2)
	})
	mux.Handle("POST "+PathMessage, sse)
	mux.HandleFunc(PathHealthz, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc(PathReadyz, func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if opts.Ready != nil {
			if err := opts.Ready(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// ErrNotLoopback is returned for a listen address beyond this machine: without
// authentication, kubemcp serves only loopback.
var ErrNotLoopback = errors.New("refusing to listen beyond loopback without authentication; use 127.0.0.1:PORT or [::1]:PORT")

// Listen binds addr, which must be a loopback address.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if !isLoopback(host) {
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

// Serve serves h on ln until ctx ends, then shuts down: it stops accepting,
// ends long-lived event streams at once, and gives in-flight requests up to
// grace to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	srv := &http.Server{
		Handler:           endOnShutdown(streams, h),
		ReadHeaderTimeout: 10 * time.Second,
	}
	srv.RegisterOnShutdown(endStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down within %s: %w", grace, err)
	}
	return nil
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
