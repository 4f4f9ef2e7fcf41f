package console

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/store"
)

// A sign-in is the OAuth 2.0 authorization code flow with state and PKCE
// (S256): login sends the browser to the provider with a fresh state and
// code challenge, remembered in a short-lived signed cookie; callback
// checks the state the provider sends back against that cookie, trades the
// code with the verifier, and signs the account in.
const (
	flowCookie = "kubemcp_signin"
	flowIssuer = "kubemcp-console-signin"
	flowTTL    = 10 * time.Minute
	authPath   = "/api/auth/"
)

// provider is a sign-in provider: GitHub, or an OpenID issuer.
type provider interface {
	// oauth is the client configuration, redirecting back to redirect.
	oauth(ctx context.Context, redirect string) (*oauth2.Config, error)
	// account reads who signed in, with the token the code was traded for;
	// an ID token must carry nonce, the one this sign-in sent.
	account(ctx context.Context, tok *oauth2.Token, nonce string) (account, error)
	// httpClient reaches the provider.
	httpClient() *http.Client
	// title names the provider to people.
	title() string
}

// account is who signed in: the profile the store keeps, the Kubernetes
// identity they reach the clusters as before the mapping rules, and what
// the rules match on.
type account struct {
	user  store.User
	kube  identity.Identity
	facts facts
}

// flowClaims are what the sign-in cookie holds between login and callback.
// The PKCE verifier in it stays in the browser that started the sign-in
// (HttpOnly, this path only): whoever intercepts the code elsewhere has no
// verifier to trade it with.
type flowClaims struct {
	jwt.RegisteredClaims
	State    string `json:"state"`
	Verifier string `json:"verifier"`
	Nonce    string `json:"nonce"` // OpenID Connect's: binds the ID token to this sign-in
}

// providers lists the sign-ins configured, for the sign-in page.
func (c *Console) providers(w http.ResponseWriter, _ *http.Request) error {
	type entry struct {
		Name     string `json:"name"`
		Title    string `json:"title"`
		LoginURL string `json:"loginUrl"`
	}
	list := []entry{}
	for _, name := range slices.Sorted(maps.Keys(c.signIns)) {
		list = append(list, entry{name, c.signIns[name].title(), authPath + name + "/login"})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"providers": list, "devUser": c.opts.DevUser})
}

func (c *Console) provider(r *http.Request) (string, provider, error) {
	name := r.PathValue("provider")
	p, ok := c.signIns[name]
	if !ok {
		return "", nil, errorf(http.StatusNotFound, "no_provider", "no sign-in provider %q is configured (GET %sproviders lists them)", name, authPath)
	}
	return name, p, nil
}

// startSignIn sends the browser to the provider.
func (c *Console) startSignIn(w http.ResponseWriter, r *http.Request) error {
	name, p, err := c.provider(r)
	if err != nil {
		return err
	}
	cfg, err := p.oauth(r.Context(), c.callback(r, name))
	if err != nil {
		return err
	}
	state, verifier, nonce := rand.Text(), oauth2.GenerateVerifier(), rand.Text()
	now := time.Now()
	flow, err := jwt.NewWithClaims(jwt.SigningMethodHS256, flowClaims{
		RegisteredClaims: jwt.RegisteredClaims{Issuer: flowIssuer, Subject: name,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(flowTTL))},
		State: state, Verifier: verifier, Nonce: nonce,
	}).SignedString(c.key)
	if err != nil {
		return err
	}
	c.setFlowCookie(w, r, flow, int(flowTTL.Seconds()))
	http.Redirect(w, r, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce)), http.StatusFound)
	return nil
}

// finishSignIn is where the provider sends the browser back.
func (c *Console) finishSignIn(w http.ResponseWriter, r *http.Request) error {
	name, p, err := c.provider(r)
	if err != nil {
		return err
	}
	flow, err := c.flow(r, name)
	if err != nil {
		return err
	}
	c.setFlowCookie(w, r, "", -1) // one use
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return errorf(http.StatusUnauthorized, "signin_refused", "%s did not sign you in: %s %s", p.title(), e, q.Get("error_description"))
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.State)) != 1 {
		return errorf(http.StatusBadRequest, "state", "state: this answer is not for the sign-in this browser started; sign in again at %s%s/login", authPath, name)
	}
	acct, err := c.exchange(r, name, p, q.Get("code"), flow)
	if err != nil {
		return err
	}
	kube := mapIdentity(c.opts.Rules, acct)
	acct.user.KubeUser, acct.user.KubeGroups = kube.User, kube.Groups
	u, err := c.opts.Store.SignIn(r.Context(), acct.user)
	if err != nil {
		return err
	}
	if err := c.issue(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusFound)
	return nil
}

// exchange trades code for a token and reads the account with it.
func (c *Console) exchange(r *http.Request, name string, p provider, code string, flow flowClaims) (account, error) {
	if code == "" {
		return account{}, invalid("code", "required: the provider's answer carried no code")
	}
	cfg, err := p.oauth(r.Context(), c.callback(r, name))
	if err != nil {
		return account{}, err
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, p.httpClient())
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(flow.Verifier))
	var refused *oauth2.RetrieveError
	if errors.As(err, &refused) {
		c.log.Info("console sign-in: the provider refused the code", "provider", name, "error", refused.ErrorCode, "description", refused.ErrorDescription)
		return account{}, errorf(http.StatusUnauthorized, "signin_failed", "%s refused the sign-in code (%s); sign in again at %s%s/login",
			p.title(), cmp.Or(refused.ErrorCode, "no reason given"), authPath, name)
	}
	if err != nil {
		return account{}, errorf(http.StatusBadGateway, "provider", "%s could not be asked for the sign-in token: %v", p.title(), err)
	}
	return p.account(r.Context(), tok, flow.Nonce)
}

// flow reads and checks the sign-in cookie of provider name.
func (c *Console) flow(r *http.Request, name string) (flowClaims, error) {
	var claims flowClaims
	restart := errorf(http.StatusBadRequest, "state", "state: no sign-in was started in this browser, or it expired (%s); sign in again at %s%s/login", flowTTL, authPath, name)
	ck, err := r.Cookie(flowCookie)
	if err != nil {
		return claims, restart
	}
	_, err = jwt.ParseWithClaims(ck.Value, &claims, func(*jwt.Token) (any, error) { return c.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(flowIssuer), jwt.WithSubject(name), jwt.WithExpirationRequired())
	if err != nil {
		return claims, restart
	}
	return claims, nil
}

func (c *Console) setFlowCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	// Lax: the provider's redirect back is a top-level GET, which carries it.
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: value, Path: authPath, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure(r)})
}

// callback is the redirect URL of provider name: under the public URL when
// one is configured (the one registered with the provider), else under the
// origin the request reached.
func (c *Console) callback(r *http.Request, name string) string {
	base := cmp.Or(strings.TrimSuffix(c.opts.PublicURL, "/"), c.origin(r))
	return base + authPath + name + "/callback"
}
