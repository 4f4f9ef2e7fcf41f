package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// serveTransports serves srv over every transport configured at once: HTTP
// on ln (when listening), stdio, and a dialled WebSocket per connect URL.
// When one ends they all end: stdin closing means the client that started
// kubemcp has gone, and a listener that fails leaves a server half there.
func serveTransports(cmd *cobra.Command, s Streams, cfg config.Config, ln net.Listener, srv *Server, logger *slog.Logger) error {
	var runs []func(context.Context) error
	if ln != nil {
		runs = append(runs, func(ctx context.Context) error {
			cmd.SetContext(ctx)
			return serveHTTP(cmd, s, cfg, ln, srv, logger)
		})
	}
	if cfg.StdioServed() {
		runs = append(runs, func(ctx context.Context) error {
			logger.Info("serving MCP over stdio", "cluster", srv.Clusters.DefaultName())
			return transport.ServeStdio(ctx, srv.MCP, s.In, s.Out)
		})
	}
	if len(cfg.Connect) > 0 {
		opts, err := connectOptions(cfg, logger)
		if err != nil {
			return err
		}
		for _, url := range cfg.Connect {
			runs = append(runs, func(ctx context.Context) error {
				transport.Connect(ctx, srv.MCP, url, opts)
				return nil
			})
		}
	}
	return untilOneEnds(cmd.Context(), runs)
}

// untilOneEnds runs every run at once, ends them all when one returns, and
// returns their errors.
func untilOneEnds(ctx context.Context, runs []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(runs))
	for _, run := range runs {
		go func() {
			errs <- run(ctx)
			cancel()
		}()
	}
	var all []error
	for range runs {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// connectOptions are the bearer and TLS settings for the connect URLs; the
// CA file is read once, here, so a bad one stops kubemcp from starting.
func connectOptions(cfg config.Config, logger *slog.Logger) (transport.ConnectOptions, error) {
	opts := transport.ConnectOptions{Logger: logger, Token: connectToken(cfg)}
	if cfg.ConnectCA == "" && !cfg.ConnectInsecure {
		return opts, nil
	}
	opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.ConnectInsecure}
	if cfg.ConnectInsecure {
		logger.Warn("connectInsecure: the certificates of wss:// connect URLs are not verified; anyone on the path can take the session")
	}
	if cfg.ConnectCA != "" {
		pool, err := config.CAPool(cfg.ConnectCA)
		if err != nil {
			return opts, fmt.Errorf("connectCA: %w", err)
		}
		opts.TLS.RootCAs = pool
	}
	return opts, nil
}

// connectToken reads the bearer at every dial, from the file or the
// environment variable configured; nil when neither is.
func connectToken(cfg config.Config) func() (string, error) {
	switch {
	case cfg.ConnectTokenFile != "":
		return func() (string, error) {
			b, err := os.ReadFile(cfg.ConnectTokenFile)
			if err != nil {
				return "", fmt.Errorf("connectTokenFile: %w", err)
			}
			return nonEmpty(strings.TrimSpace(string(b)), "connectTokenFile "+cfg.ConnectTokenFile)
		}
	case cfg.ConnectTokenEnv != "":
		return func() (string, error) {
			return nonEmpty(os.Getenv(cfg.ConnectTokenEnv), "connectTokenEnv: the variable "+cfg.ConnectTokenEnv)
		}
	}
	return nil
}

func nonEmpty(token, what string) (string, error) {
	if token == "" {
		return "", fmt.Errorf("%s holds no token; put the hub's bearer token in it", what)
	}
	return token, nil
}
