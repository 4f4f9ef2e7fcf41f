package console_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/app"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/transport"
)

// sessionCookie signs the dev user in from origin and returns the session
// cookie the console set.
func (c *consoleServer) sessionCookie(t *testing.T, origin string) *http.Cookie {
	t.Helper()
	req, _ := http.NewRequest("POST", c.base+"/api/login", nil)
	req.Header.Set("Origin", origin)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "kubemcp_session" {
			return ck
		}
	}
	t.Fatal("login set no session cookie")
	return nil
}

// TestSessionCookieSecureUnderTLS: the session cookie is Secure when the
// console serves HTTPS itself, and when people reach it at an https public
// URL (a proxy in front ends TLS); over plain HTTP it is not
// (TestDevSignInSession), or a browser would drop it.
func TestSessionCookieSecureUnderTLS(t *testing.T) {
	t.Run("served over TLS", func(t *testing.T) {
		pair := testenv.NewTLSPair(t)
		certFile, keyFile := pair.Files(t)
		c := startConsole(t, "--tls-cert-file", certFile, "--tls-key-file", keyFile)
		if !strings.HasPrefix(c.base, "https://") {
			t.Fatalf("the console announced %s, want https", c.base)
		}
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(pair.CA)
		c.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
		if ck := c.sessionCookie(t, c.base); !ck.Secure || !ck.HttpOnly {
			t.Fatalf("session cookie over TLS: %+v", ck)
		}
	})
	t.Run("https public URL", func(t *testing.T) {
		c := startConsole(t, "--public-url", "https://console.example.com")
		if ck := c.sessionCookie(t, "https://console.example.com"); !ck.Secure || !ck.HttpOnly {
			t.Fatalf("session cookie behind an https public URL: %+v", ck)
		}
	})
}

// runConsole runs `kubemcp console` with args until ctx ends, or a minute
// has passed (a console that should have refused to start but serves
// would otherwise hold the test until go test's own timeout), and returns
// its error.
func runConsole(ctx context.Context, t *testing.T, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	args = append([]string{"console", "--kubeconfig", twoClusters(t), "--cluster-timeout", "3s"}, args...)
	return app.Run(ctx, args, app.Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{io.Discard}, Err: nopCloser{io.Discard}})
}

// TestDevUserOnlyOnLoopback: beyond loopback the console starts only with
// authentication, and even then signs in no dev user: the login says why,
// and the providers list offers none.
func TestDevUserOnlyOnLoopback(t *testing.T) {
	db := filepath.Join(t.TempDir(), "console.db")
	for name, args := range map[string][]string{
		"no auth":             {"--listen", "0.0.0.0:0", "--db", db},
		"GitHub sign-in only": append([]string{"--listen", "0.0.0.0:0", "--db", db}, newGitHub(t, nil).flags()...),
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			if err := runConsole(t.Context(), t, args...); !errors.Is(err, transport.ErrNotLoopback) || !strings.Contains(err.Error(), "set auth") {
				t.Fatalf("a console beyond loopback without auth: %v, want %v", err, transport.ErrNotLoopback)
			}
		})
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused console created its database: %v", err)
	}

	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("tokens:\n- user: agent\n  token: agent-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, "--listen", "0.0.0.0:0", "--auth", "token", "--auth-token-file", tokens)
	u, err := url.Parse(c.base)
	if err != nil {
		t.Fatal(err)
	}
	c.base = "http://127.0.0.1:" + u.Port() // all addresses: loopback is one
	var providers struct{ DevUser bool }
	decodeOK(t, http.StatusOK, &providers)(c.do(t, "GET", "/api/auth/providers", nil))
	if providers.DevUser {
		t.Fatal("a console beyond loopback offers the dev user")
	}
	status, body := c.do(t, "POST", "/api/login", nil)
	wantError(t, status, body, http.StatusNotFound, "no_provider", "the dev user signs in only on a console listening on loopback")
	status, body = c.do(t, "GET", "/api/me", nil)
	wantError(t, status, body, http.StatusUnauthorized, "unauthenticated", "sign in")
}

// wantOwnerOnly checks that the database at path and its directory exist
// with owner-only modes.
func wantOwnerOnly(t *testing.T, path string) {
	t.Helper()
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("the console database: %v", err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
}

// TestDatabasePath: the console keeps its database where DATABASE_PATH
// says, unless --db says otherwise, and else at ./data/console.db, each
// created with its directory, owner-only.
func TestDatabasePath(t *testing.T) {
	dir := t.TempDir()
	fromEnv, fromFlag := filepath.Join(dir, "env", "console.db"), filepath.Join(dir, "flag", "console.db")
	t.Setenv("DATABASE_PATH", fromEnv)
	c := startConsole(t, "--db", fromFlag) // startConsole's own --db comes first: the last wins
	c.login(t)
	wantOwnerOnly(t, fromFlag)
	if _, err := os.Stat(fromEnv); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("with --db, DATABASE_PATH's file: %v", err)
	}

	start := func() { // until the test ends
		runKubemcp(t, "serving the console at ", []string{"console", "--listen", "127.0.0.1:0", "--kubeconfig", twoClusters(t)})
	}
	start()
	wantOwnerOnly(t, fromEnv)

	t.Chdir(dir)
	os.Unsetenv("DATABASE_PATH") // t.Setenv restores it
	start()
	wantOwnerOnly(t, filepath.Join(dir, "data", "console.db"))
}
