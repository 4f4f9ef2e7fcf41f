package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// Upstream is an MCP server whose tools kubemcp serves beside its own, as
// <name>__<tool>, behind the same policy, audit and output gate (the file's
// upstreams, and --upstream's).
type Upstream struct {
	Name string `json:"name"`
	// Command runs a stdio server: the program and its first arguments
	// (Args follow them).
	Command []string `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	// Env is the stdio server's environment besides PATH, HOME, TMPDIR and
	// LANG: kubemcp's own environment (its kubeconfig, its tokens) is not
	// passed on.
	Env map[string]Secret `json:"env,omitempty"`
	// URL is a streamable HTTP, legacy SSE or WebSocket endpoint.
	URL string `json:"url,omitempty"`
	// Transport is stdio, http, sse or websocket; by default stdio with a
	// command, websocket for a ws:// or wss:// URL, sse for a URL whose
	// path ends in /sse, else http.
	Transport string `json:"transport,omitempty"`
	// Headers go with every HTTP request to the upstream (with a
	// WebSocket's upgrade). They are the only credentials it gets: a
	// caller's own Authorization never is.
	Headers map[string]Secret `json:"headers,omitempty"`
	// ForwardAuthorization sends the caller's own Authorization header (of
	// their HTTP request to kubemcp) with each call made for them (tools,
	// prompts, resources); kubemcp's own requests (connecting, listing) go
	// without. Only for an upstream trusted with callers' credentials; http
	// and sse only, since a WebSocket sends headers once, for all callers.
	ForwardAuthorization bool `json:"forwardAuthorization,omitempty"`
	// TLS verifies an https or wss upstream by a CA of its own, and may
	// give kubemcp a client certificate for it.
	TLS   UpstreamTLS   `json:"tls,omitzero"`
	Tools UpstreamTools `json:"tools,omitzero"`
	// Timeout bounds connecting and each call (default 60s). A
	// metav1.Duration, so that the file may say "5s".
	Timeout metav1.Duration `json:"timeout,omitzero"`
}

// UpstreamTools say which of an upstream's tools kubemcp serves, by the
// upstream's own tool names (patterns with *, ? and [a-z]).
type UpstreamTools struct {
	Allow []string `json:"allow,omitempty"` // only these; empty means all
	Deny  []string `json:"deny,omitempty"`  // never these
	// ReadOnly are tools to treat as read-only though the upstream does not
	// mark them readOnlyHint: they stay in read-only mode.
	ReadOnly []string `json:"readOnly,omitempty"`
}

// UpstreamTLS is how kubemcp checks an https or wss upstream and proves
// itself to it; its files are read at each connect, so that a rotated CA or
// certificate is picked up when the upstream is dialled again. There is no
// insecureSkipVerify: the configured headers (and with forwardAuthorization
// the callers' own) carry credentials, which an unverified connection hands
// to whoever answers; trust the upstream's CA with caFile instead.
type UpstreamTLS struct {
	// CAFile holds the PEM CA certificates this upstream's certificate is
	// checked against, instead of the system's roots (as kubeconfig's
	// certificate-authority and --connect-ca); for this upstream only.
	CAFile string `json:"caFile,omitempty"`
	// CAData is the same, inline: how the operator passes a CA it read from
	// a Secret or ConfigMap.
	CAData string `json:"caData,omitempty"`
	// CertFile and KeyFile are a PEM client certificate and its key, for an
	// upstream that asks for one (mutual TLS).
	CertFile string `json:"certFile,omitempty"`
	KeyFile  string `json:"keyFile,omitempty"`
}

// Secret is a value kubemcp sends but never logs: given inline, or read at
// connection time from an environment variable or a file (a mounted Secret).
type Secret struct {
	Value    string `json:"value,omitempty"`
	FromEnv  string `json:"fromEnv,omitempty"`
	FromFile string `json:"fromFile,omitempty"`
}

// The transports an upstream may use.
const (
	TransportStdio = "stdio"
	TransportHTTP  = "http"
	TransportSSE   = "sse"
	// TransportWebSocket is the binding kubemcp serves at /ws: subprotocol
	// mcp, one JSON-RPC message a text frame.
	TransportWebSocket = "websocket"
)

// DefaultUpstreamTimeout is an upstream's timeout when none is given.
const DefaultUpstreamTimeout = 60 * time.Second

// upstreamName keeps <name>__<tool> unambiguous (no "__" in a name) and
// short enough to leave room for the tool's own name.
var upstreamName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)

// TransportKind is the transport u uses, given or inferred.
func (u *Upstream) TransportKind() string {
	switch {
	case u.Transport != "":
		return u.Transport
	case len(u.Command) > 0:
		return TransportStdio
	case strings.HasPrefix(u.URL, "ws://") || strings.HasPrefix(u.URL, "wss://"):
		return TransportWebSocket
	case strings.HasSuffix(strings.TrimSuffix(urlPath(u.URL), "/"), "/sse"):
		return TransportSSE
	}
	return TransportHTTP
}

// upstreamFlag adds one-off upstreams from the command line.
const upstreamFlag = "upstream"

// applyUpstreamFlags adds each --upstream to c's upstreams; Validate checks
// them as the file's, names taken twice included.
func (c *Config) applyUpstreamFlags(fs *pflag.FlagSet) error {
	values, err := fs.GetStringArray(upstreamFlag)
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range values {
		u, err := ParseUpstream(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("flag --%s %q: %w", upstreamFlag, safeFlagValue(v), err))
			continue
		}
		c.Upstreams = append(c.Upstreams, u)
	}
	return errors.Join(errs...)
}

// ParseUpstream reads an upstream given as name=URL or name=command arg...:
// a value with a scheme kubemcp dials is a URL, anything else a command
// line, split at spaces (an argument with spaces needs the config file).
func ParseUpstream(v string) (Upstream, error) {
	name, target, ok := strings.Cut(v, "=")
	target = strings.TrimSpace(target)
	// A name with :// in it is a URL given without one, cut at its query's
	// "=": not an upstream to name in errors with what it holds.
	if !ok || name == "" || target == "" || strings.Contains(name, "://") {
		return Upstream{}, errors.New("want name=URL or name=command arg..., e.g. argo=http://argo-mcp:8080/mcp or 'everything=npx -y @modelcontextprotocol/server-everything'")
	}
	if pu, err := url.Parse(target); err == nil && slices.Contains([]string{"http", "https", "ws", "wss"}, pu.Scheme) {
		return Upstream{Name: name, URL: target}, nil
	}
	return Upstream{Name: name, Command: strings.Fields(target)}, nil
}

// validateUpstreams names every bad entry by its name (or position).
func (c *Config) validateUpstreams() []error {
	var errs []error
	seen := map[string]bool{}
	for i, u := range c.Upstreams {
		where := fmt.Sprintf("upstreams[%d]", i)
		if u.Name != "" {
			where = fmt.Sprintf("upstream %q", u.Name)
		}
		if seen[u.Name] {
			errs = append(errs, fmt.Errorf("%s: named twice; every upstream needs a name of its own", where))
		}
		seen[u.Name] = true
		for _, err := range u.validate() {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
	}
	return errs
}

// Validate says what is wrong with an upstream given at run time (the
// operator's), as a file's would be.
func (u *Upstream) Validate() error {
	return errors.Join(u.validate()...)
}

func (u *Upstream) validate() []error {
	var errs []error
	if !upstreamName.MatchString(u.Name) {
		errs = append(errs, errors.New("name: want 1 to 32 lowercase letters, digits and single dashes, e.g. everything (tools are served as <name>__<tool>)"))
	}
	switch u.TransportKind() {
	case TransportStdio:
		if len(u.Command) == 0 || u.URL != "" || len(u.Headers) > 0 {
			errs = append(errs, errors.New("transport stdio: give command (and args, env), not url or headers"))
		}
	case TransportHTTP, TransportSSE:
		errs = append(errs, u.validateURL("http", "https", "http://argo-mcp:8080/mcp")...)
	case TransportWebSocket:
		errs = append(errs, u.validateURL("ws", "wss", "wss://mcp.example.com/ws")...)
	default:
		errs = append(errs, fmt.Errorf("transport %q: want stdio, http, sse or websocket", u.Transport))
	}
	if u.ForwardAuthorization {
		errs = append(errs, u.validateForward()...)
	}
	if u.TLS != (UpstreamTLS{}) {
		errs = append(errs, u.validateTLS()...)
	}
	if u.Timeout.Duration < 0 {
		errs = append(errs, fmt.Errorf("timeout %s: must not be negative", u.Timeout.Duration))
	}
	for _, group := range []map[string]Secret{u.Env, u.Headers} {
		for k, s := range group {
			if err := s.validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", k, err))
			}
		}
	}
	if err := policy.CheckPatterns("tools", u.Tools.Allow, u.Tools.Deny, u.Tools.ReadOnly); err != nil {
		errs = append(errs, err)
	}
	return errs
}

func (u *Upstream) validateForward() []error {
	var errs []error
	if k := u.TransportKind(); k != TransportHTTP && k != TransportSSE {
		errs = append(errs, fmt.Errorf("forwardAuthorization: only for transport http or sse, not %s, whose requests are not each a caller's", k))
	} else if urlScheme(u.URL) != "https" && !loopback(u.URL) {
		errs = append(errs, fmt.Errorf("forwardAuthorization: only over https (or to a loopback host), not %s: over plain http anyone on the path reads the callers' credentials", SafeURL(u.URL)))
	}
	for k := range u.Headers {
		if strings.EqualFold(k, "Authorization") {
			errs = append(errs, errors.New("forwardAuthorization: headers set Authorization too; drop one, as the caller's would replace it"))
		}
	}
	return errs
}

func (u *Upstream) validateTLS() []error {
	var errs []error
	if scheme := urlScheme(u.URL); scheme != "https" && scheme != "wss" {
		errs = append(errs, fmt.Errorf("tls: only for an https or wss url, not %q", SafeURL(u.URL)))
	}
	t := u.TLS
	if t.CAFile != "" && t.CAData != "" {
		errs = append(errs, errors.New("tls: give caFile or caData, not both"))
	}
	if t.CAData != "" {
		if _, err := CAPoolFromPEM([]byte(t.CAData)); err != nil {
			errs = append(errs, fmt.Errorf("tls.caData: %w", err))
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		errs = append(errs, errors.New("tls: give certFile and keyFile together, a client certificate and its key"))
	}
	return errs
}

// validateURL checks a networked upstream's url against the schemes of its
// transport.
func (u *Upstream) validateURL(plain, secure, example string) []error {
	var errs []error
	if pu, err := url.Parse(u.URL); err != nil || (pu.Scheme != plain && pu.Scheme != secure) || pu.Host == "" {
		errs = append(errs, fmt.Errorf("url %q: transport %s wants scheme %s or %s, e.g. %s", SafeURL(u.URL), u.TransportKind(), plain, secure, example))
	}
	if len(u.Command) > 0 || len(u.Args) > 0 || len(u.Env) > 0 {
		errs = append(errs, fmt.Errorf("transport %s: give url (and headers), not command, args or env", u.TransportKind()))
	}
	return errs
}

// Read is the secret's value: given inline, or read now from its
// environment variable (found by lookupEnv) or file, so that a rotated
// secret is picked up. Errors name where it comes from, never a value.
func (s Secret) Read(lookupEnv func(string) (string, bool)) (string, error) {
	switch {
	case s.FromEnv != "":
		v, ok := lookupEnv(s.FromEnv)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set; set it where kubemcp runs", s.FromEnv)
		}
		return v, nil
	case s.FromFile != "":
		data, err := os.ReadFile(s.FromFile)
		if err != nil {
			return "", fmt.Errorf("reading the file it comes from: %w", err)
		}
		return strings.TrimSpace(string(data)), nil
	}
	return s.Value, nil
}

func (s Secret) validate() error {
	n := 0
	for _, v := range []string{s.Value, s.FromEnv, s.FromFile} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return errors.New("give exactly one of value, fromEnv or fromFile")
	}
	return nil
}
