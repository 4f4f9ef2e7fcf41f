package console_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// authServer is the authorization-server half of a stand-in for GitHub or an
// OpenID issuer: /authorize and /token as OAuth 2.0 (RFC 6749) with PKCE
// (RFC 7636) define them. That HTTP protocol is the contract the console
// keeps; the real providers cannot be reached from a test. It checks what a
// real one checks (client credentials, the redirect URI, a code used once,
// the verifier against the S256 challenge) and answers a refusal as GitHub
// does: 200 with {"error": ...}.
type authServer struct {
	clientID, secret string
	// grant answers a successful code exchange for the account signed in,
	// with the nonce its /authorize was sent.
	grant func(account, nonce string) map[string]any

	mu       sync.Mutex
	next     string // the account the next /authorize signs in
	codes    map[string]pending
	refusals []string // the error of each refused exchange
}

type pending struct {
	account, challenge, redirect, nonce string
}

func newAuthServer(clientID, secret string, grant func(account, nonce string) map[string]any) *authServer {
	return &authServer{clientID: clientID, secret: secret, grant: grant, codes: map[string]pending{}}
}

// signInAs makes account the one who signs in next, as if they had typed
// their password and approved the app.
func (a *authServer) signInAs(account string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next = account
}

func (a *authServer) refused() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.refusals)
}

func (a *authServer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != a.clientID || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("state") == "" || q.Get("redirect_uri") == "" {
		http.Error(w, "want client_id, state, redirect_uri and an S256 code_challenge: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code := rand.Text()
	a.mu.Lock()
	a.codes[code] = pending{account: a.next, challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), nonce: q.Get("nonce")}
	a.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (a *authServer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	a.mu.Lock()
	p, found := a.codes[r.PostForm.Get("code")]
	delete(a.codes, r.PostForm.Get("code"))
	a.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	var refusal string
	switch {
	case id != a.clientID || secret != a.secret:
		refusal = "incorrect_client_credentials"
	case !found:
		refusal = "bad_verification_code"
	case r.PostForm.Get("redirect_uri") != p.redirect:
		refusal = "redirect_uri_mismatch"
	case base64.RawURLEncoding.EncodeToString(sum[:]) != p.challenge:
		refusal = "invalid_grant: code_verifier does not match the code_challenge"
	}
	w.Header().Set("Content-Type", "application/json")
	if refusal != "" {
		a.mu.Lock()
		a.refusals = append(a.refusals, refusal)
		a.mu.Unlock()
		code, _, _ := strings.Cut(refusal, ":")
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": refusal})
		return
	}
	json.NewEncoder(w).Encode(a.grant(p.account, p.nonce))
}
