package console_test

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/identity/oidctest"
)

// githubUser is an account of the GitHub stand-in.
type githubUser struct {
	orgs  []string
	teams map[string][]string // org: team slugs
}

// githubStandIn serves GitHub's OAuth App endpoints and the three REST
// resources the console reads (/user, /user/orgs, /user/teams), in GitHub's
// shapes, on one address that stands for both github.com and
// api.github.com (a GitHub Enterprise Server's layout, as the flags allow).
type githubStandIn struct {
	*authServer
	url string
}

func newGitHub(t *testing.T, users map[string]githubUser) *githubStandIn {
	t.Helper()
	g := &githubStandIn{authServer: newAuthServer("gh-client", "gh-secret", func(login, _ string) map[string]any {
		return map[string]any{"access_token": "gho_" + login, "token_type": "bearer", "scope": "read:org,read:user"}
	})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", g.authorize)
	mux.HandleFunc("POST /login/oauth/access_token", g.token)
	api := func(answer func(login string, u githubUser) any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			login, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer gho_")
			u, known := users[login]
			if !ok || !known {
				http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
				return
			}
			json.NewEncoder(w).Encode(answer(login, u))
		}
	}
	mux.HandleFunc("GET /user", api(func(login string, _ githubUser) any {
		return map[string]any{"id": gitHubID(login), "login": login, "name": strings.ToUpper(login[:1]) + login[1:], "avatar_url": "https://avatars.example/" + login}
	}))
	mux.HandleFunc("GET /user/orgs", api(func(_ string, u githubUser) any {
		var out []map[string]any
		for _, o := range u.orgs {
			out = append(out, map[string]any{"login": o})
		}
		return out
	}))
	mux.HandleFunc("GET /user/teams", api(func(_ string, u githubUser) any {
		var out []map[string]any
		for org, slugs := range u.teams {
			for _, s := range slugs {
				out = append(out, map[string]any{"slug": s, "organization": map[string]any{"login": org}})
			}
		}
		return out
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

// flags are the console's flags for signing in with g.
func (g *githubStandIn) flags() []string {
	return []string{"--github-client-id", "gh-client", "--github-client-secret", "gh-secret", "--github-url", g.url, "--github-api-url", g.url}
}

// browser is a client of c with its own cookies that does not follow
// redirects, so each step of a sign-in can be checked.
func (c *consoleServer) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// step GETs target and returns the answer and where it redirects.
func step(t *testing.T, b *http.Client, target string) (*http.Response, string) {
	t.Helper()
	resp, err := b.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp, resp.Header.Get("Location")
}

func cookie(resp *http.Response, name string) *http.Cookie {
	for _, ck := range resp.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// signIn runs the whole sign-in with provider in c's own browser and
// returns the callback URL the provider sent it back to.
func (c *consoleServer) signIn(t *testing.T, provider string) string {
	t.Helper()
	b := &http.Client{Jar: c.client.Jar, Transport: c.client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, authorize := step(t, b, c.base+"/api/auth/"+provider+"/login")
	_, callback := step(t, b, authorize)
	resp, home := step(t, b, callback)
	if resp.StatusCode != http.StatusFound || home != "/" {
		t.Fatalf("callback: %d to %q", resp.StatusCode, home)
	}
	return callback
}

// TestGitHubSignIn runs the authorization code flow end to end against the
// stand-in: the redirect with state and an S256 challenge, the callback,
// the session cookie, /api/me, a replayed callback refused, and logout.
func TestGitHubSignIn(t *testing.T) {
	gh := newGitHub(t, map[string]githubUser{"alice": {orgs: []string{"acme"}, teams: map[string][]string{"acme": {"sre"}}}})
	c := startConsole(t, gh.flags()...)

	var providers struct {
		Providers []struct{ Name, LoginURL string }
		DevUser   bool
	}
	decodeOK(t, http.StatusOK, &providers)(c.do(t, "GET", "/api/auth/providers", nil))
	if len(providers.Providers) != 1 || providers.Providers[0].LoginURL != "/api/auth/github/login" || providers.DevUser {
		t.Fatalf("providers: %+v", providers)
	}
	status, body := c.do(t, "POST", "/api/login", nil)
	wantError(t, status, body, http.StatusNotFound, "no_provider", "no dev user where sign-in providers are configured")

	b := &http.Client{Jar: c.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	gh.signInAs("alice")
	resp, authorize := step(t, b, c.base+"/api/auth/github/login")
	flow := cookie(resp, "kubemcp_signin")
	u, _ := url.Parse(authorize)
	q := u.Query()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(authorize, gh.url+"/login/oauth/authorize?") ||
		q.Get("redirect_uri") != c.base+"/api/auth/github/callback" || q.Get("code_challenge_method") != "S256" ||
		q.Get("scope") != "read:user read:org" || flow == nil || !flow.HttpOnly || flow.Path != "/api/auth/" {
		t.Fatalf("login: %d to %s, cookie %+v", resp.StatusCode, authorize, flow)
	}
	if strings.Contains(authorize, "gh-secret") {
		t.Fatal("the client secret went to the browser")
	}
	_, callback := step(t, b, authorize)
	resp, home := step(t, b, callback)
	session := cookie(resp, "kubemcp_session")
	if resp.StatusCode != http.StatusFound || home != "/" || session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("callback: %d to %q, session %+v", resp.StatusCode, home, session)
	}

	var me struct {
		Subject, Name, AvatarURL, KubeUser string
		KubeGroups                         []string
	}
	decodeOK(t, http.StatusOK, &me)(c.do(t, "GET", "/api/me", nil))
	if me.Subject != fmt.Sprintf("github:%d", gitHubID("alice")) || me.Name != "Alice" || me.KubeUser != "github:alice" ||
		!slices.Equal(me.KubeGroups, []string{"github:acme", "github:acme/sre"}) {
		t.Fatalf("me: %+v", me)
	}

	// The sign-in cookie was for one use: the same answer again is refused.
	resp, _ = step(t, b, callback)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a replayed callback: %d", resp.StatusCode)
	}
	if status, body := c.do(t, "POST", "/api/logout", nil); status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", status, body)
	}
	status, body = c.do(t, "GET", "/api/me", nil)
	wantError(t, status, body, http.StatusUnauthorized, "unauthenticated", "sign in")
}

// TestSignInRefusesAnotherState: an answer whose state is not the one this
// browser's sign-in sent, or that reaches a browser that started none, signs
// no one in (login CSRF: an attacker's own code pushed into a victim's
// browser).
func TestSignInRefusesAnotherState(t *testing.T) {
	gh := newGitHub(t, map[string]githubUser{"alice": {}, "mallory": {}})
	c := startConsole(t, gh.flags()...)
	gh.signInAs("mallory")
	attacker := c.browser(t)
	_, authorize := step(t, attacker, c.base+"/api/auth/github/login")
	_, malloryCallback := step(t, attacker, authorize)

	victim := c.browser(t)
	resp, _ := step(t, victim, malloryCallback) // no sign-in started here
	if resp.StatusCode != http.StatusBadRequest || cookie(resp, "kubemcp_session") != nil {
		t.Fatalf("a callback to a browser that started no sign-in: %d", resp.StatusCode)
	}
	step(t, victim, c.base+"/api/auth/github/login") // the victim starts their own
	resp, _ = step(t, victim, malloryCallback)
	if resp.StatusCode != http.StatusBadRequest || cookie(resp, "kubemcp_session") != nil {
		t.Fatalf("a callback with another sign-in's state: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", c.base+"/api/me", nil)
	if resp, err := victim.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the victim is signed in after all: %v %v", resp, err)
	}
}

// TestPKCEStopsAStolenCode: a code issued to one browser's sign-in, replayed
// in another's callback with that browser's matching state, is traded with
// the wrong verifier; the provider refuses it, and so does the console.
func TestPKCEStopsAStolenCode(t *testing.T) {
	gh := newGitHub(t, map[string]githubUser{"alice": {}})
	c := startConsole(t, gh.flags()...)
	gh.signInAs("alice")
	victim, attacker := c.browser(t), c.browser(t)
	_, authorize := step(t, victim, c.base+"/api/auth/github/login")
	_, victimCallback := step(t, victim, authorize) // intercepted, not delivered
	_, own := step(t, attacker, c.base+"/api/auth/github/login")
	ownURL, _ := url.Parse(own)
	stolen, _ := url.Parse(victimCallback)
	q := stolen.Query()
	q.Set("state", ownURL.Query().Get("state"))
	stolen.RawQuery = q.Encode()
	resp, err := attacker.Get(stolen.String())
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || e.Error.Code != "signin_failed" || cookie(resp, "kubemcp_session") != nil {
		t.Fatalf("a stolen code: %d %+v", resp.StatusCode, e)
	}
	if r := gh.refused(); len(r) != 1 || !strings.Contains(r[0], "code_verifier does not match") {
		t.Fatalf("the stand-in's refusals: %q", r)
	}
}

// TestSignInTheProviderRefused: a person who declines at the provider comes
// back with an error instead of a code, and is told so.
func TestSignInTheProviderRefused(t *testing.T) {
	gh := newGitHub(t, map[string]githubUser{})
	c := startConsole(t, gh.flags()...)
	b := c.browser(t)
	_, authorize := step(t, b, c.base+"/api/auth/github/login")
	u, _ := url.Parse(authorize)
	back := c.base + "/api/auth/github/callback?" + url.Values{"error": {"access_denied"}, "state": {u.Query().Get("state")},
		"error_description": {"The user has denied your application access."}}.Encode()
	resp, err := b.Get(back)
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || e.Error.Code != "signin_refused" || !strings.Contains(e.Error.Message, "access_denied") {
		t.Fatalf("a refusal at the provider: %d %+v", resp.StatusCode, e)
	}
	status, body := c.do(t, "GET", "/api/auth/gitlab/login", nil)
	wantError(t, status, body, http.StatusNotFound, "no_provider", `"gitlab"`)
}

// TestOIDCSignIn signs in with an OpenID issuer: discovery names its
// endpoints, the ID token is verified with kubemcp's OIDC verifier (the
// console's client ID as audience), and the person reaches Kubernetes as an
// MCP caller with that token would, plus what the rules add.
func TestOIDCSignIn(t *testing.T) {
	iss := oidctest.New(t)
	as := newAuthServer("console", "oidc-secret", func(sub, nonce string) map[string]any {
		if sub == "replayed" {
			nonce = "a nonce of another sign-in"
		}
		return map[string]any{"access_token": "at-" + sub, "token_type": "Bearer",
			"id_token": iss.Token(t, map[string]any{"sub": sub, "aud": "console", "name": "Ann Example", "groups": []string{"admins", "dev"}, "nonce": nonce})}
	})
	iss.Handle("/authorize", as.authorize)
	iss.Handle("/token", as.token)
	ca := filepath.Join(t.TempDir(), "issuer.pem")
	if err := os.WriteFile(ca, iss.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, "--oidc-issuer", iss.URL, "--oidc-issuer-ca", ca, "--oidc-client-id", "console",
		"--oidc-client-secret", "oidc-secret", "--identity-rule", "oidc-group:admins=group:cluster-viewers")
	as.signInAs("u-123")
	c.client.Transport = iss.Client.Transport // the browser trusts the issuer's certificate
	c.signIn(t, "oidc")
	var me struct {
		Subject, Name, KubeUser string
		KubeGroups              []string
	}
	decodeOK(t, http.StatusOK, &me)(c.do(t, "GET", "/api/me", nil))
	if me.Subject != "oidc:"+iss.URL+"#u-123" || me.Name != "Ann Example" || me.KubeUser != "oidc:u-123" ||
		!slices.Equal(me.KubeGroups, []string{"oidc:admins", "oidc:dev", "cluster-viewers"}) {
		t.Fatalf("me: %+v", me)
	}
	// An ID token minted for another sign-in (its nonce differs) signs no one in.
	as.signInAs("replayed")
	b := &http.Client{Jar: c.client.Jar, Transport: c.client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, authorize := step(t, b, c.base+"/api/auth/oidc/login")
	_, callback := step(t, b, authorize)
	resp, err := b.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "nonce") {
		t.Errorf("an ID token with another sign-in's nonce: %d %s; want 401 naming the nonce", resp.StatusCode, body)
	}
}

// gitHubID is the stand-in's numeric id of a login, as GitHub's /user has one.
func gitHubID(login string) int64 { return int64(crc32.ChecksumIEEE([]byte(login))) + 1 }
