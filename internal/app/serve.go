package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"
	"go.opentelemetry.io/otel/trace"
	"k8s.io/klog/v2"

	"github.com/kubemcp/kubemcp/internal/apps"
	"github.com/kubemcp/kubemcp/internal/audit"
	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/gateway"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/metrics"
	"github.com/kubemcp/kubemcp/internal/prompts"
	"github.com/kubemcp/kubemcp/internal/resources"
	"github.com/kubemcp/kubemcp/internal/tools/cli"
	"github.com/kubemcp/kubemcp/internal/tools/core"
	"github.com/kubemcp/kubemcp/internal/tools/diagnostics"
	"github.com/kubemcp/kubemcp/internal/tools/helm"
	"github.com/kubemcp/kubemcp/internal/tools/nodes"
	"github.com/kubemcp/kubemcp/internal/tools/pods"
	"github.com/kubemcp/kubemcp/internal/tools/workloads"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/tracing"
	"github.com/kubemcp/kubemcp/internal/tracker"
	"github.com/kubemcp/kubemcp/internal/transport"
)

func serveCommand(s Streams) *cobra.Command {
	var configPath string
	flagged := config.Default()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve MCP over stdio (default), HTTP (--listen) or dialled WebSockets (--connect)",
		Long: "Serve MCP over stdio (default) or, with --listen, over HTTP: streamable HTTP at /mcp, " +
			"legacy SSE at /sse and /message, WebSocket at /ws, probes at /healthz and /readyz. " +
			"--stdio serves stdio beside them; --connect wss://host/path dials out and serves MCP over that socket.\n\n" +
			"Settings come from defaults, then the --config file, then KUBEMCP_* environment variables, then flags.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath, cmd)
			if err != nil {
				return err
			}
			return serve(cmd, s, cfg)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "YAML config file (env KUBEMCP_CONFIG)")
	config.Bind(cmd.Flags(), &flagged)
	return cmd
}

// loadConfig layers defaults < file < environment < flags and validates the result.
func loadConfig(path string, cmd *cobra.Command) (config.Config, error) {
	cfg := config.Default()
	if path == "" {
		path = os.Getenv("KUBEMCP_CONFIG")
	}
	if path != "" {
		if err := cfg.LoadFile(path); err != nil {
			return cfg, err
		}
	}
	if err := cfg.ApplyEnv(os.LookupEnv); err != nil {
		return cfg, err
	}
	if err := cfg.ApplyFlags(cmd.Flags()); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func serve(cmd *cobra.Command, s Streams, cfg config.Config) error {
	ctx := cmd.Context()
	logger := newLogger(s, cfg)
	var ln net.Listener
	if cfg.Listen != "" {
		var err error
		if ln, err = transport.Listen(cfg.Listen, transport.ListenOptions{Authenticated: cfg.Authenticated()}); err != nil {
			return err
		}
		defer ln.Close()
	}
	srv, stop, err := startServer(ctx, s, cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	return serveTransports(cmd, s, cfg, ln, srv, logger)
}

// startServer is what every command that serves kubemcp's tools starts
// with: the audit log, the server, its upstreams, and the kubeconfig's
// reloads. stop ends what it holds open (port-forward sessions, upstreams,
// the audit file).
func startServer(ctx context.Context, s Streams, cfg config.Config, logger *slog.Logger) (srv *Server, stop func(), err error) {
	auditLog, err := openAudit(cfg, s)
	if err != nil {
		return nil, nil, err
	}
	stop = func() {
		if auditLog != nil {
			auditLog.Close()
		}
	}
	if srv, err = NewServer(cfg, auditLog, logger); err != nil {
		stop()
		return nil, nil, err
	}
	closeAudit := stop
	stop = func() { srv.Close(); closeAudit() }
	if err := srv.Start(ctx); err != nil {
		stop()
		return nil, nil, err
	}
	if cfg.KubeconfigPoll > 0 {
		go srv.Clusters.Watch(ctx, cfg.KubeconfigPoll)
	}
	return srv, stop, nil
}

// Server is what NewServer wires: the MCP server, the clusters it reaches,
// and what holds something open until Close.
type Server struct {
	MCP      *mcp.Server
	Clusters *clusters.Manager
	Metrics  *metrics.Metrics // nil over stdio or with disableMetrics
	traces   *tracing.Tracing // nil without an OTLP endpoint
	live     *resources.Resources
	watches  *tracker.Pool
	cache    *cache.Cache     // nil unless the cache is on
	gateway  *gateway.Gateway // nil without upstreams
	operator operatorConfig   // to start with the gateway, when on
	sets     []toolset.Toolset
}

// Start connects the upstream MCP servers whose tools are served beside
// kubemcp's own (see gateway.Gateway.Start); without upstreams it does
// nothing.
func (s *Server) Start(ctx context.Context) error {
	if s.gateway == nil {
		return nil
	}
	if err := s.gateway.Start(ctx, s.MCP); err != nil {
		return err
	}
	return s.operator.start(ctx, s.Clusters, s.gateway)
}

// Ready is /readyz's check: the clusters decide readiness, and each
// upstream adds a line to the detail. An upstream that is down does not make
// kubemcp unready: its own tools still serve, and the upstream is usually
// shared by every replica, so taking this one out of the Service would cost
// those tools and fix nothing (the gateway reconnects on its own).
func (s *Server) Ready(ctx context.Context) (string, error) {
	report, err := s.Clusters.Ready(ctx)
	if s.gateway != nil {
		report += s.gateway.Report()
	}
	return report, err
}

// Close ends what the live resources, the shared watches, the watch cache and the toolsets
// (port-forward sessions) hold open, and sends the spans not yet sent.
func (s *Server) Close() error {
	s.live.Close()
	s.watches.Close()
	if s.cache != nil {
		s.cache.Close()
	}
	errs := []error{s.traces.Shutdown()}
	for _, ts := range s.sets {
		if c, ok := ts.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// NewServer wires the configuration into an MCP server: clusters, toolsets and
// middleware. It contacts no cluster. Tests use it to serve in memory exactly
// what `kubemcp serve` serves.
func NewServer(cfg config.Config, auditLog *audit.Log, logger *slog.Logger) (*Server, error) {
	rules := cfg.Policy
	rules.ReadOnly = cfg.ReadOnly
	cacheSize, cacheTTL := clusterCache(cfg)
	var m *metrics.Metrics
	if cfg.Listen != "" && !cfg.DisableMetrics {
		m = metrics.New(Version())
	}
	writes, wrap := cacheWrites(cfg)
	traces, err := tracing.New(context.Background(), tracing.Options{Endpoint: cfg.OTLPEndpoint, Version: Version()})
	if err != nil {
		return nil, err
	}
	cl, err := clusters.New(clusters.Options{
		Kubeconfig:  cfg.Kubeconfig,
		Context:     cfg.Context,
		Include:     cfg.Clusters,
		Exclude:     cfg.SkipClusters,
		Client:      kube.Options{QPS: float32(cfg.ClientQPS), Burst: cfg.ClientBurst, Policy: &rules, Wrap: wrap},
		Logger:      logger,
		Observe:     func(name string) kube.Observer { return m.KubeObserver(name) },
		Trace:       traces.Kube,
		Credentials: clusters.Credentials(cfg.CredentialsMode()),
		CacheSize:   cacheSize,
		CacheTTL:    cacheTTL,
		Timeout:     cfg.ClusterTimeout,
		Concurrency: cfg.FanOut,
	})
	if err != nil {
		return nil, err
	}
	if m != nil {
		m.ClientCache(cl.CachedClients)
	}
	poolOpts := tracker.PoolOptions{MaxWatchersPerUser: unbounded(cfg.UserWatchers), MaxWatchesPerUser: unbounded(cfg.UserWatches)}
	var shared *cache.Cache
	if cfg.Cache {
		shared = cache.New(cache.Options{Clusters: cl, Credentials: clusters.Credentials(cfg.CredentialsMode()), Policy: rules,
			AccessTTL: cfg.CacheAccessTTL, StaleAfter: cfg.CacheStaleAfter, MaxObjects: cfg.CacheMaxObjects, Writes: writes, Reads: m.CacheReads(), Logger: logger})
		m.CacheSizes(shared.Sizes)
		poolOpts.Shared = shared // the live watches share its informers where the caller's access allows
	}
	watches := tracker.NewPool(cl, poolOpts)
	cl.OnChange(func(c clusters.Change) {
		gone := slices.Concat(c.Removed, c.Changed)
		if shared != nil {
			shared.Forget(gone...) // first: the watches the pool opens again join its new informers
		}
		watches.Forget(gone...)
	})
	live := resources.New(resources.Options{Clusters: cl, Pool: watches, MaxPerUser: unbounded(cfg.UserSubscriptions)})
	deps := toolset.Deps{Clusters: cl, Watches: watches, Cache: shared, DefaultBudget: cfg.OutputBudget, AllowSecretReveal: cfg.AllowSecretReveal}
	filter := toolset.Filter{
		ReadOnly:           cfg.ReadOnly,
		DisableDestructive: cfg.DisableDestructive,
		Toolsets:           cfg.Toolsets,
		// The gateway applies the names of upstream tools (<upstream>__<tool>),
		// which come and go with their upstreams.
		Enabled:  slices.DeleteFunc(slices.Clone(cfg.EnabledTools), isUpstreamTool),
		Disabled: slices.DeleteFunc(slices.Clone(cfg.DisabledTools), isUpstreamTool),
	}
	if cfg.CLI {
		filter.OptIn = append(filter.OptIn, "cli")
	}
	if cfg.Shell {
		filter.OptIn = append(filter.OptIn, "shell")
	}
	if cfg.MCPInstall {
		filter.OptIn = append(filter.OptIn, "install")
	}
	if cfg.Helm {
		filter.OptIn = append(filter.OptIn, "helm")
	}
	for _, r := range cfg.Policy.Confirm {
		// Upstream tools (<upstream>__<tool>) come and go with their
		// upstreams, so a pattern for them is not held to today's tools.
		filter.Confirm = append(filter.Confirm, slices.DeleteFunc(slices.Clone(r.Tools), isUpstreamTool)...)
	}
	if err := withoutPortForward(cfg, &filter); err != nil {
		return nil, err
	}
	sets, err := toolsets(cfg, deps)
	if err != nil {
		return nil, err
	}
	approvals, err := confirmer(cfg, cl)
	if err != nil {
		return nil, err
	}
	gw := upstreams(cfg, approvals, m, traces.Tracer(), logger)
	var dynamic func(string) (string, bool, bool)
	if gw != nil {
		sets, dynamic = append(sets, gw), gw.Describe
	}
	tools, err := toolset.Select(sets, filter)
	if err != nil {
		return nil, err
	}
	if len(cfg.EnabledTools) > 0 {
		// Only these, though all may be upstream tools (filter.Enabled
		// empty: Select kept every one of kubemcp's own).
		tools = slices.DeleteFunc(tools, func(t toolset.Tool) bool { return !slices.Contains(cfg.EnabledTools, t.Meta.Name) })
	}
	install := toolset.InstallOptions{Confirm: approvals, MultiCluster: multiCluster(cl)}
	server := mcpserver.New(mcpserver.Options{Version: Version(), Tools: tools, Install: install, Audit: auditLog, Dynamic: dynamic,
		Metrics: m, Clusters: cl.Names, Logger: logger, Features: []mcpserver.Feature{prompts.New(cl), live, apps.New()},
		Bind: identity.Bind(), Admit: identity.Fair(limiter(cfg)), CallTimeout: cfg.CallTimeout, Tracer: traces.Tracer()})
	retoolOnChange(server, cl, tools, install)
	return &Server{MCP: server, Clusters: cl, Metrics: m, traces: traces, live: live, watches: watches, cache: deps.Cache, gateway: gw, sets: sets,
		operator: operatorConfig{on: cfg.WatchMCPServers, namespace: cfg.MCPServersNamespace,
			allowFwd: cfg.AllowMCPServerForwardAuthorization, logger: logger}}, nil
}

// upstreams is the gateway to the configured upstream MCP servers and, when
// watched, the MCPServer objects' ones, their tools filtered and confirmed
// as kubemcp's own are; nil when there are none.
func upstreams(cfg config.Config, approvals *confirm.Confirmer, m *metrics.Metrics, tracer trace.Tracer, logger *slog.Logger) *gateway.Gateway {
	if len(cfg.Upstreams) == 0 && !cfg.WatchMCPServers {
		return nil
	}
	return gateway.New(gateway.Options{Upstreams: cfg.Upstreams, ReadOnly: cfg.ReadOnly, DisableDestructive: cfg.DisableDestructive,
		Enabled: cfg.EnabledTools, Disabled: cfg.DisabledTools, Metrics: m, Confirm: approvals, Tracer: tracer, Version: Version(), Logger: logger})
}

// isUpstreamTool reports whether a tool name or pattern is for upstream
// tools, which the gateway serves as <upstream>__<tool>.
func isUpstreamTool(name string) bool { return strings.Contains(name, "__") }

// withoutPortForward fits the filter to a server with auth, which does not
// offer port_forward (see toolsets): a config that disables the tool or asks
// to confirm it still starts, as neither can matter; one that enables it is
// told why it cannot have it.
func withoutPortForward(cfg config.Config, f *toolset.Filter) error {
	if !cfg.Authenticated() {
		return nil
	}
	if slices.Contains(f.Enabled, "port_forward") {
		return errors.New("enabledTools names port_forward, which kubemcp offers only when it serves one local user (stdio, or auth none): a forward listens on kubemcp's host, where any process there could use it and a remote caller cannot reach it. Drop it; users run kubectl port-forward, or kubemcp locally, with their own credentials")
	}
	isIt := func(n string) bool { return n == "port_forward" }
	f.Disabled = slices.DeleteFunc(slices.Clone(f.Disabled), isIt)
	f.Confirm = slices.DeleteFunc(slices.Clone(f.Confirm), isIt)
	return nil
}

// cacheWrites is, with the watch cache on, the record of callers' writes and
// the wrapper of the clusters' transport that keeps it, so that a caller's
// cached read waits for its own write.
func cacheWrites(cfg config.Config) (*cache.Writes, func(http.RoundTripper) http.RoundTripper) {
	if !cfg.Cache {
		return nil, nil
	}
	w := cache.NewWrites(nil)
	return w, w.Record
}

// confirmer holds the confirmation rules; with an approval key file, its
// tokens are redeemed by every replica reading the same file.
func confirmer(cfg config.Config, cl *clusters.Manager) (*confirm.Confirmer, error) {
	if cfg.ApprovalKeyFile == "" {
		return confirm.New(cfg.Policy.Confirm, cl), nil
	}
	return confirm.Shared(cfg.Policy.Confirm, cl, cfg.ApprovalKeyFile)
}

func multiCluster(cl *clusters.Manager) bool { return len(cl.List()) > 1 }

// retoolOnChange reinstalls the tools, installed as o says, when the clusters
// go from one to many or back, so that the cluster argument appears or goes;
// the SDK tells clients the tool list changed.
func retoolOnChange(server *mcp.Server, cl *clusters.Manager, tools []toolset.Tool, o toolset.InstallOptions) {
	var mu sync.Mutex
	cl.OnChange(func(clusters.Change) {
		mu.Lock()
		defer mu.Unlock()
		if now := multiCluster(cl); now != o.MultiCluster {
			o.MultiCluster = now
			toolset.Install(server, tools, o)
		}
	})
}

// toolsets are every toolset kubemcp has, wired here and nowhere else.
func toolsets(cfg config.Config, deps toolset.Deps) ([]toolset.Toolset, error) {
	cliHome := ""
	if dir, err := os.UserCacheDir(); err == nil {
		cliHome = filepath.Join(dir, "kubemcp", "cli-home") // helm repositories persist between calls
		_ = os.MkdirAll(cliHome, 0o700)
	}
	cliOpts := cli.Options{ReadOnly: cfg.ReadOnly, StateDir: cliHome}
	shell, err := cli.NewShell(deps, cliOpts, cfg.ShellPrograms)
	if err != nil {
		return nil, err
	}
	return []toolset.Toolset{
		core.New(deps),
		core.NewInstaller(deps),
		// A forward listens on this host, open to any process here and
		// out of a remote caller's reach: only for one local user.
		pods.New(deps, pods.Options{PortForward: !cfg.Authenticated()}),
		workloads.New(deps),
		nodes.New(deps),
		diagnostics.New(deps),
		cli.New(deps, cliOpts),
		shell,
		helm.New(deps, helm.Options{Repositories: cfg.HelmRepositories, ChartDirs: cfg.HelmChartDirs}),
	}, nil
}

func serveHTTP(cmd *cobra.Command, s Streams, cfg config.Config, ln net.Listener, srv *Server, logger *slog.Logger) error {
	return serveMux(cmd, cfg, ln, srv, logger, func(scheme string) {
		url := scheme + "://" + ln.Addr().String() + transport.PathMCP
		announce(s, cfg, logger, fmt.Sprintf("serving MCP at %s (cluster %q, auth %s, credentials %s)",
			url, srv.Clusters.DefaultName(), cfg.Auth, cfg.CredentialsMode()),
			"url", url, "cluster", srv.Clusters.DefaultName(), "auth", cfg.Auth, "credentials", cfg.CredentialsMode())
	}, nil)
}

// serveMux serves MCP over HTTP on ln, with the configured auth, TLS and
// metrics, and whatever register adds to the mux (the console); announce is
// told the scheme before serving starts. `serve` and `console` share it so
// MCP is served the same way by both.
func serveMux(cmd *cobra.Command, cfg config.Config, ln net.Listener, srv *Server, logger *slog.Logger,
	announce func(scheme string), register func(*http.ServeMux)) error {
	guard, metadata, err := httpAuth(cfg, srv.Clusters)
	if err != nil {
		return err
	}
	mux := transport.Mux(srv.MCP, transport.HTTPOptions{Ready: srv.Ready, SessionIdle: cfg.SessionIdle, Logger: logger,
		Auth: guard, ResourceMetadata: metadata, Metrics: srv.Metrics})
	if register != nil {
		register(mux)
	}
	return serveHandler(cmd.Context(), cfg, ln, mux, logger, announce)
}

// serveHandler serves h on ln, over TLS when tlsCertFile and tlsKeyFile are
// set; announce is told the scheme ("http" or "https") before serving
// starts.
func serveHandler(ctx context.Context, cfg config.Config, ln net.Listener, h http.Handler, logger *slog.Logger, announce func(scheme string)) error {
	tc, err := serverTLS(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if tc == nil {
		announce("http")
		return transport.Serve(ctx, ln, h, serveOptions(cfg))
	}
	announce("https")
	return transport.ServeTLS(ctx, ln, h, serveOptions(cfg), tc)
}

func serveOptions(cfg config.Config) transport.ServeOptions {
	return transport.ServeOptions{Grace: cfg.ShutdownGrace, HeaderTimeout: cfg.HeaderTimeout}
}

// serverTLS is, with tlsCertFile and tlsKeyFile, the TLS configuration
// serving their certificate, read again whenever they change until ctx ends;
// without them, nil.
func serverTLS(ctx context.Context, cfg config.Config, logger *slog.Logger) (*tls.Config, error) {
	if !cfg.TLS() {
		return nil, nil
	}
	cert, err := transport.LoadCertificate(cfg.TLSCertFile, cfg.TLSKeyFile, logger)
	if err != nil {
		return nil, err
	}
	go cert.Watch(ctx, transport.DefaultCertPoll)
	return cert.TLSConfig(), nil
}

// openAudit opens the configured audit log, or returns nil when none is.
func openAudit(cfg config.Config, s Streams) (*audit.Log, error) {
	var also io.Writer
	if cfg.AuditStdout {
		also = s.Out
	}
	switch {
	case cfg.AuditFile != "":
		return openAuditFile(cfg.AuditFile, also)
	case also != nil:
		return audit.New(also), nil
	}
	return nil, nil
}

// openAuditFile opens the audit file at path; one whose chain is broken is
// refused with what to do: kubemcp will not append to it, lest new lines hide
// the damage, and the file is evidence to keep as it is.
func openAuditFile(path string, also io.Writer) (*audit.Log, error) {
	l, err := audit.Open(path, also)
	var broken *audit.BrokenError
	if errors.As(err, &broken) {
		return nil, fmt.Errorf("%w. kubemcp appends only to an intact chain: keep this file as it is for forensics "+
			"(kubemcp audit verify %s names the first bad line) and start a new chain, with --audit-file naming a new file "+
			"or after moving this one aside (mv %[2]s %[2]s.broken)", err, path)
	}
	return l, err
}

// newLogger logs to stderr (stdout may carry MCP) in the configured format,
// and takes over client-go's klog output and the standard log package (where
// net/http's servers and reverse proxies write their errors), which would
// otherwise print lines of their own there, unparsable in JSON.
func newLogger(s Streams, cfg config.Config) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel))) // Validate has checked it
	opts := &slog.HandlerOptions{Level: l}
	var h slog.Handler = slog.NewTextHandler(s.Err, opts)
	if cfg.LogFormat == config.LogJSON {
		h = slog.NewJSONHandler(s.Err, opts)
	}
	logger := slog.New(h)
	clientGoLog.Store(logger.With("source", "client-go"))
	clientGoOnce.Do(func() { klog.SetSlogLogger(slog.New(latest{})) })
	slog.SetDefault(logger)
	return logger
}

// client-go's klog lines go to the latest logger newLogger made. klog's own
// logger is set once: client-go's goroutines read it without a lock, so
// setting it again (each start of kubemcp in one test process) would race.
var (
	clientGoLog  atomic.Pointer[slog.Logger]
	clientGoOnce sync.Once
)

// latest is a slog.Handler that hands each record to clientGoLog's handler
// as it is when the record comes, with what klog added on the way.
type latest struct {
	ops []func(slog.Handler) slog.Handler
}

func (h latest) current() slog.Handler {
	c := clientGoLog.Load().Handler()
	for _, op := range h.ops {
		c = op(c)
	}
	return c
}

func (h latest) Enabled(ctx context.Context, l slog.Level) bool  { return h.current().Enabled(ctx, l) }
func (h latest) Handle(ctx context.Context, r slog.Record) error { return h.current().Handle(ctx, r) }

func (h latest) WithAttrs(attrs []slog.Attr) slog.Handler {
	return latest{ops: append(slices.Clone(h.ops), func(c slog.Handler) slog.Handler { return c.WithAttrs(attrs) })}
}

func (h latest) WithGroup(name string) slog.Handler {
	return latest{ops: append(slices.Clone(h.ops), func(c slog.Handler) slog.Handler { return c.WithGroup(name) })}
}

// announce says where kubemcp serves, in a line tests, scripts and people
// read for the address of --listen 127.0.0.1:0: "kubemcp: msg" as plain text,
// or a log record whose msg is msg with the details as attributes too, so
// that a JSON log holds nothing but JSON.
func announce(s Streams, cfg config.Config, logger *slog.Logger, msg string, attrs ...any) {
	if cfg.LogFormat == config.LogJSON {
		logger.Info(msg, attrs...)
		return
	}
	fmt.Fprintln(s.Err, "kubemcp: "+msg)
}
