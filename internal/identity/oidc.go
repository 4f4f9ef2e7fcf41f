package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCOptions configure JWT bearer verification against an OpenID issuer.
type OIDCOptions struct {
	Issuer   string // exactly as the tokens' iss and the discovery document say it
	Audience string // this server: a token must name it in aud
	// UsernameClaim holds the user's name ("sub" when empty). With "email",
	// a token whose email_verified is false is refused, as kube-apiserver does.
	UsernameClaim string
	// GroupsClaim holds the groups, a string or a list ("groups" when empty).
	GroupsClaim string
	// Prefixes put in front of every username and group, so that issuer
	// names cannot collide with the cluster's own ("system:...").
	UsernamePrefix string
	GroupsPrefix   string
	HTTPClient     *http.Client // for discovery and JWKS; nil: http.DefaultClient
}

// OIDC verifies JWTs: signature by the issuer's JWKS (fetched through its
// discovery document, cached, and fetched again when a token names a key
// it does not know, which is how rotated keys are picked up), iss, aud,
// exp and nbf. Discovery happens on the first token, so kubemcp starts
// while the issuer is down.
type OIDC struct {
	opts OIDCOptions

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	failedAt time.Time
	failure  error
}

var _ Authenticator = (*OIDC)(nil)

// rediscoverAfter spaces discovery attempts while the issuer fails.
const rediscoverAfter = 5 * time.Second

// NewOIDC checks opts; it does not contact the issuer.
func NewOIDC(opts OIDCOptions) (*OIDC, error) {
	var errs []error
	if !strings.HasPrefix(opts.Issuer, "https://") {
		errs = append(errs, fmt.Errorf("OIDC issuer %q: want an https:// URL", opts.Issuer))
	}
	if opts.Audience == "" {
		errs = append(errs, errors.New("OIDC audience: required (this server's URL, or the client ID the issuer puts in aud)"))
	}
	if opts.UsernameClaim == "" {
		opts.UsernameClaim = "sub"
	}
	if opts.GroupsClaim == "" {
		opts.GroupsClaim = "groups"
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	return &OIDC{opts: opts}, errors.Join(errs...)
}

// Authenticate verifies token and reads the identity from its claims.
func (o *OIDC) Authenticate(ctx context.Context, token string) (*Identity, error) {
	v, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := v.Verify(ctx, token)
	if err != nil {
		return nil, invalid("%v", err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, invalid("reading claims: %v", err)
	}
	id, err := o.identityOf(claims)
	if err != nil {
		return nil, err
	}
	id.Expires = tok.Expiry
	return id, nil
}

func (o *OIDC) discover(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return o.verifier, nil
	}
	if o.failure != nil && time.Since(o.failedAt) < rediscoverAfter {
		return nil, o.failure
	}
	// Not the request's context: the key set keeps this one for its fetches.
	base := oidc.ClientContext(context.WithoutCancel(ctx), o.opts.HTTPClient)
	dctx, cancel := context.WithTimeout(base, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, o.opts.Issuer)
	if err != nil {
		o.failure, o.failedAt = fmt.Errorf("OIDC discovery at %s: %w", o.opts.Issuer, err), time.Now()
		return nil, o.failure
	}
	o.provider, o.verifier = p, p.Verifier(&oidc.Config{ClientID: o.opts.Audience})
	return o.verifier, nil
}

// Endpoint is where the issuer's discovery document says people sign in and
// codes are traded for tokens: for a sign-in (the console's) whose ID tokens
// Authenticate then verifies.
func (o *OIDC) Endpoint(ctx context.Context) (oauth2.Endpoint, error) {
	if _, err := o.discover(ctx); err != nil {
		return oauth2.Endpoint{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.provider.Endpoint(), nil
}

func (o *OIDC) identityOf(claims map[string]any) (*Identity, error) {
	user, _ := claims[o.opts.UsernameClaim].(string)
	if user == "" {
		return nil, invalid("the token has no %q claim to name the user", o.opts.UsernameClaim)
	}
	if o.opts.UsernameClaim == "email" {
		if v, ok := claims["email_verified"]; ok && v != true {
			return nil, invalid("the token's email is not verified")
		}
	}
	id := &Identity{User: o.opts.UsernamePrefix + user}
	for _, g := range ClaimStrings(claims[o.opts.GroupsClaim]) {
		id.Groups = append(id.Groups, o.opts.GroupsPrefix+g)
	}
	if err := notSystem(id); err != nil {
		return nil, err
	}
	return id, nil
}

// notSystem refuses names the cluster reserves: an issuer must not be able
// to make kubemcp act as system:masters or a service account.
func notSystem(id *Identity) error {
	if strings.HasPrefix(id.User, "system:") {
		return invalid("user %q is a name the cluster reserves; set a username prefix", id.User)
	}
	for _, g := range id.Groups {
		if strings.HasPrefix(g, "system:") {
			return invalid("group %q is a name the cluster reserves; set a groups prefix", g)
		}
	}
	return nil
}

// ClaimStrings reads a claim that is a string or a list of them.
func ClaimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
