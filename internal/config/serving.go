package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// StdioServed reports whether kubemcp serves MCP over stdin and stdout: when
// asked to, or when it serves nothing else.
func (c *Config) StdioServed() bool { return c.Stdio || (c.Listen == "" && len(c.Connect) == 0) }

// validateServing checks stdio beside the other transports and the connect
// URLs with their credentials and TLS options.
func (c *Config) validateServing() []error {
	var errs []error
	if (c.Stdio || len(c.Connect) > 0) && c.CredentialsMode() != CredentialsServer {
		// Neither carries a verified caller to impersonate or pass through:
		// every call would be refused (clusters.ErrNoIdentity).
		errs = append(errs, fmt.Errorf("stdio and connect serve with kubemcp's own credentials, and credentials is %s: their sessions have no verified caller to act as; serve them from a separate kubemcp with credentials server", c.CredentialsMode()))
	}
	if c.AuditStdout && c.StdioServed() {
		errs = append(errs, errors.New("auditStdout: stdout carries MCP when serving over stdio; use auditFile, or serve only HTTP (listen) or connect"))
	}
	if c.ConnectTokenFile != "" && c.ConnectTokenEnv != "" {
		errs = append(errs, errors.New("connectTokenFile and connectTokenEnv: give one, not both"))
	}
	secure := false
	for _, raw := range c.Connect {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			errs = append(errs, fmt.Errorf("connect %q: want a WebSocket URL, e.g. wss://hub.example.com/mcp", raw))
			continue
		}
		secure = secure || u.Scheme == "wss"
		if u.Scheme == "ws" && c.connectToken() && !loopbackHost(u.Hostname()) {
			errs = append(errs, fmt.Errorf("connect %q: ws:// would send the bearer token in the clear beyond this machine; use wss://", raw))
		}
	}
	if (c.ConnectCA != "" || c.ConnectInsecure) && !secure {
		errs = append(errs, errors.New("connectCA, connectInsecure: these are for wss:// connect URLs; give one, or drop them"))
	}
	return errs
}

func (c *Config) connectToken() bool { return c.ConnectTokenFile != "" || c.ConnectTokenEnv != "" }

func loopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
}
