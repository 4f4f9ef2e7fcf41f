package console

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/store"
)

// Session settings.
const (
	cookieName    = "kubemcp_session"
	sessionIssuer = "kubemcp-console"
	// DefaultSessionTTL is how long a sign-in lasts.
	DefaultSessionTTL = 12 * time.Hour
	// DevUser is the one user of a console with no sign-in provider.
	DevUser = "dev"
)

var errSignedOut = errorf(http.StatusUnauthorized, "unauthenticated", "sign in first (GET /api/auth/providers lists the ways)")

// sessionKey is the key sessions are signed with: kept in the store, so
// sessions outlive a restart and every replica sharing the database
// accepts them.
func sessionKey(ctx context.Context, db *store.Store) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	return db.Key(ctx, "session", fresh)
}

// issue signs u in on w: a session JWT in an HttpOnly, SameSite=Lax cookie,
// Secure when the request came over TLS.
func (c *Console) issue(w http.ResponseWriter, r *http.Request, u store.User) error {
	now := time.Now()
	exp := now.Add(c.opts.SessionTTL)
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Issuer: sessionIssuer, Subject: u.Subject,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
	}).SignedString(c.key)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure(r)})
	return nil
}

// user is the signed-in user of r, or errSignedOut.
func (c *Console) user(r *http.Request) (store.User, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return store.User{}, errSignedOut
	}
	var claims jwt.RegisteredClaims
	_, err = jwt.ParseWithClaims(ck.Value, &claims, func(*jwt.Token) (any, error) { return c.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(sessionIssuer), jwt.WithExpirationRequired())
	if err != nil {
		return store.User{}, errSignedOut
	}
	u, err := c.opts.Store.User(r.Context(), claims.Subject)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.KubeUser == "" {
		return store.User{}, errSignedOut
	}
	return u, err
}

// identityOf is who u reaches the clusters as, through kubemcp's tools: as
// mapped when they signed in.
func identityOf(u store.User) *identity.Identity {
	return &identity.Identity{User: u.KubeUser, Groups: u.KubeGroups}
}

// signedIn adapts a handler of the signed-in user; without a session the
// request is answered 401.
func (c *Console) signedIn(h func(w http.ResponseWriter, r *http.Request, u store.User) error) http.Handler {
	return c.handle(func(w http.ResponseWriter, r *http.Request) error {
		u, err := c.user(r)
		if err != nil {
			return err
		}
		return h(w, r, u)
	})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) error {
	switch {
	case len(c.signIns) > 0:
		return errorf(http.StatusNotFound, "no_provider", "there is no dev user where sign-in providers are configured; sign in with one (GET %sproviders lists them)", authPath)
	case !c.opts.DevUser:
		return errorf(http.StatusNotFound, "no_provider", "no sign-in provider is configured, and the dev user signs in only on a console listening on loopback")
	}
	u, err := c.opts.Store.SignIn(r.Context(), store.User{Subject: "dev:" + DevUser, Name: DevUser, KubeUser: DevUser})
	if err != nil {
		return err
	}
	if err := c.issue(w, r, u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// logout ends the session in this browser. The JWT itself stays valid until
// it expires; the cookie that held it is gone.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure(r)})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *Console) me(w http.ResponseWriter, _ *http.Request, u store.User) error {
	return writeJSON(w, http.StatusOK, u)
}

// guard protects the API. Requests that change state must come from a page
// of the console itself: their Origin must be the console's own (with the
// SameSite cookie, this stops cross-site request forgery). No request at
// all is taken from another site's page, as browsers say with
// Sec-Fetch-Site: a SameSite=Lax cookie rides along a top-level
// navigation, and some reads spend the user's AI tokens and write the
// store. Signing in is the exception: the provider's site sends the
// browser back to the callback, which its state and PKCE protect. With the
// dev user, the Host must also be a loopback name, so a page that reached
// the console by DNS rebinding, its Origin and Host both its own, gets
// nothing.
func (c *Console) guard(next http.Handler) http.Handler {
	return c.handle(func(w http.ResponseWriter, r *http.Request) error {
		if c.opts.DevUser && !loopbackHost(r.Host) {
			return errorf(http.StatusForbidden, "host", "the console signs in its dev user only when reached at a loopback address (127.0.0.1, [::1], localhost), not %q", r.Host)
		}
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" && !strings.HasPrefix(r.URL.Path, authPath) {
			return errorf(http.StatusForbidden, "cross_site", "the console's API answers its own pages only, not another site's; open the console at %s", c.origin(r))
		}
		if !safeMethod(r.Method) && r.Header.Get("Origin") != c.origin(r) {
			return errorf(http.StatusForbidden, "origin", "a request that changes something must come from the console's own pages (Origin %s)", c.origin(r))
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// origin is the console's own origin: its public URL's when one is
// configured (behind a proxy that ends TLS, r itself came over plain HTTP),
// else as r reached it.
func (c *Console) origin(r *http.Request) string {
	if u, err := url.Parse(c.opts.PublicURL); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// secure says whether cookies must be Secure: people reach the console over
// HTTPS, here or at the proxy in front of it.
func (c *Console) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(c.opts.PublicURL, "https://")
}

func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
