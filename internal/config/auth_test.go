package config

import (
	"strings"
	"testing"
)

func TestAuthPairs(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		creds string
		want  string // in the error; "" for valid
	}{
		{"stdio as before", func(*Config) {}, CredentialsServer, ""},
		{"token impersonates", func(c *Config) { c.Auth, c.AuthTokenFile = AuthToken, "t.yaml" }, CredentialsImpersonate, ""},
		{"token with server credentials", func(c *Config) { c.Auth, c.AuthTokenFile, c.Credentials = AuthToken, "t.yaml", "server" }, CredentialsServer, ""},
		{"oidc impersonates", func(c *Config) {
			c.Auth, c.OIDCIssuer, c.PublicURL = AuthOIDC, "https://idp", "https://kubemcp.example.com"
		}, CredentialsImpersonate, ""},
		{"passthrough", func(c *Config) { c.Auth = AuthPassthrough }, CredentialsPassthrough, ""},
		{"oidc with passthrough", func(c *Config) {
			c.Auth, c.OIDCIssuer, c.OIDCAudience, c.Credentials = AuthOIDC, "https://idp", "kubemcp", "passthrough"
		}, CredentialsPassthrough, "MCP specification forbids"},
		{"token with passthrough", func(c *Config) { c.Auth, c.AuthTokenFile, c.Credentials = AuthToken, "t.yaml", "passthrough" }, CredentialsPassthrough, "not Kubernetes credentials"},
		{"passthrough auth impersonating", func(c *Config) { c.Auth, c.Credentials = AuthPassthrough, "impersonate" }, CredentialsImpersonate, "use credentials passthrough"},
		{"impersonate without auth", func(c *Config) { c.Credentials = "impersonate" }, CredentialsImpersonate, "no verified caller"},
		{"token without a file", func(c *Config) { c.Auth = AuthToken }, CredentialsImpersonate, "authTokenFile"},
		{"oidc without audience", func(c *Config) { c.Auth, c.OIDCIssuer = AuthOIDC, "https://idp" }, CredentialsImpersonate, "publicURL (or oidcAudience)"},
		{"unknown auth", func(c *Config) { c.Auth = "basic" }, CredentialsServer, `auth "basic"`},
		{"unknown credentials", func(c *Config) { c.Credentials = "root" }, "root", `credentials "root"`},
		{"bad public URL", func(c *Config) { c.Auth, c.PublicURL = AuthPassthrough, "kubemcp.example.com" }, CredentialsPassthrough, "publicURL"},
		{"negative limit", func(c *Config) { c.UserRate = -1 }, CredentialsServer, "must not be negative"},
		{"negative per-user cap", func(c *Config) { c.UserWatchers = -1 }, CredentialsServer, "userWatchers, userWatches: must not be negative (0 for no limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Listen = "0.0.0.0:8080"
			tt.edit(&c)
			if got := c.CredentialsMode(); got != tt.creds {
				t.Errorf("CredentialsMode = %q, want %q", got, tt.creds)
			}
			err := c.Validate()
			if tt.want == "" && err != nil {
				t.Errorf("valid config refused: %v", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestAuthIsForHTTP(t *testing.T) {
	c := Default()
	c.Auth = AuthPassthrough
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "over stdio") {
		t.Fatalf("auth over stdio: %v", err)
	}
}

func TestAudience(t *testing.T) {
	c := Default()
	c.PublicURL = "https://kubemcp.example.com/"
	if got := c.Audience(); got != "https://kubemcp.example.com/mcp" {
		t.Errorf("Audience = %q", got)
	}
	c.OIDCAudience = "kubemcp-client"
	if got := c.Audience(); got != "kubemcp-client" {
		t.Errorf("Audience = %q", got)
	}
}
