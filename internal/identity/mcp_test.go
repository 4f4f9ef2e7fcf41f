package identity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// whoamiServer serves a tool that answers with the caller's identity, behind
// Middleware, Bind and Fair. With block set, each call says it started and
// waits until block is closed.
func whoamiServer(t *testing.T, l *Limiter, started, block chan struct{}) string {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		if block != nil {
			started <- struct{}{}
			<-block
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: FromContext(ctx).String()}}}, nil, nil
	})
	s.AddReceivingMiddleware(Fair(l), Bind())
	toks, err := NewTokens(TokenFile{Tokens: []TokenEntry{{User: "alice", Token: "ta"}, {User: "bob", Groups: []string{"b"}, Token: "tb"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil)
	srv := httptest.NewServer(Middleware(toks, HTTPOptions{})(h))
	t.Cleanup(srv.Close)
	return srv.URL
}

func connectAs(t *testing.T, url, token string) *mcp.ClientSession {
	t.Helper()
	tr := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer{token, http.DefaultTransport}}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "v"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func whoami(t *testing.T, cs *mcp.ClientSession) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "whoami"})
	if err != nil {
		t.Error(err)
		return "", true
	}
	return res.Content[0].(*mcp.TextContent).Text, res.IsError
}

// TestBindReachesTools: each session's tool calls see their own caller.
func TestBindReachesTools(t *testing.T) {
	url := whoamiServer(t, nil, nil, nil)
	alice, bob := connectAs(t, url, "ta"), connectAs(t, url, "tb")
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if got, _ := whoami(t, alice); got != "alice" {
				t.Errorf("alice's call ran as %q", got)
			}
		})
		wg.Go(func() {
			if got, _ := whoami(t, bob); got != "bob (groups b)" {
				t.Errorf("bob's call ran as %q", got)
			}
		})
	}
	wg.Wait()
}

// TestFairRefusesWithAToolError: a call over the cap is an isError result
// naming the limit, and the session carries on.
func TestFairRefusesWithAToolError(t *testing.T) {
	started, block := make(chan struct{}, 10), make(chan struct{})
	url := whoamiServer(t, NewLimiter(Limits{Concurrency: 1}), started, block)
	alice := connectAs(t, url, "ta")
	first := make(chan string, 1)
	go func() { got, _ := whoami(t, alice); first <- got }()
	<-started // the first call holds alice's one slot
	if got, isErr := whoami(t, alice); !isErr || !strings.Contains(got, "alice already has 1 tool calls running") {
		t.Errorf("refusal: %q", got)
	}
	close(block)
	if got := <-first; got != "alice" {
		t.Errorf("first call: %q", got)
	}
	if got, isErr := whoami(t, alice); isErr || got != "alice" {
		t.Errorf("after the first call ended: %q", got)
	}
}

// TestFairCapsSessions: a user beyond her sessions is refused at initialize,
// with the cap and what to do; another user is not held back, and a closed
// session frees its place (issue 18, finding 4).
func TestFairCapsSessions(t *testing.T) {
	url := whoamiServer(t, NewLimiter(Limits{Sessions: 2}), nil, nil)
	first := connectAs(t, url, "ta")
	connectAs(t, url, "ta")
	tr := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer{"ta", http.DefaultTransport}}}
	_, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "v"}, nil).Connect(context.Background(), tr, nil)
	if err == nil || !strings.Contains(err.Error(), "alice has 2 MCP sessions open already") || !strings.Contains(err.Error(), "--user-sessions") {
		t.Fatalf("alice's third session: %v", err)
	}
	if got, _ := whoami(t, connectAs(t, url, "tb")); got != "bob (groups b)" {
		t.Errorf("bob's session: %q", got)
	}
	first.Close()
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "v"}, nil).Connect(context.Background(), tr, nil)
		if err == nil {
			cs.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alice after closing a session: %v", err)
		}
	}
}
