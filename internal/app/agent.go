package app

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubemcp/kubemcp/internal/agent"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// agentFlags are the agent's own flags, beside kubemcp's config.
type agentFlags struct {
	port      int
	origins   string
	tokenFile string
}

func agentCommand(s Streams) *cobra.Command {
	var configPath string
	var f agentFlags
	flagged := config.Default()
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Serve the local agent for the console and coding agents: /ws and MCP at /mcp",
		Long: "Serve the local agent on 127.0.0.1:8585 (--port; --listen for another address): a WebSocket at /ws " +
			"answering health, clusters and kubectl messages (kubectl through kubemcp's guarded CLI tool; a command that may " +
			"change the cluster is previewed first and runs only when sent again with confirmed: true), and MCP at /mcp.\n\n" +
			"Browser pages may connect only from localhost origins and those of --allowed-origins (or KC_ALLOWED_ORIGINS). " +
			"With --token-file every request must present that token; without one the agent listens only on loopback.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath, cmd)
			if err != nil {
				return err
			}
			return serveAgent(cmd, s, cfg, f)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "YAML config file (env KUBEMCP_CONFIG)")
	cmd.Flags().IntVar(&f.port, "port", agent.DefaultPort, "port to listen on at 127.0.0.1")
	cmd.Flags().StringVar(&f.origins, "allowed-origins", "", "browser origins allowed beside localhost ones, comma-separated, e.g. https://console.example.com (env KC_ALLOWED_ORIGINS)")
	cmd.Flags().StringVar(&f.tokenFile, "token-file", "", "file holding a shared token every request must present (bearer, or ?token= on /ws); required to listen beyond loopback")
	config.Bind(cmd.Flags(), &flagged)
	return cmd
}

func serveAgent(cmd *cobra.Command, s Streams, cfg config.Config, f agentFlags) error {
	ctx := cmd.Context()
	if cfg.Authenticated() {
		// Its callers carry no identity to act as: every call would be refused.
		return fmt.Errorf("auth %s: the agent signs no one in; --token-file is its authentication, and it reaches the clusters with kubemcp's own credentials", cfg.Auth)
	}
	origins, err := agent.ParseOrigins(cmp.Or(f.origins, os.Getenv("KC_ALLOWED_ORIGINS")))
	if err != nil {
		return err
	}
	token, err := readToken(f.tokenFile)
	if err != nil {
		return err
	}
	cfg.Listen = cmp.Or(cfg.Listen, net.JoinHostPort("127.0.0.1", strconv.Itoa(f.port)))
	cfg.CLI = true // kubectl requests run through the guarded kubectl tool
	logger := newLogger(s, cfg)
	ln, err := transport.Listen(cfg.Listen, transport.ListenOptions{Authenticated: token != ""})
	if err != nil {
		return fmt.Errorf("%w (the agent's --token-file is its authentication)", err)
	}
	defer ln.Close()
	srv, stop, err := startServer(ctx, s, cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	mcpMux := transport.Mux(srv.MCP, transport.HTTPOptions{Ready: srv.Clusters.Ready, SessionIdle: cfg.SessionIdle, Logger: logger, Metrics: srv.Metrics})
	a := agent.New(agent.Options{MCP: srv.MCP, MCPHandler: mcpMux, AllowedOrigins: origins, Token: token, Version: Version(), Logger: logger})
	return serveHandler(ctx, cfg, ln, a.Handler(), logger, func(scheme string) {
		// Tests and scripts read this line to learn the port of --port 0.
		ws := strings.Replace(scheme, "http", "ws", 1) + "://" + ln.Addr().String() + agent.PathWS
		mcpURL := scheme + "://" + ln.Addr().String() + transport.PathMCP
		announce(s, cfg, logger, fmt.Sprintf("agent serving %s and MCP at %s (cluster %q)", ws, mcpURL, srv.Clusters.DefaultName()),
			"url", ws, "mcp", mcpURL, "cluster", srv.Clusters.DefaultName())
	})
}

// readToken reads the agent's shared token; no file, no token.
func readToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading --token-file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("--token-file %s is empty; put a long random token in it (e.g. openssl rand -hex 32 > %[1]s)", path)
	}
	return token, nil
}
