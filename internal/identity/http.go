package identity

import (
	"context"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/auth"
)

// tokenInfoKey is where an Identity rides in go-sdk's TokenInfo.Extra, which
// go-sdk copies into every MCP request's Extra.
const tokenInfoKey = "kubemcp.identity"

// HTTPOptions configure Middleware.
type HTTPOptions struct {
	// ResourceMetadataURL, when set, is named in the WWW-Authenticate header
	// of every 401 so that MCP clients can find the authorization server
	// (RFC 9728). Unset, the header is a plain `Bearer realm="kubemcp"`.
	ResourceMetadataURL string
}

// Middleware requires a bearer token on every request, verifies it with a and
// passes the Identity on in the request's context and in go-sdk's TokenInfo,
// whose UserID binds an MCP session to its user. A missing or refused token
// is a 401 whose body says why, never quoting the token.
func Middleware(a Authenticator, opts HTTPOptions) func(http.Handler) http.Handler {
	verify := func(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		id, err := a.Authenticate(ctx, token)
		if err != nil {
			return nil, err
		}
		return &auth.TokenInfo{UserID: id.User, Expiration: id.Expires, Extra: map[string]any{tokenInfoKey: id}}, nil
	}
	require := auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{
		ResourceMetadataURL:    opts.ResourceMetadataURL,
		AllowMissingExpiration: true, // static and passthrough tokens do not say; OIDC's are checked by the verifier
	})
	return func(next http.Handler) http.Handler {
		verified := require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if opts.ResourceMetadataURL == "" {
				w.Header().Del("WWW-Authenticate")
			}
			id := fromTokenInfo(auth.TokenInfoFromContext(r.Context()))
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
		}))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if opts.ResourceMetadataURL == "" {
				// go-sdk adds the header only with metadata; RFC 6750 wants one on every 401.
				w.Header().Set("WWW-Authenticate", `Bearer realm="kubemcp"`)
			}
			verified.ServeHTTP(w, r)
		})
	}
}

func fromTokenInfo(ti *auth.TokenInfo) *Identity {
	if ti == nil {
		return nil
	}
	id, _ := ti.Extra[tokenInfoKey].(*Identity)
	return id
}
