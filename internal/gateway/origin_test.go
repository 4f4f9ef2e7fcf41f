package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// Credentials the tests below configure or call with; none may reach
// another host than the upstream's.
const (
	configuredKey = "configured-key-9a8b"
	callerToken   = "alice-token-3d4e5f"
)

// recorder is a server on another host (port) than the upstream's that
// records the credentials of each request it gets.
type recorder struct {
	url  string
	mu   sync.Mutex
	got  []string // X-Api-Key and Authorization of each request
	hits int
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits++
		r.got = append(r.got, req.Header.Get("X-Api-Key"), req.Header.Get("Authorization"))
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// leaked says what of the credentials reached r, and how many requests did.
func (r *recorder) leaked() (creds []string, hits int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.got {
		if strings.Contains(v, configuredKey) || strings.Contains(v, callerToken) {
			creds = append(creds, v)
		}
	}
	return creds, r.hits
}

// TestRedirectNotFollowed: an upstream that answers a call with a redirect
// to another host does not get kubemcp to send that host its configured
// header or the caller's forwarded token; the call fails naming the
// redirect's host, not its query.
func TestRedirectNotFollowed(t *testing.T) {
	other := newRecorder(t)
	server := helloServer("moving")
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"tools/call"`)) {
			http.Redirect(w, r, other.url+"/mcp?token=redirect-query", http.StatusTemporaryRedirect)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	cs := serveHTTP(t, Options{Upstreams: []config.Upstream{{Name: "moving", URL: up.URL, ForwardAuthorization: true,
		Headers: map[string]config.Secret{"X-Api-Key": {Value: configuredKey}}}}}, callerToken)

	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "moving__hello", Arguments: map[string]any{"Name": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if creds, hits := other.leaked(); len(creds) > 0 || hits > 0 {
		t.Fatalf("the redirect's host got %d requests, with credentials %q", hits, creds)
	}
	msg := text(res)
	if !res.IsError || !strings.Contains(msg, "upstream moving redirected to "+other.url+";") || strings.Contains(msg, "redirect-query") {
		t.Errorf("the call answered %q; want an error naming the redirect's host and not its query", msg)
	}
}

// TestSSEEndpointOnAnotherHost: a legacy SSE server whose endpoint event
// names another host gets kubemcp to send nothing there; the upstream's
// last error says why. The server is a few lines of the legacy protocol
// (GET: an endpoint event, then silence): go-sdk serves its endpoint on its
// own host only, and the point is one that does not.
func TestSSEEndpointOnAnotherHost(t *testing.T) {
	other := newRecorder(t)
	var sawKey sync.Once
	keyed := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") == configuredKey {
			sawKey.Do(func() { close(keyed) })
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "event: endpoint\ndata: %s/message?sessionId=1\n\n", other.url)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(up.Close)
	t.Cleanup(up.CloseClientConnections) // its streams never end by themselves
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "legacy", URL: up.URL + "/sse",
		Headers: map[string]config.Secret{"X-Api-Key": {Value: configuredKey}}, Timeout: metav1.Duration{Duration: 2 * time.Second}}}})
	// Start waited for the first attempt, initialize's POST included.
	select {
	case <-keyed:
	default:
		t.Fatal("the upstream's own host did not get the configured header: the test shows nothing")
	}
	if creds, hits := other.leaked(); len(creds) > 0 || hits > 0 {
		t.Fatalf("the endpoint's host got %d requests, with credentials %q", hits, creds)
	}
	testenv.Eventually(t, 5*time.Second, "legacy refused its endpoint", func() bool {
		s, _ := k.gw.State("legacy")
		return strings.Contains(s.LastError, "upstream legacy: refusing a request to "+other.url+", not its configured "+up.URL)
	})
}

// TestSessionClosesItsConnections: the HTTP transport a TLS upstream's
// session has of its own lets go of its connections when the session ends,
// rather than keeping them idle until its idle timeout.
func TestSessionClosesItsConnections(t *testing.T) {
	pair := testenv.NewTLSPair(t)
	var (
		mu   sync.Mutex
		open = map[net.Conn]bool{}
	)
	srv := tlsUpstream(t, pair, func(srv *httptest.Server) {
		srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
			mu.Lock()
			defer mu.Unlock()
			open[c] = s != http.StateClosed && s != http.StateHijacked
		}
	})
	openConns := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, o := range open {
			if o {
				n++
			}
		}
		return n
	}
	k := mustServe(t, Options{Upstreams: []config.Upstream{{Name: "tls", URL: tlsURLs(srv)[config.TransportHTTP],
		TLS: config.UpstreamTLS{CAData: string(pair.CA)}}}})
	if s, _ := k.gw.State("tls"); !s.Connected || openConns() == 0 {
		t.Fatalf("connected %v with %d connections; want connected", s.Connected, openConns())
	}
	k.gw.Close()
	testenv.Eventually(t, 5*time.Second, "the session's connections closed", func() bool { return openConns() == 0 })
}
