// Package config holds kubemcp's settings: the YAML file type, its defaults, the
// KUBEMCP_* environment and command-line overlays, and validation.
//
// Precedence is defaults < file < environment < flags; a flag wins only when it was
// set. Every top-level scalar field is also an environment variable and a flag,
// derived from its json tag: `readOnly` is KUBEMCP_READ_ONLY and --read-only.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/render"
)

// Config is the whole of kubemcp's configuration.
type Config struct {
	Listen        string        `json:"listen,omitempty" help:"serve MCP over HTTP on this address (e.g. 127.0.0.1:8080) instead of stdio"`
	Kubeconfig    string        `json:"kubeconfig,omitempty" help:"path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)"`
	Context       string        `json:"context,omitempty" help:"kubeconfig context to use (default: the current context)"`
	LogLevel      string        `json:"logLevel,omitempty" help:"log level: debug, info, warn or error (logs go to stderr)"`
	ShutdownGrace time.Duration `json:"shutdownGrace,omitempty" help:"how long to let in-flight requests finish on SIGINT/SIGTERM"`
	SessionIdle   time.Duration `json:"sessionIdle,omitempty" help:"close an HTTP MCP session after this long without requests"`
	ClientQPS     float64       `json:"clientQPS,omitempty" help:"client-side request rate to each apiserver (the apiserver's own fairness limits beyond it)"`
	ClientBurst   int           `json:"clientBurst,omitempty" help:"client-side request burst to each apiserver"`

	ReadOnly           bool     `json:"readOnly,omitempty" help:"serve only read tools, and let only get, list and watch reach the cluster"`
	DisableDestructive bool     `json:"disableDestructive,omitempty" help:"hide tools that delete or overwrite"`
	Toolsets           []string `json:"toolsets,omitempty" help:"toolsets to serve, comma-separated (default: all)"`
	EnabledTools       []string `json:"enabledTools,omitempty" help:"serve only these tools, comma-separated"`
	DisabledTools      []string `json:"disabledTools,omitempty" help:"never serve these tools, comma-separated"`
	CLI                bool     `json:"cli,omitempty" help:"also serve the guarded CLI toolset (kubectl, helm, istioctl, argocd: those on PATH)"`
	OutputBudget       int      `json:"outputBudget,omitempty" help:"default cap on a tool's text answer in bytes; a call may set max_bytes"`
	AllowSecretReveal  bool     `json:"allowSecretReveal,omitempty" help:"let a call ask resources_get for a Secret's values (reveal_secret_values); off, such calls are refused"`
	AuditFile          string   `json:"auditFile,omitempty" help:"append a hash-chained JSON line per tool call to this file"`
	AuditStdout        bool     `json:"auditStdout,omitempty" help:"also write audit lines to stdout (HTTP only: over stdio, stdout carries MCP)"`

	// Policy holds deny and allow rules for Kubernetes requests (file only).
	Policy policy.Config `json:"policy,omitzero"`
}

// Default returns the configuration used when nothing else is said.
func Default() Config {
	return Config{
		LogLevel:      "info",
		ShutdownGrace: 10 * time.Second,
		SessionIdle:   30 * time.Minute,
		ClientQPS:     200,
		ClientBurst:   400,
		OutputBudget:  render.DefaultBudget,
	}
}

// LoadFile overlays the YAML file at path onto c. Unknown keys are errors that
// name the key, so a typo never silently falls back to a default.
func (c *Config) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading config file: %w", err)
	}
	if err := yaml.UnmarshalStrict(data, c); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
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
	if c.ShutdownGrace < 0 {
		errs = append(errs, fmt.Errorf("shutdownGrace %s: must not be negative", c.ShutdownGrace))
	}
	if c.SessionIdle <= 0 {
		errs = append(errs, fmt.Errorf("sessionIdle %s: must be positive", c.SessionIdle))
	}
	if c.ClientQPS <= 0 || c.ClientBurst <= 0 {
		errs = append(errs, fmt.Errorf("clientQPS %v and clientBurst %d: both must be positive", c.ClientQPS, c.ClientBurst))
	}
	if c.OutputBudget < 1024 || c.OutputBudget > render.MaxBudget {
		errs = append(errs, fmt.Errorf("outputBudget %d: want 1024 to %d bytes", c.OutputBudget, render.MaxBudget))
	}
	if c.AuditStdout && c.Listen == "" {
		errs = append(errs, errors.New("auditStdout: stdout carries MCP when serving over stdio; use auditFile, or serve HTTP with listen"))
	}
	errs = append(errs, c.Policy.Validate())
	return errors.Join(errs...)
}
