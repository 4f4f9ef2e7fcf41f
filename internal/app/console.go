package app

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/console"
	"github.com/kubemcp/kubemcp/internal/store"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// defaultConsoleListen is where the console listens without --listen.
const defaultConsoleListen = "127.0.0.1:8080"

func consoleCommand(s Streams) *cobra.Command {
	var configPath, dbPath string
	var aiFlags consoleAI
	flagged := config.Default()
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Serve the web console, its API and MCP on one HTTP listener",
		Long: "Serve the web console at /, its API under /api/, and MCP at /mcp (as `kubemcp serve --listen` does), " +
			"on --listen (default " + defaultConsoleListen + "). The console reads clusters through kubemcp's own tools.\n\n" +
			"With no sign-in provider, and listening on loopback, the console signs in a local dev user.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath, cmd)
			if err != nil {
				return err
			}
			cfg.Listen = cmp.Or(cfg.Listen, defaultConsoleListen)
			return serveConsole(cmd, s, cfg, cmp.Or(dbPath, os.Getenv("DATABASE_PATH"), store.DefaultPath), aiFlags)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "YAML config file (env KUBEMCP_CONFIG)")
	cmd.Flags().StringVar(&dbPath, "db", "", "the console's SQLite database, created with its directories if missing (env DATABASE_PATH; default "+store.DefaultPath+")")
	aiFlags.bind(cmd)
	config.Bind(cmd.Flags(), &flagged)
	return cmd
}

// consoleAI is the console's AI provider and defaults, from flags.
type consoleAI struct {
	provider   ai.Provider
	mode       string
	tokenLimit int64
}

func (a *consoleAI) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.provider.Name, "ai-provider", "openai", "a name for the AI provider, shown in errors")
	f.StringVar(&a.provider.BaseURL, "ai-base-url", "", "base URL of an OpenAI-compatible chat-completions API, e.g. https://api.openai.com/v1; empty: no AI")
	f.StringVar(&a.provider.Model, "ai-model", "", "the model to ask, e.g. gpt-4.1-mini")
	f.StringVar(&a.provider.KeyEnv, "ai-api-key-env", "", "environment variable holding the provider's API key (default OPENAI_API_KEY unless --ai-api-key-file)")
	f.StringVar(&a.provider.KeyFile, "ai-api-key-file", "", "file holding the provider's API key")
	f.StringVar(&a.mode, "ai-mode", "low", "AI mode of users who have not chosen one: low (only when asked), medium or high")
	f.Int64Var(&a.tokenLimit, "ai-token-limit", 0, "tokens a user may spend a day (UTC) unless their settings say; 0: no limit")
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

func serveConsole(cmd *cobra.Command, s Streams, cfg config.Config, dbPath string, aiFlags consoleAI) error {
	ctx := cmd.Context()
	logger := newLogger(s, cfg.LogLevel)
	ln, err := transport.Listen(cfg.Listen, transport.ListenOptions{Authenticated: cfg.Authenticated()})
	if err != nil {
		return err
	}
	defer ln.Close()
	auditLog, err := openAudit(cfg, s)
	if err != nil {
		return err
	}
	if auditLog != nil {
		defer auditLog.Close()
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := NewServer(cfg, auditLog, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Start(ctx); err != nil { // upstream tools, as `serve` has them
		return err
	}
	if cfg.KubeconfigPoll > 0 {
		go srv.Clusters.Watch(ctx, cfg.KubeconfigPoll)
	}
	model, err := aiFlags.client()
	if err != nil {
		return err
	}
	con, err := console.New(console.Options{Store: db, MCP: srv.MCP, Clusters: srv.Clusters, Logger: logger,
		AI: model, AIMode: aiFlags.mode, TokenLimit: aiFlags.tokenLimit,
		StreamDeadline: consoleDeadline(cfg), DevUser: cfg.Auth == config.AuthNone && isLoopback(ln.Addr())})
	if err != nil {
		return err
	}
	return serveMux(cmd, cfg, ln, srv, logger, func(scheme string) {
		// Tests and scripts read this line to learn the port of --listen 127.0.0.1:0.
		fmt.Fprintf(s.Err, "kubemcp: serving the console at %s://%s/ and MCP at %[1]s://%[2]s%[3]s (database %[4]s)\n",
			scheme, ln.Addr(), transport.PathMCP, dbPath)
	}, con.Register)
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
