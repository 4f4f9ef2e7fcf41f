package identity

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/identity/oidctest"
)

const audience = "https://kubemcp.example.com/mcp"

// serveOIDC puts a verified-identity echo behind Middleware with a real issuer.
func serveOIDC(t *testing.T, iss *oidctest.Issuer, opts OIDCOptions) string {
	t.Helper()
	opts.Issuer, opts.Audience, opts.HTTPClient = iss.URL, audience, iss.Client
	o, err := NewOIDC(opts)
	if err != nil {
		t.Fatal(err)
	}
	return serveEcho(t, o, HTTPOptions{ResourceMetadataURL: "https://kubemcp.example.com/.well-known/oauth-protected-resource/mcp"})
}

// serveEcho answers each authenticated request with the identity's String.
func serveEcho(t *testing.T, a Authenticator, opts HTTPOptions) string {
	t.Helper()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, FromContext(r.Context()).String()) })
	srv := httptest.NewServer(Middleware(a, opts)(echo))
	t.Cleanup(srv.Close)
	return srv.URL
}

type reply struct {
	code          int
	body, wwwAuth string
}

func send(t *testing.T, url, token string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, strings.TrimSpace(string(body)), resp.Header.Get("WWW-Authenticate")}
}

func TestOIDCRefusesBadTokens(t *testing.T) {
	iss := oidctest.New(t)
	url := serveOIDC(t, iss, OIDCOptions{UsernamePrefix: "oidc:", GroupsPrefix: "oidc:"})
	stranger := oidctest.NewKey(t, "key-1") // same kid as the real key, other key
	unknown := oidctest.NewKey(t, "never-published")
	now := time.Now()
	good := map[string]any{"sub": "alice", "aud": audience, "groups": []string{"team-a"}}
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for ck, cv := range good {
			c[ck] = cv
		}
		c[k] = v
		return c
	}
	tests := []struct {
		name  string
		token string
		why   string
	}{
		{"no token", "", "no bearer token"},
		{"not a JWT", "opaque-token", "malformed"},
		{"expired", iss.Token(t, with("exp", now.Add(-time.Minute).Unix())), "expired"},
		{"not yet valid", iss.Token(t, with("nbf", now.Add(time.Hour).Unix())), "nbf"},
		{"wrong audience", iss.Token(t, with("aud", "https://other.example.com/mcp")), "audience"},
		{"wrong issuer", iss.Token(t, with("iss", "https://evil.example.com")), "issued by a different provider"},
		{"wrong signature", iss.Sign(t, stranger, good), "signature"},
		{"unknown kid", iss.Sign(t, unknown, good), "signature"},
		{"no username", iss.Token(t, with("sub", "")), `no "sub" claim`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, url, tt.token)
			if got.code != http.StatusUnauthorized || !strings.Contains(got.body, tt.why) {
				t.Errorf("got %d %q, want 401 saying %q", got.code, got.body, tt.why)
			}
			if want := `Bearer resource_metadata="https://kubemcp.example.com/.well-known/oauth-protected-resource/mcp"`; got.wwwAuth != want {
				t.Errorf("WWW-Authenticate %q, want %q", got.wwwAuth, want)
			}
			if tt.token != "" && strings.Contains(got.body, tt.token) {
				t.Error("the 401 quotes the token")
			}
		})
	}
	if got := send(t, url, iss.Token(t, good)); got.code != http.StatusOK || got.body != "oidc:alice (groups oidc:team-a)" {
		t.Fatalf("good token: %d %q", got.code, got.body)
	}
}

// TestOIDCPicksUpRotatedKey: a token signed by a key the cached JWKS does not
// have makes kubemcp fetch the JWKS again, once, and accept it.
func TestOIDCPicksUpRotatedKey(t *testing.T) {
	iss := oidctest.New(t)
	url := serveOIDC(t, iss, OIDCOptions{})
	claims := map[string]any{"sub": "alice", "aud": audience}
	for range 3 {
		if got := send(t, url, iss.Token(t, claims)); got.code != http.StatusOK {
			t.Fatalf("before rotation: %d %s", got.code, got.body)
		}
	}
	if n := iss.JWKSFetches.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times for three tokens of one key, want once (cached)", n)
	}
	old := iss.Token(t, claims)
	iss.Rotate(t, "key-2")
	if got := send(t, url, iss.Token(t, claims)); got.code != http.StatusOK {
		t.Fatalf("token of the rotated key: %d %s", got.code, got.body)
	}
	if n := iss.JWKSFetches.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (once more for the new kid)", n)
	}
	if got := send(t, url, old); got.code != http.StatusUnauthorized {
		t.Fatalf("token of the retired key: %d, want 401", got.code)
	}
}

func TestOIDCClaims(t *testing.T) {
	iss := oidctest.New(t)
	tests := []struct {
		name   string
		opts   OIDCOptions
		claims map[string]any
		code   int
		want   string
	}{
		{"sub and groups list", OIDCOptions{}, map[string]any{"sub": "u1", "groups": []string{"a", "b"}}, 200, "u1 (groups a, b)"},
		{"groups as one string", OIDCOptions{}, map[string]any{"sub": "u1", "groups": "a"}, 200, "u1 (groups a)"},
		{"email claim, prefixes", OIDCOptions{UsernameClaim: "email", UsernamePrefix: "corp:", GroupsClaim: "roles", GroupsPrefix: "corp:"},
			map[string]any{"email": "al@example.com", "email_verified": true, "roles": []string{"dev"}}, 200, "corp:al@example.com (groups corp:dev)"},
		{"unverified email", OIDCOptions{UsernameClaim: "email"}, map[string]any{"email": "al@example.com", "email_verified": false}, 401, "not verified"},
		{"system user", OIDCOptions{}, map[string]any{"sub": "system:admin"}, 401, "reserves"},
		{"system group", OIDCOptions{}, map[string]any{"sub": "u1", "groups": []string{"system:masters"}}, 401, "reserves"},
		{"system group behind a prefix", OIDCOptions{GroupsPrefix: "oidc:"}, map[string]any{"sub": "u1", "groups": []string{"system:masters"}}, 200, "u1 (groups oidc:system:masters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serveOIDC(t, iss, tt.opts)
			tt.claims["aud"] = audience
			got := send(t, url, iss.Token(t, tt.claims))
			if got.code != tt.code || !strings.Contains(got.body, tt.want) {
				t.Errorf("got %d %q, want %d %q", got.code, got.body, tt.code, tt.want)
			}
		})
	}
}

func TestOIDCIssuerDown(t *testing.T) {
	o, err := NewOIDC(OIDCOptions{Issuer: "https://127.0.0.1:1", Audience: audience})
	if err != nil {
		t.Fatal(err)
	}
	got := send(t, serveEcho(t, o, HTTPOptions{}), "x.y.z")
	if got.code != http.StatusInternalServerError || !strings.Contains(got.body, "OIDC discovery at https://127.0.0.1:1") {
		t.Fatalf("got %d %q, want 500 naming the discovery failure", got.code, got.body)
	}
}

func TestNewOIDCValidates(t *testing.T) {
	_, err := NewOIDC(OIDCOptions{Issuer: "http://issuer"})
	if err == nil || !strings.Contains(err.Error(), "https://") || !strings.Contains(err.Error(), "audience") {
		t.Fatalf("got %v, want both problems", err)
	}
}
