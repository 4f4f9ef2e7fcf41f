// Package cli is the guarded command-line toolset (opt-in): kubectl, helm,
// istioctl and argocd, each a tool taking an argv array (never a shell
// string), validated against per-tool rules before it runs, optionally piped
// through allowlisted text tools. Cluster traffic goes through a kubemcp proxy
// (kube.Proxy) so read-only mode and deny rules hold for whatever runs.
package cli

import (
	"fmt"
	"os/exec"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Options configure the toolset.
type Options struct {
	ReadOnly bool
	// StateDir is HOME for the commands (helm repositories, kubectl's
	// discovery cache); empty means a fresh temporary folder per call.
	StateDir string
	// LookPath finds binaries; nil means exec.LookPath.
	LookPath func(string) (string, error)
}

// CLI is the toolset.
type CLI struct {
	deps  toolset.Deps
	opts  Options
	tools []cliTool
}

var (
	_ toolset.Toolset = (*CLI)(nil)
	_ toolset.OptIn   = (*CLI)(nil)
)

// cliTool is one command-line program kubemcp can run.
type cliTool struct {
	name  string
	path  string
	rules rules
	about string
	// kube reports whether the program talks to Kubernetes (and so gets the
	// proxy's kubeconfig); argocd talks to its own server.
	kube bool
}

var known = []cliTool{
	{name: "kubectl", rules: kubectlRules, kube: true, about: "Kubernetes' own CLI"},
	{name: "helm", rules: helmRules, kube: true, about: "the Helm package manager"},
	{name: "istioctl", rules: istioctlRules, kube: true, about: "the Istio CLI"},
	{name: "argocd", rules: argocdRules, about: "the Argo CD CLI, logged in on this host"},
}

// New finds which of the known programs are on PATH; only those become tools.
func New(deps toolset.Deps, opts Options) *CLI {
	look := opts.LookPath
	if look == nil {
		look = exec.LookPath
	}
	c := &CLI{deps: deps, opts: opts}
	for _, t := range known {
		if p, err := look(t.name); err == nil {
			t.path = p
			c.tools = append(c.tools, t)
		}
	}
	return c
}

// Name implements toolset.Toolset.
func (c *CLI) Name() string { return "cli" }

// Description implements toolset.Toolset.
func (c *CLI) Description() string {
	return "guarded kubectl, helm, istioctl and argocd (opt-in; only those on PATH)"
}

// OptIn implements toolset.OptIn: the CLI toolset is served only when asked for.
func (c *CLI) OptIn() bool { return true }

// Tools implements toolset.Toolset.
func (c *CLI) Tools() []toolset.Tool {
	out := make([]toolset.Tool, 0, len(c.tools))
	for _, t := range c.tools {
		out = append(out, toolset.New(mcp.Tool{
			Name:        t.name,
			Description: c.describe(t),
			Annotations: c.annotations(t),
		}, c.runner(t)))
	}
	return out
}

func (c *CLI) describe(t cliTool) string {
	mode := ""
	if c.opts.ReadOnly {
		mode = " read-only"
	}
	return fmt.Sprintf("Run %s (%s) from an argv array, no shell: allowlisted%s subcommands only (a refusal lists them); "+
		"the context is an argument, not a flag.", t.name, t.about, mode)
}

func (c *CLI) annotations(t cliTool) *mcp.ToolAnnotations {
	if c.opts.ReadOnly {
		return toolset.ReadOnly("Run " + t.name)
	}
	return toolset.Writes("Run "+t.name, true, false)
}
