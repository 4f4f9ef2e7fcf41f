// Package oidctest is a real OpenID issuer for tests: a TLS server with a
// discovery document and a JWKS, RSA keys that sign tokens, and key rotation.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer serves /.well-known/openid-configuration and /jwks over TLS.
type Issuer struct {
	URL    string       // https://127.0.0.1:PORT, the iss of its tokens
	Client *http.Client // trusts the issuer's certificate
	CAPEM  []byte       // the issuer's certificate, for a process that must trust it

	JWKSFetches atomic.Int32 // how often the JWKS was fetched

	mu        sync.Mutex
	published []Key // keys in the JWKS; the first signs Token
	handlers  map[string]http.HandlerFunc
}

// Key is a signing key and the kid tokens name it by.
type Key struct {
	ID      string
	Private *rsa.PrivateKey
}

// New starts an issuer with one key; it stops when the test ends.
func New(t testing.TB) *Issuer {
	t.Helper()
	i := &Issuer{published: []Key{NewKey(t, "key-1")}}
	srv := httptest.NewTLSServer(http.HandlerFunc(i.serve))
	t.Cleanup(srv.Close)
	i.URL, i.Client = srv.URL, srv.Client()
	i.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return i
}

// NewKey makes an RSA key named id.
func NewKey(t testing.TB, id string) Key {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return Key{ID: id, Private: priv}
}

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                i.URL,
			"jwks_uri":                              i.URL + "/jwks",
			"authorization_endpoint":                i.URL + "/authorize",
			"token_endpoint":                        i.URL + "/token",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	case "/jwks":
		i.JWKSFetches.Add(1)
		json.NewEncoder(w).Encode(i.jwks())
	default:
		i.mu.Lock()
		h := i.handlers[r.URL.Path]
		i.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

// Handle serves path with h: a test's own /authorize and /token, the
// endpoints the discovery document names, for a sign-in against the issuer.
func (i *Issuer) Handle(path string, h http.HandlerFunc) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.handlers == nil {
		i.handlers = map[string]http.HandlerFunc{}
	}
	i.handlers[path] = h
}

func (i *Issuer) jwks() jose.JSONWebKeySet {
	i.mu.Lock()
	defer i.mu.Unlock()
	var set jose.JSONWebKeySet
	for _, k := range i.published {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.Private.PublicKey, KeyID: k.ID, Algorithm: "RS256", Use: "sig"})
	}
	return set
}

// Rotate publishes a new key in place of the old ones; Token signs with it from now on.
func (i *Issuer) Rotate(t testing.TB, id string) Key {
	t.Helper()
	k := NewKey(t, id)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = []Key{k}
	return k
}

// Token signs claims with the current key. iss, iat and exp (an hour from
// now) are added unless claims set them; aud is the caller's to give.
func (i *Issuer) Token(t testing.TB, claims map[string]any) string {
	t.Helper()
	i.mu.Lock()
	k := i.published[0]
	i.mu.Unlock()
	return i.Sign(t, k, claims)
}

// Sign signs claims with k, published or not.
func (i *Issuer) Sign(t testing.TB, k Key, claims map[string]any) string {
	t.Helper()
	full := map[string]any{"iss": i.URL, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for c, v := range claims {
		full[c] = v
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.Private},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), k.ID))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(full).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
