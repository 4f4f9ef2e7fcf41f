package config

import (
	"strings"
	"testing"
)

// TestValidateServing: stdio beside listen and connect URLs are checked
// before serving, each refusal saying what to change.
func TestValidateServing(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Config)
		want string // "" for valid
	}{
		{"stdio beside listen", func(c *Config) { c.Stdio, c.Listen = true, "127.0.0.1:1" }, ""},
		{"connect alone, with a token", func(c *Config) { c.Connect, c.ConnectTokenFile = []string{"wss://hub.example.com/mcp"}, "t" }, ""},
		{"stdio with impersonation", func(c *Config) {
			c.Stdio, c.Listen, c.Auth, c.AuthTokenFile = true, "127.0.0.1:1", AuthToken, "f"
		}, "no verified caller"},
		{"audit on stdout beside stdio", func(c *Config) { c.Stdio, c.Listen, c.AuditStdout = true, "127.0.0.1:1", true }, "stdout carries MCP"},
		{"audit on stdout with connect alone", func(c *Config) { c.Connect, c.AuditStdout = []string{"ws://127.0.0.1:1/"}, true }, ""},
		{"not a WebSocket URL", func(c *Config) { c.Connect = []string{"https://hub.example.com/mcp"} }, "want a WebSocket URL"},
		{"token in the clear", func(c *Config) { c.Connect, c.ConnectTokenEnv = []string{"ws://hub.example.com/mcp"}, "T" }, "in the clear"},
		{"token in the clear on loopback", func(c *Config) { c.Connect, c.ConnectTokenEnv = []string{"ws://127.0.0.1:9/mcp"}, "T" }, ""},
		{"two token sources", func(c *Config) {
			c.Connect, c.ConnectTokenEnv, c.ConnectTokenFile = []string{"wss://h/"}, "T", "f"
		}, "give one, not both"},
		{"TLS options without wss", func(c *Config) { c.Connect, c.ConnectInsecure = []string{"ws://127.0.0.1:9/"}, true }, "for wss://"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.set(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
