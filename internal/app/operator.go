package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/gateway"
	"github.com/kubemcp/kubemcp/internal/operator"
)

// operatorConfig is the MCPServer watch, as configured.
type operatorConfig struct {
	on        bool
	namespace string
	allowFwd  bool // allowMCPServerForwardAuthorization
	logger    *slog.Logger
}

// start attaches the MCPServers of the default cluster to gw until ctx
// ends, with kubemcp's own credential (status writes are kubemcp's
// bookkeeping, not a caller's request, so read-only mode does not stop them).
func (c operatorConfig) start(ctx context.Context, cl *clusters.Manager, gw *gateway.Gateway) error {
	if !c.on {
		return nil
	}
	client, _, err := cl.Server(cl.DefaultName())
	if err != nil {
		return err
	}
	ns := cmp.Or(c.namespace, os.Getenv("POD_NAMESPACE"), client.Namespace)
	host, _ := os.Hostname()
	op, err := operator.New(operator.Options{Config: client.OwnConfig(), Namespace: ns, LeaseNamespace: ns,
		Identity: fmt.Sprintf("%s_%d", cmp.Or(os.Getenv("POD_NAME"), host), os.Getpid()), Gateway: gw, AllowForwardAuthorization: c.allowFwd, Logger: c.logger})
	if err != nil {
		return err
	}
	if err := op.Start(ctx); err != nil {
		return fmt.Errorf("watchMCPServers: %w", err)
	}
	return nil
}
