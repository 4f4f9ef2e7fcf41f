package app

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// httpAuth builds what guards the HTTP transports: the bearer check (nil with
// auth none) and, for OIDC, the protected-resource metadata that tells MCP
// clients where to get a token.
func httpAuth(cfg config.Config, cl *clusters.Manager) (func(http.Handler) http.Handler, *oauthex.ProtectedResourceMetadata, error) {
	var a identity.Authenticator
	var md *oauthex.ProtectedResourceMetadata
	switch cfg.Auth {
	case config.AuthToken:
		toks, err := identity.LoadTokens(cfg.AuthTokenFile)
		if err != nil {
			return nil, nil, err
		}
		a = toks
	case config.AuthPassthrough:
		a = &identity.Passthrough{Review: cl.Review}
	case config.AuthOIDC:
		hc, err := issuerClient(cfg.OIDCIssuerCA)
		if err != nil {
			return nil, nil, err
		}
		o, err := identity.NewOIDC(identity.OIDCOptions{
			HTTPClient:     hc,
			Issuer:         cfg.OIDCIssuer,
			Audience:       cfg.Audience(),
			UsernameClaim:  cfg.OIDCUsernameClaim,
			UsernamePrefix: prefix(cfg.OIDCUsernamePrefix),
			GroupsClaim:    cfg.OIDCGroupsClaim,
			GroupsPrefix:   prefix(cfg.OIDCGroupsPrefix),
		})
		if err != nil {
			return nil, nil, err
		}
		a = o
		md = &oauthex.ProtectedResourceMetadata{
			Resource:               cfg.Audience(),
			AuthorizationServers:   []string{cfg.OIDCIssuer},
			ScopesSupported:        cfg.OIDCScopes,
			BearerMethodsSupported: []string{"header"},
			ResourceName:           "kubemcp",
		}
	default:
		return nil, nil, nil
	}
	opts := identity.HTTPOptions{}
	if md != nil && cfg.PublicURL != "" {
		opts.ResourceMetadataURL = strings.TrimSuffix(cfg.PublicURL, "/") + transport.PathResourceMetadata + transport.PathMCP
	}
	return identity.Middleware(a, opts), md, nil
}

// issuerClient trusts the CAs in caFile, or the system's when it is empty.
func issuerClient(caFile string) (*http.Client, error) {
	if caFile == "" {
		return http.DefaultClient, nil
	}
	pool, err := config.CAPool(caFile)
	if err != nil {
		return nil, fmt.Errorf("oidcIssuerCA: %w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

// prefix reads an OIDC prefix setting, where "-" means none.
func prefix(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// clusterCache maps the cache settings, where 0 means off, onto clusters',
// where 0 means the default and a negative value off.
func clusterCache(cfg config.Config) (int, time.Duration) {
	size, ttl := cfg.ClientCacheSize, cfg.ClientCacheTTL
	if size == 0 || ttl == 0 {
		return -1, -1
	}
	return size, ttl
}

// limiter is the fairness the configuration asks for: per address always,
// per user only when callers authenticate, as that is when they are told
// apart.
func limiter(cfg config.Config) *identity.Limiter {
	if !cfg.Authenticated() {
		return identity.NewLimiter(identity.Limits{AddressSessions: cfg.AddressSessions})
	}
	return identity.NewLimiter(identity.Limits{Rate: cfg.UserRate, Burst: cfg.UserBurst, Concurrency: cfg.UserConcurrency, Sessions: cfg.UserSessions,
		AddressSessions: cfg.AddressSessions})
}

// unbounded maps a per-user setting, where 0 means no limit, onto the
// options of tracker and resources, where 0 means the default and a negative
// value no limit.
func unbounded(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
