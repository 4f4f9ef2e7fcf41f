package app

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/console"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/store"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// defaultConsoleListen is where the console listens without --listen.
const defaultConsoleListen = "127.0.0.1:8080"

// consoleFlags are the console's own settings, beyond kubemcp's.
type consoleFlags struct {
	db                      string
	githubID, githubSecret  string
	githubURL, githubAPIURL string
	oidcID, oidcSecret      string
	rules                   []string
	mcpURL, mcpToken        string
	ai                      consoleAI
}

func consoleCommand(s Streams) *cobra.Command {
	var configPath string
	var f consoleFlags
	flagged := config.Default()
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Serve the web console, its API and MCP on one HTTP listener",
		Long: "Serve the web console at /, its API under /api/, and MCP at /mcp (as `kubemcp serve --listen` does), " +
			"on --listen (default " + defaultConsoleListen + "). The console reads clusters through kubemcp's own tools.\n\n" +
			"People sign in with GitHub (an OAuth App) or an OpenID issuer (--oidc-issuer with --oidc-client-id). " +
			"With no sign-in provider, and listening on loopback, the console signs in a local dev user.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath, cmd)
			if err != nil {
				return err
			}
			cfg.Listen = cmp.Or(cfg.Listen, defaultConsoleListen)
			if cmd.Flags().Changed("identity-rule") {
				cfg.Console.IdentityRules = f.rules
			}
			f.fromEnv()
			return serveConsole(cmd, s, cfg, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&configPath, "config", "", "YAML config file (env KUBEMCP_CONFIG)")
	fl.StringVar(&f.db, "db", "", "the console's SQLite database, created with its directories if missing (env DATABASE_PATH; default "+store.DefaultPath+")")
	fl.StringVar(&f.githubID, "github-client-id", "", "sign people in with this GitHub OAuth App (env GITHUB_CLIENT_ID); its callback URL is PUBLIC_URL/api/auth/github/callback")
	fl.StringVar(&f.githubSecret, "github-client-secret", "", "the GitHub OAuth App's client secret (env GITHUB_CLIENT_SECRET, which keeps it out of the process list)")
	fl.StringVar(&f.githubURL, "github-url", "https://github.com", "where people sign in to GitHub: a GitHub Enterprise Server's https://HOST")
	fl.StringVar(&f.githubAPIURL, "github-api-url", "https://api.github.com", "GitHub's REST API: a GitHub Enterprise Server's https://HOST/api/v3")
	fl.StringVar(&f.oidcID, "oidc-client-id", "", "sign people in with the OpenID issuer of --oidc-issuer as this client (env OIDC_CLIENT_ID); its redirect URI is PUBLIC_URL/api/auth/oidc/callback")
	fl.StringVar(&f.oidcSecret, "oidc-client-secret", "", "the OpenID client's secret (env OIDC_CLIENT_SECRET)")
	fl.StringVar(&f.mcpURL, "mcp-url", "", "read clusters through the kubemcp serving MCP at this URL (streamable HTTP) instead of one in this process; the console then serves no /mcp and needs no kubeconfig")
	fl.StringVar(&f.mcpToken, "mcp-token", "", "the bearer token --mcp-url accepts (env KUBEMCP_MCP_TOKEN); every person signed in reaches the clusters as its caller")
	fl.StringArrayVar(&f.rules, "identity-rule", nil, "map who signed in to whom they reach Kubernetes as, e.g. github-team:acme/sre=group:sre (repeatable; replaces the file's console.identityRules)")
	f.ai.bind(cmd)
	config.Bind(fl, &flagged)
	return cmd
}

// fromEnv fills what the flags left unset from the environment.
func (f *consoleFlags) fromEnv() {
	f.db = cmp.Or(f.db, os.Getenv("DATABASE_PATH"), store.DefaultPath)
	f.githubID = cmp.Or(f.githubID, os.Getenv("GITHUB_CLIENT_ID"))
	f.githubSecret = cmp.Or(f.githubSecret, os.Getenv("GITHUB_CLIENT_SECRET"))
	f.oidcID = cmp.Or(f.oidcID, os.Getenv("OIDC_CLIENT_ID"))
	f.oidcSecret = cmp.Or(f.oidcSecret, os.Getenv("OIDC_CLIENT_SECRET"))
	f.mcpToken = cmp.Or(f.mcpToken, os.Getenv("KUBEMCP_MCP_TOKEN"))
}

// consoleAI is the console's AI provider and defaults, from flags.
type consoleAI struct {
	provider   ai.Provider
	tokenLimit int64
}

func (a *consoleAI) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.provider.Name, "ai-provider", "openai", "a name for the AI provider, shown in errors")
	f.StringVar(&a.provider.BaseURL, "ai-base-url", "", "base URL of an OpenAI-compatible chat-completions API, e.g. https://api.openai.com/v1; empty: no AI")
	f.StringVar(&a.provider.Model, "ai-model", "", "the model to ask, e.g. gpt-4.1-mini")
	f.StringVar(&a.provider.KeyEnv, "ai-api-key-env", "", "environment variable holding the provider's API key (default OPENAI_API_KEY unless --ai-api-key-file)")
	f.StringVar(&a.provider.KeyFile, "ai-api-key-file", "", "file holding the provider's API key")
	f.Int64Var(&a.tokenLimit, "ai-token-limit", 100_000, "the most tokens any user may spend a day (UTC), whatever their settings say (each user's own limit, 100000 unless they lower it, counts below it); 0: no cap")
}

// client is the configured AI client, or nil with no --ai-base-url.
func (a consoleAI) client() (*ai.Client, error) {
	if a.provider.BaseURL == "" {
		return nil, nil
	}
	p := a.provider
	if p.KeyFile == "" {
		p.KeyEnv = cmp.Or(p.KeyEnv, "OPENAI_API_KEY")
	}
	return ai.New(p, nil)
}

func serveConsole(cmd *cobra.Command, s Streams, cfg config.Config, f consoleFlags) error {
	ctx := cmd.Context()
	logger := newLogger(s, cfg)
	opts, err := consoleSignIn(cfg, f)
	if err != nil {
		return err
	}
	// With --mcp-url nothing here serves MCP: what must be authenticated
	// beyond loopback is the console, by its sign-in.
	authenticated := cfg.Authenticated()
	if f.mcpURL != "" {
		authenticated = opts.GitHub != nil || opts.OIDC != nil
	}
	ln, err := transport.Listen(cfg.Listen, transport.ListenOptions{Authenticated: authenticated})
	if err != nil {
		return err
	}
	defer ln.Close()
	db, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer db.Close()
	opts.Store, opts.Logger, opts.StreamDeadline = db, logger, consoleDeadline(cfg)
	if opts.AI, err = f.ai.client(); err != nil {
		return err
	}
	opts.TokenLimit = f.ai.tokenLimit
	opts.DevUser = cfg.Auth == config.AuthNone && isLoopback(ln.Addr()) && opts.GitHub == nil && opts.OIDC == nil
	if f.mcpURL != "" {
		opts.Remote = &console.Remote{URL: f.mcpURL, Token: f.mcpToken}
		return serveRemoteConsole(cmd, s, cfg, ln, opts, logger, f.db)
	}
	return serveLocalConsole(cmd, s, cfg, ln, opts, logger, f.db)
}

// serveLocalConsole serves the console beside MCP, reading clusters through
// this process's own kubemcp.
func serveLocalConsole(cmd *cobra.Command, s Streams, cfg config.Config, ln net.Listener, opts console.Options, logger *slog.Logger, dbPath string) error {
	ctx := cmd.Context()
	srv, stop, err := startServer(ctx, s, cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	opts.MCP, opts.Clusters, opts.Watches = srv.MCP, srv.Clusters, srv.watches
	if !opts.DevUser && cfg.CredentialsMode() == config.CredentialsServer {
		logger.Warn("console users all reach the clusters with kubemcp's own credential; with auth token or oidc (credentials impersonate) each reaches them as themselves, as the identity rules map them")
	}
	con, err := console.New(ctx, opts)
	if err != nil {
		return err
	}
	return serveMux(cmd, cfg, ln, srv, logger, func(scheme string) {
		base := scheme + "://" + ln.Addr().String()
		announce(s, cfg, logger, fmt.Sprintf("serving the console at %s/ and MCP at %[1]s%s (database %s)", base, transport.PathMCP, dbPath),
			"url", base+"/", "mcp", base+transport.PathMCP, "database", dbPath)
	}, con.Register)
}

// serveRemoteConsole serves the console alone, reading clusters through
// the kubemcp at --mcp-url (the separate-bridge deployment).
func serveRemoteConsole(cmd *cobra.Command, s Streams, cfg config.Config, ln net.Listener, opts console.Options, logger *slog.Logger, dbPath string) error {
	if opts.GitHub != nil || opts.OIDC != nil {
		logger.Warn("console users all reach the clusters as the caller of --mcp-token at --mcp-url, not as themselves")
	}
	con, err := console.New(cmd.Context(), opts)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	con.Register(mux)
	return serveHandler(cmd.Context(), cfg, ln, mux, logger, func(scheme string) {
		base := scheme + "://" + ln.Addr().String() + "/"
		announce(s, cfg, logger, fmt.Sprintf("serving the console at %s, reading clusters through %s (database %s)", base, opts.Remote.URL, dbPath),
			"url", base, "mcpURL", opts.Remote.URL, "database", dbPath)
	})
}

// consoleDeadline bounds a console stream: a few per-cluster timeouts, so a
// slow cluster is reported by kubemcp's own timeout before the stream gives
// up on it.
func consoleDeadline(cfg config.Config) time.Duration {
	return max(console.DefaultStreamDeadline, 3*cfg.ClusterTimeout)
}

func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// consoleSignIn is the sign-in part of the console's options: its
// providers and identity rules.
func consoleSignIn(cfg config.Config, f consoleFlags) (console.Options, error) {
	var opts console.Options
	rules, err := console.ParseRules(cfg.Console.IdentityRules)
	if err != nil {
		return opts, err
	}
	opts.Rules, opts.PublicURL = rules, cfg.PublicURL
	if f.githubID != "" {
		if f.githubSecret == "" {
			return opts, errors.New("github-client-id: also give the OAuth App's client secret (env GITHUB_CLIENT_SECRET)")
		}
		opts.GitHub = &console.GitHub{ClientID: f.githubID, ClientSecret: f.githubSecret, URL: f.githubURL, APIURL: f.githubAPIURL}
	}
	if f.oidcID != "" {
		if opts.OIDC, err = consoleOIDC(cfg, f); err != nil {
			return opts, err
		}
	}
	if (opts.GitHub != nil || opts.OIDC != nil) && cfg.CredentialsMode() == config.CredentialsPassthrough {
		return opts, errors.New("credentials passthrough: people signed in to the console have no Kubernetes token to pass through; use auth token or oidc (credentials impersonate)")
	}
	return opts, nil
}

// consoleOIDC is sign-in with the issuer of --oidc-issuer, verified as
// --auth oidc verifies tokens (claims, prefixes, CA), for the console's
// client ID.
func consoleOIDC(cfg config.Config, f consoleFlags) (*console.OIDC, error) {
	if cfg.OIDCIssuer == "" {
		return nil, errors.New("oidc-client-id: also set oidc-issuer, the issuer people sign in with")
	}
	hc, err := issuerClient(cfg.OIDCIssuerCA)
	if err != nil {
		return nil, err
	}
	v, err := identity.NewOIDC(identity.OIDCOptions{HTTPClient: hc, Issuer: cfg.OIDCIssuer, Audience: f.oidcID,
		UsernameClaim: cfg.OIDCUsernameClaim, UsernamePrefix: prefix(cfg.OIDCUsernamePrefix),
		GroupsClaim: cfg.OIDCGroupsClaim, GroupsPrefix: prefix(cfg.OIDCGroupsPrefix)})
	if err != nil {
		return nil, err
	}
	return &console.OIDC{ClientID: f.oidcID, ClientSecret: f.oidcSecret, Issuer: cfg.OIDCIssuer, Verifier: v,
		GroupsClaim: cfg.OIDCGroupsClaim, HTTPClient: hc}, nil
}
