package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/kubemcp/kubemcp/internal/identity"
)

func TestListenBeyondLoopbackWithAuth(t *testing.T) {
	ln, err := Listen("0.0.0.0:0", ListenOptions{Authenticated: true})
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if _, err := Listen("0.0.0.0:0", ListenOptions{}); !errors.Is(err, ErrNotLoopback) || !strings.Contains(err.Error(), "set auth") {
		t.Fatalf("without auth: %v", err)
	}
}

// authedServer serves a whoami tool through Mux with static tokens for
// alice and bob, and returns the server's base URL.
func authedServer(t *testing.T) string {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: identity.FromContext(ctx).String()}}}, nil, nil
	})
	s.AddReceivingMiddleware(identity.Bind())
	toks, err := identity.NewTokens(identity.TokenFile{Tokens: []identity.TokenEntry{{User: "alice", Token: "ta"}, {User: "bob", Token: "tb"}}})
	if err != nil {
		t.Fatal(err)
	}
	md := &oauthex.ProtectedResourceMetadata{Resource: "https://kubemcp.example.com/mcp", AuthorizationServers: []string{"https://idp.example.com"}}
	mux := Mux(s, HTTPOptions{
		Auth:             identity.Middleware(toks, identity.HTTPOptions{ResourceMetadataURL: "https://kubemcp.example.com" + PathResourceMetadata + PathMCP}),
		ResourceMetadata: md,
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestMuxRequiresBearer(t *testing.T) {
	base := authedServer(t)
	for _, path := range []string{PathMCP, PathSSE, PathMessage + "?sessionid=x"} {
		method := http.MethodPost
		if path == PathSSE {
			method = http.MethodGet
		}
		req, _ := http.NewRequest(method, base+path, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := `Bearer resource_metadata="https://kubemcp.example.com/.well-known/oauth-protected-resource/mcp"`
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != want {
			t.Errorf("%s %s: %d %q, want 401 %q", method, path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), want)
		}
	}
	// Behind auth a foreign Host (a reverse proxy's) is served.
	req, _ := http.NewRequest(http.MethodPost, base+PathMCP, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"v"}}}`))
	req.Host = "kubemcp.example.com"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := client("ta").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("foreign Host with a good token: %d, want 200", resp.StatusCode)
	}
	if code := get(t, base+PathHealthz); code != http.StatusOK {
		t.Errorf("/healthz behind auth: %d", code)
	}
	for _, path := range []string{PathResourceMetadata, PathResourceMetadata + PathMCP} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		var md oauthex.ProtectedResourceMetadata
		err = json.NewDecoder(resp.Body).Decode(&md)
		resp.Body.Close()
		if err != nil || md.Resource != "https://kubemcp.example.com/mcp" || len(md.AuthorizationServers) != 1 {
			t.Errorf("%s: %+v %v", path, md, err)
		}
	}
}

type bearer struct {
	token string
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func client(token string) *http.Client { return &http.Client{Transport: bearer{token}} }

// TestCallerReachesToolsOnEveryTransport: the tool sees the caller on
// streamable HTTP (both eras) and legacy SSE.
func TestCallerReachesToolsOnEveryTransport(t *testing.T) {
	base := authedServer(t)
	for _, tt := range []struct {
		name    string
		tr      func(token string) mcp.Transport
		version string
	}{
		{"streamable", func(tok string) mcp.Transport {
			return &mcp.StreamableClientTransport{Endpoint: base + PathMCP, HTTPClient: client(tok)}
		}, "2025-11-25"},
		{"stateless", func(tok string) mcp.Transport {
			return &mcp.StreamableClientTransport{Endpoint: base + PathMCP, HTTPClient: client(tok)}
		}, "2026-07-28"},
		{"sse", func(tok string) mcp.Transport {
			return &mcp.SSEClientTransport{Endpoint: base + PathSSE, HTTPClient: client(tok)}
		}, "2024-11-05"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, who := range []struct{ token, user string }{{"ta", "alice"}, {"tb", "bob"}} {
				cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "v"}, nil).Connect(context.Background(), tt.tr(who.token), &mcp.ClientSessionOptions{ProtocolVersion: tt.version})
				if err != nil {
					t.Fatal(err)
				}
				res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "whoami"})
				if err != nil {
					t.Fatal(err)
				}
				if got := res.Content[0].(*mcp.TextContent).Text; got != who.user {
					t.Errorf("%s's call ran as %q", who.user, got)
				}
				cs.Close()
			}
		})
	}
}

// TestSSESessionsKeptApart: bob cannot post into alice's legacy SSE session,
// even knowing its id.
func TestSSESessionsKeptApart(t *testing.T) {
	base := authedServer(t)
	req, _ := http.NewRequest(http.MethodGet, base+PathSSE, nil)
	resp, err := client("ta").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	endpoint := endpointEvent(t, resp)
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, base+endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Header.Set("Content-Type", "application/json")
		r, err := client(token).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if code := post("tb"); code != http.StatusNotFound {
		t.Errorf("bob posting to alice's session: %d, want 404", code)
	}
	if code := post("ta"); code != http.StatusAccepted {
		t.Errorf("alice posting to her session: %d, want 202", code)
	}
}
