package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/propagation"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// transport is how kubemcp reaches u. Credentials are read when used, so a
// rotated file or variable is picked up at the next request or restart.
func (u *upstream) transport() (mcp.Transport, error) {
	switch u.cfg.TransportKind() {
	case config.TransportStdio:
		return u.command()
	case config.TransportWebSocket:
		return u.websocket()
	}
	client, err := u.httpClient()
	if err != nil {
		return nil, err
	}
	if u.cfg.TransportKind() == config.TransportSSE {
		return &mcp.SSEClientTransport{Endpoint: u.cfg.URL, HTTPClient: client}, nil
	}
	return &mcp.StreamableClientTransport{Endpoint: u.cfg.URL, HTTPClient: client}, nil
}

// inherited are the variables of kubemcp's own environment a stdio upstream
// gets: enough to run, and nothing that is kubemcp's (its kubeconfig, its
// tokens). Anything else it needs is configured in its env.
var inherited = []string{"PATH", "HOME", "TMPDIR", "LANG"}

func (u *upstream) command() (mcp.Transport, error) {
	argv := append(append([]string{}, u.cfg.Command...), u.cfg.Args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = []string{}
	for _, k := range inherited {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, s := range u.cfg.Env {
		v, err := u.g.resolve(s)
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", k, err)
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	u.stderr.reset()
	cmd.Stderr = &u.stderr
	return &mcp.CommandTransport{Command: cmd}, nil
}

// httpClient sends the configured headers, and only those: kubemcp builds
// each upstream request itself, so nothing of its caller's request (the
// Authorization header above all) reaches an upstream, unless it is
// configured with forwardAuthorization: then a request made for a caller's
// call (callable) carries the caller's Authorization. Credentials go to
// the configured URL's scheme and host only: a redirect is not followed,
// and a request elsewhere (a legacy SSE endpoint on another host) is
// refused. A transport of its own (for its TLS) is kept in u.idle, to be
// closed with the session.
func (u *upstream) httpClient() (*http.Client, error) {
	tlsConfig, err := u.tlsConfig()
	if err != nil {
		return nil, err
	}
	origin, err := url.Parse(u.cfg.URL)
	if err != nil {
		return nil, err // Validate parsed it already
	}
	base := http.DefaultTransport
	if tlsConfig != nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = tlsConfig
		base, u.idle = t, t
	}
	return &http.Client{
		Transport:     &headers{base: base, name: u.cfg.Name, origin: origin, set: u.cfg.Headers, resolve: u.g.resolve},
		CheckRedirect: func(req *http.Request, _ []*http.Request) error { return u.redirected(req.URL) },
	}, nil
}

// redirected refuses a redirect: its credentials would follow it, to
// another host or over plain http. The error names the target's host, not
// its path or query.
func (u *upstream) redirected(to *url.URL) error {
	return fmt.Errorf("upstream %s redirected to %s://%s; kubemcp follows no upstream's redirect, since its credentials would go along: configure the URL it redirects to instead",
		u.cfg.Name, to.Scheme, to.Host)
}

// closeIdle lets go of the connections of the session's own transport.
func (u *upstream) closeIdle() {
	if u.idle != nil {
		u.idle.CloseIdleConnections()
		u.idle = nil
	}
}

type headers struct {
	base    http.RoundTripper
	name    string   // the upstream's
	origin  *url.URL // its configured URL: credentials go to its scheme and host only
	set     map[string]config.Secret
	resolve func(config.Secret) (string, error)
}

// callerAuthorization keys the caller's Authorization header in the context
// of a request made for the caller.
type callerAuthorization struct{}

func (h *headers) RoundTrip(req *http.Request) (*http.Response, error) {
	if !sameOrigin(req.URL, h.origin) {
		return nil, fmt.Errorf("upstream %s: refusing a request to %s://%s, not its configured %s://%s: its credentials go there only (a legacy SSE server's endpoint must be on its own host)",
			h.name, req.URL.Scheme, req.URL.Host, h.origin.Scheme, h.origin.Host)
	}
	req = req.Clone(req.Context())
	traceContext.Inject(req.Context(), propagation.HeaderCarrier(req.Header))
	set, err := readHeaders(h.set, h.resolve)
	if err != nil {
		return nil, err
	}
	for k, v := range set {
		req.Header[k] = v
	}
	if auth, ok := req.Context().Value(callerAuthorization{}).(string); ok {
		req.Header.Set("Authorization", auth)
	}
	resp, err := h.base.RoundTrip(req)
	// Here, before go-sdk flattens it into text, the error still says
	// which certificate problem it is.
	return resp, explainTLS(err)
}

// sameOrigin says whether a and b have one scheme, host and port (a port
// left out being the scheme's default).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// websocket dials u with its headers on the upgrade, the only HTTP request
// of the session: a socket carries no per-request headers after it, so no
// trace context either.
func (u *upstream) websocket() (mcp.Transport, error) {
	header, err := readHeaders(u.cfg.Headers, u.g.resolve)
	if err != nil {
		return nil, err
	}
	tlsConfig, err := u.tlsConfig()
	if err != nil {
		return nil, err
	}
	return &transport.WebSocketClient{URL: u.cfg.URL, Header: header, TLS: tlsConfig}, nil
}

// readHeaders reads the configured headers' values now.
func readHeaders(set map[string]config.Secret, resolve func(config.Secret) (string, error)) (http.Header, error) {
	header := http.Header{}
	for k, s := range set {
		v, err := resolve(s)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", k, err) // its name only, never a value
		}
		header.Set(k, v)
	}
	return header, nil
}

// resolve reads a configured credential.
func (g *Gateway) resolve(s config.Secret) (string, error) { return s.Read(g.lookupEnv) }

// tail keeps the end of a stdio upstream's stderr, which says why it exited.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailBytes = 512

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailBytes {
		t.buf = t.buf[len(t.buf)-tailBytes:]
	}
	return len(p), nil
}

func (t *tail) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = nil
}

// last is the last non-empty line, redacted: it goes into upstreams_list.
func (t *tail) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	return policy.RedactText(strings.TrimSpace(lines[len(lines)-1]))
}
