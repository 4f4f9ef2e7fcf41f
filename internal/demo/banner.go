package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Info is what the banner tells a user about the running demo.
type Info struct {
	Endpoint   string // MCP streamable HTTP URL
	Kubeconfig string // admin kubeconfig of the demo cluster
	Binary     string // absolute path of the kubemcp binary (for stdio clients)
	Console    string // the web console's address; empty when none runs
	Server     string // kube-apiserver URL
}

// clientConfig is a ready-to-paste snippet for one MCP client: a shell
// command or the JSON to merge into the named file.
type clientConfig struct {
	Client  string
	Where   string // file to merge JSON into, or "" for a command
	Snippet string
}

func clientConfigs(in Info) []clientConfig {
	stdio := stdioServer{Command: in.Binary, Args: []string{"serve", "--kubeconfig", in.Kubeconfig}}
	return []clientConfig{
		{Client: "Claude Code", Snippet: "claude mcp add --transport http kubemcp " + in.Endpoint},
		{Client: "Claude Desktop (stdio)",
			Where:   "claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\)",
			Snippet: toJSON(map[string]any{"mcpServers": map[string]any{"kubemcp": stdio}})},
		{Client: "VS Code", Where: ".vscode/mcp.json",
			Snippet: toJSON(map[string]any{"servers": map[string]any{"kubemcp": map[string]any{"type": "http", "url": in.Endpoint}}})},
		{Client: "Cursor", Where: "~/.cursor/mcp.json",
			Snippet: toJSON(map[string]any{"mcpServers": map[string]any{"kubemcp": map[string]any{"url": in.Endpoint}}})},
		{Client: "Gemini CLI", Where: "~/.gemini/settings.json",
			Snippet: toJSON(map[string]any{"mcpServers": map[string]any{"kubemcp": map[string]any{"httpUrl": in.Endpoint}}})},
	}
}

// stdioServer is an MCP client's entry for a server it starts itself; a
// struct so that "command" prints before "args".
type stdioServer struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

func toJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return string(b)
}

// PrintBanner tells the user where kubemcp and the cluster are and how to
// connect each MCP client.
func PrintBanner(w io.Writer, in Info) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nkubemcp is serving a seeded demo cluster.\n\n")
	fmt.Fprintf(&b, "  MCP endpoint:  %s\n", in.Endpoint)
	if in.Console != "" {
		fmt.Fprintf(&b, "  Console:       %s (signed in as the local dev user)\n", in.Console)
	}
	fmt.Fprintf(&b, "  API server:    %s\n", in.Server)
	fmt.Fprintf(&b, "  Kubeconfig:    %s\n", in.Kubeconfig)
	fmt.Fprintf(&b, "                 e.g. KUBECONFIG=%s kubectl get pods -A\n", in.Kubeconfig)
	for _, c := range clientConfigs(in) {
		fmt.Fprintf(&b, "\n%s", c.Client)
		if c.Where != "" {
			fmt.Fprintf(&b, " - merge into %s", c.Where)
		}
		fmt.Fprintf(&b, ":\n%s\n", c.Snippet)
	}
	fmt.Fprintf(&b, "\nPress Ctrl-C to stop; everything started here stops with it.\n")
	_, _ = io.WriteString(w, b.String())
}
