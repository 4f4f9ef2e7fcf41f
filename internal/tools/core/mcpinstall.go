package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Installer is the opt-in toolset "install": mcp_install, which applies an
// MCP server's objects as resources_apply does (the same dry run, diff and
// rollback). Opt-in, since few sessions install servers and every tool
// costs every session's context.
type Installer struct{ core *Core }

var (
	_ toolset.Toolset = (*Installer)(nil)
	_ toolset.OptIn   = (*Installer)(nil)
)

// NewInstaller returns the install toolset.
func NewInstaller(deps toolset.Deps) *Installer { return &Installer{core: New(deps)} }

// Name implements toolset.Toolset.
func (i *Installer) Name() string { return "install" }

// Description implements toolset.Toolset.
func (i *Installer) Description() string {
	return "mcp_install: install an MCP server of kubemcp's catalog (Argo CD's) into the cluster, served by kubemcp through an MCPServer object"
}

// Tools implements toolset.Toolset.
func (i *Installer) Tools() []toolset.Tool { return []toolset.Tool{i.core.mcpInstall().Fenced()} }

// OptIn implements toolset.OptIn.
func (i *Installer) OptIn() bool { return true }

// MCPInstallIn is an MCP server of the catalog to install into a namespace.
type MCPInstallIn struct {
	toolset.Target
	toolset.Approval
	Server    string `json:"server,omitempty" jsonschema:"catalog entry to install (default and for now the only one: argocd, the Argo CD MCP server)"`
	Namespace string `json:"namespace,omitempty" jsonschema:"namespace to install into, created if missing (default: argocd)"`
	MCPToken  string `json:"mcp_token" jsonschema:"the Argo CD API token the server calls Argo CD with; stored in a Secret, never shown"`
	ArgoCDURL string `json:"argocd_url,omitempty" jsonschema:"Argo CD's API server URL (default: https://argocd-server.<namespace>.svc)"`
	DryRun    bool   `json:"dry_run,omitempty" jsonschema:"only show what would be created or changed"`
}

func (c *Core) mcpInstall() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name: "mcp_install",
		Description: "Install an MCP server of kubemcp's catalog into the cluster (argocd: the Argo CD MCP server): its token Secret, ServiceAccount, a minimal Role, " +
			"Deployment (non-root, probes, limits), Service, NetworkPolicy and an MCPServer object, so that kubemcp serves its tools. Dry-run it first to see the plan.",
		Annotations: toolset.Writes("Install an MCP server", true, true),
	}, c.install)
}

func (c *Core) install(ctx context.Context, req *mcp.CallToolRequest, in MCPInstallIn) (string, ApplyOut, error) {
	if in.Server == "" {
		in.Server = "argocd"
	}
	if in.Namespace == "" {
		in.Namespace = "argocd"
	}
	server, err := checkInstall(in)
	if err != nil {
		return "", ApplyOut{Objects: []Applied{}}, err
	}
	manifest, err := server.manifest(in)
	if err != nil {
		return "", ApplyOut{Objects: []Applied{}}, err
	}
	text, out, err := c.apply(ctx, req, ApplyIn{Target: in.Target, Manifest: manifest, DryRun: in.DryRun})
	if err != nil && strings.Contains(err.Error(), "MCPServer") {
		err = fmt.Errorf("%w (MCPServer is kubemcp's CRD: install it from the kubemcp Helm chart's crds/ first)", err)
	}
	if err == nil && !in.DryRun {
		text += fmt.Sprintf("kubemcp serves its tools as %s__<tool> once it watches namespace %s for MCPServer objects (watchMCPServers, mcpServersNamespace).\n", in.Server, in.Namespace)
	}
	return text, out, err
}

// checkInstall finds the catalog entry and refuses what would not install.
func checkInstall(in MCPInstallIn) (catalogServer, error) {
	var errs []error
	server, ok := catalog[in.Server]
	if !ok {
		errs = append(errs, fmt.Errorf("server %q is not in kubemcp's catalog; it has: %s", in.Server, catalogNames()))
	}
	if msgs := validation.IsDNS1123Label(in.Namespace); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("namespace %q: %s", in.Namespace, strings.Join(msgs, "; ")))
	}
	if strings.TrimSpace(in.MCPToken) == "" {
		errs = append(errs, errors.New("mcp_token is empty: give the API token the server uses (for Argo CD: argocd account generate-token)"))
	}
	return server, errors.Join(errs...)
}
