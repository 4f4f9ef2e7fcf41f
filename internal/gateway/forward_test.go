package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// serveHTTP is kubemcp with a gateway in front of upstreams, served over
// streamable HTTP with auth token as app wires it (identity.Middleware,
// identity.Bind), and a client that calls it with Authorization: Bearer
// token, alice's.
func serveHTTP(t *testing.T, opts Options, token string) *mcp.ClientSession {
	t.Helper()
	gw := New(opts)
	server := mcpserver.New(mcpserver.Options{Version: "test", Tools: gw.Tools(), Dynamic: gw.Describe, Bind: identity.Bind()})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := gw.Start(ctx, server); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	toks, err := identity.NewTokens(identity.TokenFile{Tokens: []identity.TokenEntry{{User: "alice", Token: token}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(transport.Mux(server, transport.HTTPOptions{Auth: identity.Middleware(toks, identity.HTTPOptions{})}))
	t.Cleanup(srv.Close)
	bearer := &bearer{base: http.DefaultTransport, token: token}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: srv.URL + transport.PathMCP, HTTPClient: &http.Client{Transport: bearer}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

type bearer struct {
	base  http.RoundTripper
	token string
}

func (b *bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(req)
}

// TestCallerAuthorization: a caller's bearer reaches an upstream only when
// the upstream is configured to receive it (forwardAuthorization), and then
// only with that caller's calls. The upstream is go-sdk's streamable HTTP
// server behind a handler that records each request's Authorization: what
// an upstream receives is the protocol's HTTP requests, so that is the
// contract tested.
func TestCallerAuthorization(t *testing.T) {
	const token = "alice-token-7c8d9e"
	up := newGoUpstream(t, "one")
	cs := serveHTTP(t, Options{Upstreams: []config.Upstream{
		{Name: "plain", URL: up.url},
		{Name: "keyed", URL: up.url, Headers: map[string]config.Secret{"Authorization": {Value: "Bearer configured-1f2e"}}},
	}}, token)
	for _, tool := range []string{"plain__one", "keyed__one"} {
		if res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool}); err != nil || res.IsError {
			t.Fatalf("%s: %v %+v", tool, err, res)
		}
	}
	seen := up.seen()
	if slices.Contains(seen, "Bearer "+token) {
		t.Errorf("by default an upstream got the caller's Authorization: %q", seen)
	}
	if !slices.Contains(seen, "Bearer configured-1f2e") || !slices.Contains(seen, "") {
		t.Errorf("want the configured header from keyed and none from plain; the upstream got %q", seen)
	}

	fwd := newGoUpstream(t, "one")
	cs = serveHTTP(t, Options{Upstreams: []config.Upstream{{Name: "trusted", URL: fwd.url, ForwardAuthorization: true}}}, token)
	before := len(fwd.seen()) // connecting and listing: kubemcp's own requests
	if slices.Contains(fwd.seen(), "Bearer "+token) {
		t.Fatalf("kubemcp's own requests carried a caller's Authorization: %q", fwd.seen())
	}
	if res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "trusted__one"}); err != nil || res.IsError {
		t.Fatalf("trusted__one: %v %+v", err, res)
	}
	if call := fwd.seen()[before:]; !slices.Contains(call, "Bearer "+token) {
		t.Errorf("with forwardAuthorization the call carried %q, want the caller's bearer", call)
	}
}
