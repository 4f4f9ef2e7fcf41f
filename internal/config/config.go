// Package config holds kubemcp's settings: the YAML file type, its defaults, the
// KUBEMCP_* environment and command-line overlays, and validation.
//
// Precedence is defaults < file < environment < flags; a flag wins only when it was
// set. Every top-level scalar field is also an environment variable and a flag,
// derived from its json tag: `readOnly` is KUBEMCP_READ_ONLY and --read-only.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// Config is the whole of kubemcp's configuration.
type Config struct {
	Listen         string        `json:"listen,omitempty" help:"serve MCP over HTTP on this address (e.g. 127.0.0.1:8080), instead of stdio unless stdio is set"`
	Stdio          bool          `json:"stdio,omitempty" help:"serve MCP over stdin and stdout too, beside listen or connect (without either, stdio is served anyway)"`
	TLSCertFile    string        `json:"tlsCertFile,omitempty" help:"serve HTTPS with this PEM certificate (chain), read again when it changes; with tlsKeyFile"`
	TLSKeyFile     string        `json:"tlsKeyFile,omitempty" help:"the PEM private key of tlsCertFile, read again when it changes"`
	Kubeconfig     string        `json:"kubeconfig,omitempty" help:"kubeconfig files or directories of them, separated by ':' (default: $KUBECONFIG, then ~/.kube/config); every context is a cluster, plus the one kubemcp runs in"`
	Context        string        `json:"context,omitempty" help:"the cluster a call that names none goes to (default: the current context)"`
	Clusters       []string      `json:"clusters,omitempty" help:"serve only the contexts matching these name patterns, comma-separated (e.g. prod-*,staging)"`
	SkipClusters   []string      `json:"skipClusters,omitempty" help:"never serve the contexts matching these name patterns, comma-separated"`
	ClusterTimeout time.Duration `json:"clusterTimeout,omitempty" help:"how long one cluster may take to answer its part of a call across clusters"`
	CallTimeout    time.Duration `json:"callTimeout,omitempty" help:"how long one tool call may run before it ends with a timeout error (the time a person takes to approve a change does not count); a tool's own timeout argument may only shorten it"`
	FanOut         int           `json:"fanOut,omitempty" help:"how many clusters a call across clusters asks at once"`
	KubeconfigPoll time.Duration `json:"kubeconfigPoll,omitempty" help:"how often to look for kubeconfig changes (new, changed or removed contexts); 0 never"`
	LogLevel       string        `json:"logLevel,omitempty" help:"log level: debug, info, warn or error (logs go to stderr)"`
	LogFormat      string        `json:"logFormat,omitempty" help:"log format: text (key=value lines) or json (one JSON object a line, for log collectors)"`
	ShutdownGrace  time.Duration `json:"shutdownGrace,omitempty" help:"how long to let in-flight requests finish on SIGINT/SIGTERM"`
	SessionIdle    time.Duration `json:"sessionIdle,omitempty" help:"close an HTTP MCP session after this long without requests"`
	HeaderTimeout  time.Duration `json:"headerTimeout,omitempty" help:"close an HTTP connection whose client has not sent a request's headers within this long"`
	ClientQPS      float64       `json:"clientQPS,omitempty" help:"client-side request rate to each apiserver (the apiserver's own fairness limits beyond it)"`
	ClientBurst    int           `json:"clientBurst,omitempty" help:"client-side request burst to each apiserver"`
	OTLPEndpoint   string        `json:"otlpEndpoint,omitempty" help:"send OpenTelemetry traces over OTLP/HTTP to this collector, e.g. http://otel-collector:4318 (default: $OTEL_EXPORTER_OTLP_ENDPOINT; neither: no traces)"`
	DisableMetrics bool          `json:"disableMetrics,omitempty" help:"do not serve Prometheus metrics at /metrics (HTTP only; behind auth when auth is on)"`

	ReadOnly           bool     `json:"readOnly,omitempty" help:"serve only read tools, and let only get, list and watch reach the cluster"`
	DisableDestructive bool     `json:"disableDestructive,omitempty" help:"hide every tool that may change what exists rather than only add to it (MCP destructiveHint): every write tool but port_forward"`
	Toolsets           []string `json:"toolsets,omitempty" help:"toolsets to serve, comma-separated (default: all but cli, shell, helm and install)"`
	EnabledTools       []string `json:"enabledTools,omitempty" help:"serve only these tools, comma-separated"`
	DisabledTools      []string `json:"disabledTools,omitempty" help:"never serve these tools, comma-separated"`
	CLI                bool     `json:"cli,omitempty" help:"also serve the guarded CLI toolset (kubectl, helm, istioctl, argocd: those on PATH)"`
	Helm               bool     `json:"helm,omitempty" help:"also serve the helm toolset: releases listed, read, installed, upgraded, rolled back and uninstalled with the Helm SDK as the caller; charts from repository URLs and OCI registries, and local charts only inside helmChartDirs"`
	HelmChartDirs      []string `json:"helmChartDirs,omitempty" help:"directories the helm toolset may install local charts from (chart directories and packaged .tgz charts inside them), comma-separated absolute paths; none: local charts are refused"`
	Shell              bool     `json:"shell,omitempty" help:"also serve the shell toolset: bash, one command or pipeline of allowlisted programs, parsed and never run by a shell"`
	MCPInstall         bool     `json:"mcpInstall,omitempty" help:"also serve mcp_install, which installs an MCP server of kubemcp's catalog (Argo CD's) into a cluster with an MCPServer object for it"`
	ShellPrograms      []string `json:"shellPrograms,omitempty" help:"the programs bash may run, comma-separated (default: kubectl, helm, jq, grep, head, tail, sort, uniq, wc, cut)"`
	OutputBudget       int      `json:"outputBudget,omitempty" help:"default cap on a tool's text answer in bytes; a call may set max_bytes"`
	AllowSecretReveal  bool     `json:"allowSecretReveal,omitempty" help:"let a call ask resources_get for a Secret's values (reveal_secret_values); off, such calls are refused"`
	AuditFile          string   `json:"auditFile,omitempty" help:"append a hash-chained JSON line per tool call to this file"`
	AuditStdout        bool     `json:"auditStdout,omitempty" help:"also write audit lines to stdout (HTTP only: over stdio, stdout carries MCP)"`
	ApprovalKeyFile    string   `json:"approvalKeyFile,omitempty" help:"sign approval tokens (policy.confirm) with the keys in this file, one a line: the first signs, all verify; replicas sharing it redeem each other's (default: a random key per process)"`

	Connect          []string `json:"connect,omitempty" help:"dial out to these WebSocket URLs (wss://host/path; repeat or comma-separate) and serve an MCP session over each, reconnecting with backoff when one drops; nothing listens for them"`
	ConnectTokenFile string   `json:"connectTokenFile,omitempty" help:"send Authorization: Bearer with the token in this file to the connect URLs (read at every dial, so it may rotate)"`
	ConnectTokenEnv  string   `json:"connectTokenEnv,omitempty" help:"send Authorization: Bearer with the token in this environment variable to the connect URLs"`
	ConnectCA        string   `json:"connectCA,omitempty" help:"PEM file of the CAs to trust for wss:// connect URLs (default: the system's)"`
	ConnectInsecure  bool     `json:"connectInsecure,omitempty" help:"do not verify the TLS certificate of wss:// connect URLs (for tests only: anyone on the path can then take the session)"`

	WatchMCPServers     bool   `json:"watchMCPServers,omitempty" help:"serve the MCPServer objects (kubemcp.io/v1alpha1) of mcpServersNamespace as upstreams; one replica, the Lease holder, writes their status"`
	MCPServersNamespace string `json:"mcpServersNamespace,omitempty" help:"where MCPServer objects are watched and the Lease is held (default: $POD_NAMESPACE, else the default cluster's namespace)"`
	// Off, whoever may create an MCPServer cannot collect every caller's
	// token by pointing one with forwardAuthorization at their own server.
	AllowMCPServerForwardAuthorization bool `json:"allowMCPServerForwardAuthorization,omitempty" help:"let MCPServer objects set forwardAuthorization, which sends each caller's own Authorization (in passthrough, their Kubernetes token) to the server the object names; off, such an object is Invalid"`

	// Who may call over HTTP, and as whom calls reach the clusters.
	Auth               string        `json:"auth,omitempty" help:"who may call over HTTP: none (loopback only), token, oidc or passthrough"`
	AuthTokenFile      string        `json:"authTokenFile,omitempty" help:"static bearer tokens and the user and groups of each (auth token)"`
	Credentials        string        `json:"credentials,omitempty" help:"whose credential calls reach the cluster with: server, impersonate or passthrough (default: impersonate with auth token or oidc, passthrough with auth passthrough, else server)"`
	PublicURL          string        `json:"publicURL,omitempty" help:"the URL clients reach kubemcp at, e.g. https://kubemcp.example.com (for OAuth metadata and the OIDC audience)"`
	OIDCIssuer         string        `json:"oidcIssuer,omitempty" help:"OIDC issuer URL whose JWTs are accepted (auth oidc)"`
	OIDCAudience       string        `json:"oidcAudience,omitempty" help:"the aud a token must carry (default: publicURL + /mcp)"`
	OIDCIssuerCA       string        `json:"oidcIssuerCA,omitempty" help:"PEM file of the CAs to trust for the OIDC issuer (default: the system's)"`
	OIDCUsernameClaim  string        `json:"oidcUsernameClaim,omitempty" help:"JWT claim naming the user"`
	OIDCUsernamePrefix string        `json:"oidcUsernamePrefix,omitempty" help:"prefix for OIDC usernames, so they cannot collide with the cluster's own; - for none"`
	OIDCGroupsClaim    string        `json:"oidcGroupsClaim,omitempty" help:"JWT claim listing the user's groups"`
	OIDCGroupsPrefix   string        `json:"oidcGroupsPrefix,omitempty" help:"prefix for OIDC groups; - for none"`
	OIDCScopes         []string      `json:"oidcScopes,omitempty" help:"scopes advertised to MCP clients in the OAuth protected-resource metadata"`
	UserRate           float64       `json:"userRate,omitempty" help:"tool calls a second one authenticated user may make, on average; 0 for no limit"`
	UserBurst          int           `json:"userBurst,omitempty" help:"tool calls one user may make at once above userRate"`
	UserConcurrency    int           `json:"userConcurrency,omitempty" help:"tool calls one authenticated user may have running at once; 0 for no limit"`
	UserSessions       int           `json:"userSessions,omitempty" help:"MCP sessions (streamable HTTP, legacy SSE and WebSocket) one authenticated user may have open at once; 0 for no limit"`
	AddressSessions    int           `json:"addressSessions,omitempty" help:"MCP sessions one network address may have open at once, whoever opened them (behind a proxy, all come from its address); 0 for no limit"`
	UserSubscriptions  int           `json:"userSubscriptions,omitempty" help:"resource subscriptions one authenticated user may hold across all their sessions; 0 for no limit"`
	UserWatchers       int           `json:"userWatchers,omitempty" help:"watchers (subscriptions and watching tool calls) one authenticated user may hold of the server's 10000; 0 for no limit"`
	UserWatches        int           `json:"userWatches,omitempty" help:"resources and namespaces one authenticated user may have watched at once, of the server's 500; 0 for no limit"`
	ClientCacheSize    int           `json:"clientCacheSize,omitempty" help:"per-user cluster clients kept (impersonate, passthrough); 0 turns the cache off"`
	ClientCacheTTL     time.Duration `json:"clientCacheTTL,omitempty" help:"how long a per-user cluster client is kept after it is built; 0 turns the cache off"`
	Cache              bool          `json:"cache,omitempty" help:"answer reads (pods_list, pods_get, resources_get, resources_list with output yaml or json, namespaces_list, events_list) from one shared watch cache per cluster, filled with the server's credential; each read is still checked against the caller's RBAC and the policy"`
	CacheAccessTTL     time.Duration `json:"cacheAccessTTL,omitempty" help:"how long the watch cache keeps a caller's access decision, allow or deny: a revoked grant stops working within it"`
	CacheStaleAfter    time.Duration `json:"cacheStaleAfter,omitempty" help:"how long the watch cache answers for a cluster it has not heard from (no watch event, no heartbeat answered): a stopped or hung cluster is read directly, and fails as it would without the cache, within it"`
	CacheMaxObjects    int           `json:"cacheMaxObjects,omitempty" help:"the most objects the watch cache holds per cluster: a kind that would pass it is read directly (logged, and counted in kubemcp_cache_kinds{state=\"full\"}) until it has been idle"`

	// Policy holds deny and allow rules for Kubernetes requests and the tool
	// calls that need confirmation (file only).
	Policy policy.Config `json:"policy,omitzero"`

	// Upstreams are MCP servers whose tools kubemcp serves beside its own
	// (file, and --upstream for one-offs: ApplyFlags adds them).
	Upstreams []Upstream `json:"upstreams,omitempty"`

	// HelmRepositories are the private chart repositories and OCI registries
	// the helm toolset may fetch from, and their credentials (file only).
	HelmRepositories []HelmRepository `json:"helmRepositories,omitempty"`

	// Console holds what `kubemcp console` reads from the file beyond its
	// flags (file only).
	Console Console `json:"console,omitzero"`
}

// Console configures the web console.
type Console struct {
	// IdentityRules map who signed in to whom they reach Kubernetes as,
	// e.g. github-team:acme/sre=group:sre (console.Rule checks them).
	IdentityRules []string `json:"identityRules,omitempty"`
}

// Default returns the configuration used when nothing else is said. The
// values are config's own, so that config imports none of the packages it
// configures; those packages keep the same defaults for a zero option, and
// app's tests check that the two agree.
func Default() Config {
	return Config{
		LogLevel:      "info",
		LogFormat:     LogText,
		ShutdownGrace: 10 * time.Second,
		SessionIdle:   30 * time.Minute,
		HeaderTimeout: 10 * time.Second,
		ClientQPS:     200,
		ClientBurst:   400,
		OutputBudget:  16 << 10,

		ClusterTimeout: 10 * time.Second,
		CallTimeout:    30 * time.Second,
		FanOut:         8,
		KubeconfigPoll: 2 * time.Second,

		Auth:               AuthNone,
		OIDCUsernameClaim:  "sub",
		OIDCUsernamePrefix: "oidc:",
		OIDCGroupsClaim:    "groups",
		OIDCGroupsPrefix:   "oidc:",
		UserRate:           20,
		UserBurst:          40,
		UserConcurrency:    10,
		UserSessions:       50,
		AddressSessions:    1000,
		UserSubscriptions:  500,
		UserWatchers:       1000,
		UserWatches:        50,
		ClientCacheSize:    1000,
		ClientCacheTTL:     10 * time.Minute,
		Cache:              true,
		CacheAccessTTL:     10 * time.Second,
		CacheStaleAfter:    3 * time.Second,
		CacheMaxObjects:    100_000,
	}
}

// maxOutputBudget is the most a call may ask for (render.MaxBudget): a default
// above it would let calls that name no cap answer more than those that do.
const maxOutputBudget = 1 << 20

// The values of logFormat. Text is the default whether or not stderr is a
// terminal, as Kubernetes' own components do: the same flags give the same
// lines everywhere, and a deployment that feeds a collector says json.
const (
	LogText = "text"
	LogJSON = "json"
)

// validateOTLP checks the collector's URL: the OpenTelemetry exporter keeps
// its default, localhost:4318, for a URL it cannot read, which would lose
// every span without a word.
func validateOTLP(endpoint string) error {
	if endpoint == "" {
		return nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("otlpEndpoint %q: want the collector's OTLP/HTTP base URL, e.g. http://otel-collector:4318", endpoint)
	}
	return nil
}

// The values of auth.
const (
	AuthNone        = "none"
	AuthToken       = "token"
	AuthOIDC        = "oidc"
	AuthPassthrough = "passthrough"
)

// The values of credentials.
const (
	CredentialsServer      = "server"
	CredentialsImpersonate = "impersonate"
	CredentialsPassthrough = "passthrough"
)

// CredentialsMode is credentials, or the default the auth mode implies.
func (c *Config) CredentialsMode() string {
	if c.Credentials != "" {
		return c.Credentials
	}
	switch c.Auth {
	case AuthToken, AuthOIDC:
		return CredentialsImpersonate
	case AuthPassthrough:
		return CredentialsPassthrough
	}
	return CredentialsServer
}

// MCPResource is the URL clients reach /mcp at: publicURL + /mcp.
func (c *Config) MCPResource() string {
	if c.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(c.PublicURL, "/") + "/mcp"
}

// Audience is the aud an OIDC token must carry.
func (c *Config) Audience() string { return cmp.Or(c.OIDCAudience, c.MCPResource()) }

// validateAuth checks that auth and credentials make a safe pair.
func (c *Config) validateAuth() []error {
	var errs []error
	switch c.Auth {
	case AuthNone, AuthToken, AuthOIDC, AuthPassthrough:
	default:
		return []error{fmt.Errorf("auth %q: want none, token, oidc or passthrough", c.Auth)}
	}
	switch c.Credentials {
	case "", CredentialsServer, CredentialsImpersonate, CredentialsPassthrough:
	default:
		return []error{fmt.Errorf("credentials %q: want server, impersonate or passthrough", c.Credentials)}
	}
	if c.Listen == "" && (c.Auth != AuthNone || c.CredentialsMode() != CredentialsServer) {
		errs = append(errs, fmt.Errorf("auth %s, credentials %s: these are for HTTP, where callers are told apart; over stdio kubemcp is the local user's, with the server's credentials. Set listen, or drop them", c.Auth, c.CredentialsMode()))
	}
	errs = append(errs, c.validatePairing()...)
	if (c.Auth == AuthToken) != (c.AuthTokenFile != "") {
		errs = append(errs, errors.New("authTokenFile: give it with auth token, and only then"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("publicURL %q: want an absolute URL, e.g. https://kubemcp.example.com", c.PublicURL))
		}
	}
	if c.Auth == AuthOIDC && (c.OIDCIssuer == "" || c.Audience() == "") {
		errs = append(errs, errors.New("auth oidc: set oidcIssuer, and publicURL (or oidcAudience) for the audience tokens must carry"))
	}
	if c.UserRate < 0 || c.UserBurst < 0 || c.UserConcurrency < 0 || c.ClientCacheSize < 0 || c.ClientCacheTTL < 0 || c.CacheAccessTTL < 0 || c.CacheStaleAfter < 0 {
		errs = append(errs, errors.New("userRate, userBurst, userConcurrency, clientCacheSize, clientCacheTTL, cacheAccessTTL, cacheStaleAfter: must not be negative"))
	}
	if c.CacheMaxObjects < 1 {
		errs = append(errs, fmt.Errorf("cacheMaxObjects %d: must be at least 1 (to turn the watch cache off, set cache: false)", c.CacheMaxObjects))
	}
	if c.UserSessions < 0 || c.AddressSessions < 0 || c.UserSubscriptions < 0 || c.UserWatchers < 0 || c.UserWatches < 0 {
		errs = append(errs, errors.New("userSessions, addressSessions, userSubscriptions, userWatchers, userWatches: must not be negative (0 for no limit)"))
	}
	return errs
}

// validatePairing refuses auth and credentials that do not go together.
func (c *Config) validatePairing() []error {
	creds := c.CredentialsMode()
	switch {
	case c.Auth == AuthOIDC && creds == CredentialsPassthrough:
		return []error{errors.New("auth oidc with credentials passthrough: the MCP specification forbids passing an MCP OAuth token through to another service (the token's audience is kubemcp, not the cluster); use credentials impersonate, or auth passthrough with Kubernetes tokens")}
	case c.Auth == AuthToken && creds == CredentialsPassthrough:
		return []error{errors.New("auth token with credentials passthrough: kubemcp's static tokens are not Kubernetes credentials; use credentials impersonate, or auth passthrough")}
	case c.Auth == AuthPassthrough && creds != CredentialsPassthrough:
		return []error{fmt.Errorf("auth passthrough with credentials %s: the caller's Kubernetes token is what reaches the cluster; use credentials passthrough", creds)}
	case c.Auth == AuthNone && creds != CredentialsServer:
		return []error{fmt.Errorf("credentials %s without auth: there is no verified caller to act as; set auth", creds)}
	}
	return nil
}

// TLS reports whether kubemcp serves HTTPS (so cookies it sets can be Secure).
func (c *Config) TLS() bool { return c.TLSCertFile != "" && c.TLSKeyFile != "" }

// validateTLS checks that the pair is whole and has an HTTP listener to serve.
func (c *Config) validateTLS() []error {
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return []error{errors.New("tlsCertFile and tlsKeyFile: give both, a certificate and its key, or neither")}
	}
	if c.TLS() && c.Listen == "" {
		return []error{errors.New("tlsCertFile, tlsKeyFile: TLS is for HTTP; set listen, or drop them")}
	}
	return nil
}

// Authenticated reports whether HTTP callers must prove who they are.
func (c *Config) Authenticated() bool { return c.Auth != "" && c.Auth != AuthNone }

// LoadFile overlays the YAML file at path onto c. Unknown keys are errors that
// name the key, so a typo never silently falls back to a default.
func (c *Config) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading config file: %w", err)
	}
	data, err = durationsAsNanoseconds(data)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if err := yaml.UnmarshalStrict(data, c); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// durationsAsNanoseconds rewrites the file's durations as written ("10s",
// "2m") into the nanoseconds a time.Duration decodes from: the YAML is read
// as JSON, which has no duration type. A number stays as it is.
func durationsAsNanoseconds(data []byte) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil || doc == nil {
		return data, nil // not a mapping: UnmarshalStrict says what is wrong
	}
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		text, ok := doc[key].(string)
		if f.Type != reflect.TypeFor[time.Duration]() || !ok {
			continue
		}
		d, err := time.ParseDuration(text)
		if err != nil {
			return nil, fmt.Errorf("%s %q: want a duration such as 10s or 2m", key, text)
		}
		doc[key] = int64(d)
	}
	return yaml.Marshal(doc)
}

// Validate reports every problem with c at once.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			errs = append(errs, fmt.Errorf("listen %q: want host:port, e.g. 127.0.0.1:8080", c.Listen))
		}
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("logLevel %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != LogText && c.LogFormat != LogJSON {
		errs = append(errs, fmt.Errorf("logFormat %q: want text or json", c.LogFormat))
	}
	if err := validateOTLP(c.OTLPEndpoint); err != nil {
		errs = append(errs, err)
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, fmt.Errorf("shutdownGrace %s: must not be negative", c.ShutdownGrace))
	}
	if c.SessionIdle <= 0 {
		errs = append(errs, fmt.Errorf("sessionIdle %s: must be positive", c.SessionIdle))
	}
	if c.HeaderTimeout <= 0 {
		errs = append(errs, fmt.Errorf("headerTimeout %s: must be positive", c.HeaderTimeout))
	}
	if c.ClientQPS <= 0 || c.ClientBurst <= 0 {
		errs = append(errs, fmt.Errorf("clientQPS %v and clientBurst %d: both must be positive", c.ClientQPS, c.ClientBurst))
	}
	if c.OutputBudget < 1024 || c.OutputBudget > maxOutputBudget {
		errs = append(errs, fmt.Errorf("outputBudget %d: want 1024 to %d bytes", c.OutputBudget, maxOutputBudget))
	}
	if c.ClusterTimeout <= 0 || c.FanOut <= 0 {
		errs = append(errs, fmt.Errorf("clusterTimeout %s and fanOut %d: both must be positive", c.ClusterTimeout, c.FanOut))
	}
	if c.CallTimeout <= 0 {
		errs = append(errs, fmt.Errorf("callTimeout %s: must be positive", c.CallTimeout))
	}
	if c.KubeconfigPoll < 0 {
		errs = append(errs, fmt.Errorf("kubeconfigPoll %s: must not be negative (0 turns reloading off)", c.KubeconfigPoll))
	}
	errs = append(errs, policy.CheckPatterns("clusters", c.Clusters), policy.CheckPatterns("skipClusters", c.SkipClusters))
	errs = append(errs, c.validateServing()...)
	errs = append(errs, c.validateTLS()...)
	errs = append(errs, c.validateAuth()...)
	errs = append(errs, c.validateUpstreams()...)
	errs = append(errs, c.validateHelmRepositories()...)
	errs = append(errs, c.validateHelmChartDirs()...)
	errs = append(errs, c.Policy.Validate())
	return errors.Join(errs...)
}
