package console_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDevSignInSession(t *testing.T) {
	c := startConsole(t)
	status, body := c.do(t, "GET", "/api/me", nil)
	wantError(t, status, body, http.StatusUnauthorized, "unauthenticated", "sign in")

	req, _ := http.NewRequest("POST", c.base+"/api/login", nil)
	req.Header.Set("Origin", c.base)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "kubemcp_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" ||
		time.Until(session.Expires) < time.Hour || session.Secure {
		t.Fatalf("session cookie %+v", session)
	}
	status, body = c.do(t, "GET", "/api/me", nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"subject":"dev:dev"`) {
		t.Fatalf("me: %d %s", status, body)
	}

	u, _ := url.Parse(c.base)
	c.client.Jar.SetCookies(u, []*http.Cookie{{Name: "kubemcp_session", Value: session.Value + "x", Path: "/"}})
	status, body = c.do(t, "GET", "/api/me", nil)
	wantError(t, status, body, http.StatusUnauthorized, "unauthenticated", "sign in")

	c.client.Jar.SetCookies(u, []*http.Cookie{session})
	if status, body := c.do(t, "POST", "/api/logout", nil); status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", status, body)
	}
	status, body = c.do(t, "GET", "/api/me", nil)
	wantError(t, status, body, http.StatusUnauthorized, "unauthenticated", "sign in")
}

// TestStateChangesNeedTheConsolesOrigin: a request that changes something,
// without an Origin or from another site's page, is refused even with the
// session cookie; so is any request that reached the dev console under a
// name other than loopback (DNS rebinding).
func TestStateChangesNeedTheConsolesOrigin(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	for name, origin := range map[string]string{"none": "", "foreign": "http://evil.example", "other port": "http://127.0.0.1:1"} {
		t.Run(name, func(t *testing.T) {
			status, body := c.do(t, "POST", "/api/dashboards", map[string]string{"name": "x"}, "Origin", origin)
			wantError(t, status, body, http.StatusForbidden, "origin", "console's own pages")
			status, body = c.do(t, "POST", "/api/login", nil, "Origin", origin)
			wantError(t, status, body, http.StatusForbidden, "origin", "console's own pages")
		})
	}
	status, body := c.do(t, "GET", "/api/dashboards", nil)
	if status != http.StatusOK || strings.Contains(string(body), `"name":"x"`) {
		t.Fatalf("after refused writes: %d %s", status, body)
	}
	port := strings.TrimPrefix(c.base, "http://127.0.0.1")
	status, body = c.do(t, "GET", "/api/me", nil, "Host", "evil.example"+port, "Origin", "http://evil.example"+port)
	wantError(t, status, body, http.StatusForbidden, "host", "loopback")
	if status, body := c.do(t, "GET", "/api/me", nil, "Host", "localhost"+port, "Origin", "http://localhost"+port); status != http.StatusUnauthorized {
		t.Fatalf("localhost (cookie set for 127.0.0.1): %d %s", status, body)
	}
}

func TestWebAppPlaceholder(t *testing.T) {
	c := startConsole(t)
	status, body := c.do(t, "GET", "/", nil)
	if status != http.StatusOK || !strings.Contains(string(body), "<title>kubemcp console") { // the app, or the placeholder without `make web`
		t.Fatalf("/: %d %s", status, body)
	}
	status, body = c.do(t, "GET", "/api/nothing", nil)
	wantError(t, status, body, http.StatusNotFound, "not_found", "/api/nothing")
}

// TestSessionsOutliveTheProcess: a session one console issued is accepted
// by another console process on the same database (a restart, or a
// replica), as the signing key is kept there.
func TestSessionsOutliveTheProcess(t *testing.T) {
	db := filepath.Join(t.TempDir(), "console.db")
	first := startConsole(t, "--db", db)
	first.login(t)
	second := startConsole(t, "--db", db)
	second.client = first.client // the same browser: cookies go by host, not port
	status, body := second.do(t, "GET", "/api/me", nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"subject":"dev:dev"`) {
		t.Fatalf("me on the second console: %d %s", status, body)
	}
	other := startConsole(t) // another database, another key
	other.login(t)           // the user is known there too: only the key differs
	other.client = first.client
	status, body = other.do(t, "GET", "/api/me", nil)
	wantError(t, status, body, http.StatusUnauthorized, "unauthenticated", "sign in")
}
