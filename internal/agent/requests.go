package agent

import (
	"context"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/tools/cli"
)

// Health is the answer to health.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
	// Kubectl says whether kubectl requests can run: the guarded kubectl
	// tool exists only when kubectl is on the agent's PATH.
	Kubectl bool `json:"kubectl"`
}

func (c *conn) health(ctx context.Context, m Message) error {
	c.answer(m, TypeResult, Health{Status: "ok", Version: c.agent.opts.Version, Kubectl: c.kubectlOK})
	return nil
}

// clusters answers with what clusters_list says: each cluster's name,
// server, reachability and version.
func (c *conn) clusters(ctx context.Context, m Message) error {
	res, err := c.session.CallTool(ctx, &mcp.CallToolParams{Name: "clusters_list", Arguments: struct{}{}})
	if err != nil {
		return err
	}
	if res.IsError || res.StructuredContent == nil {
		return &requestError{"tool_error", "clusters_list: " + mcpserver.ResultText(res)}
	}
	c.answer(m, TypeResult, res.StructuredContent)
	return nil
}

// decodeTool reads a tool result's structured content into out.
func decodeTool(res *mcp.CallToolResult, out any) error {
	if res.StructuredContent == nil {
		return &requestError{"tool_error", mcpserver.ResultText(res)}
	}
	return mcpserver.Decode(res, out)
}

// dryRuns are the kubectl subcommands that take --dry-run=server: their
// preview is what the apiserver says it would do.
var dryRuns = []string{"apply", "create", "replace", "patch", "label", "annotate", "scale", "autoscale", "set", "taint",
	"cordon", "uncordon", "drain", "delete", "expose", "run", "rollout"}

func dryRunnable(args []string) bool {
	if len(args) == 0 || !slices.Contains(dryRuns, args[0]) {
		return false
	}
	return args[0] != "rollout" || len(args) > 1 && args[1] == "undo"
}

// command is how a kubectl request is shown to the person confirming it.
func (k KubectlRequest) command() string {
	s := "kubectl " + strings.Join(k.Args, " ")
	if k.Namespace != "" {
		s += " (namespace " + k.Namespace + ")"
	}
	if k.Context != "" {
		s += " (context " + k.Context + ")"
	}
	return s
}

func (c *conn) runTool(ctx context.Context, k KubectlRequest) (cli.Result, error) {
	res, err := c.session.CallTool(ctx, &mcp.CallToolParams{Name: "kubectl", Arguments: cli.In{
		Args: k.Args, Namespace: k.Namespace, Context: k.Context, Stdin: k.Stdin}})
	if err != nil {
		return cli.Result{}, err
	}
	var out cli.Result
	if err := decodeTool(res, &out); err != nil {
		return out, err
	}
	if out.Status != "success" {
		msg := mcpserver.ResultText(res)
		code := "EXECUTION_ERROR"
		if out.Error != nil {
			code = out.Error.Code
		}
		return out, &requestError{code, msg}
	}
	return out, nil
}

// hasKubectl reports whether cs is offered the guarded kubectl tool.
func hasKubectl(ctx context.Context, cs *mcp.ClientSession) (bool, error) {
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return false, err
		}
		if t.Name == "kubectl" {
			return true, nil
		}
	}
	return false, nil
}
