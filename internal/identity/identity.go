package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"
)

// Identity is a verified caller.
type Identity struct {
	User   string
	Groups []string
	Extra  map[string][]string
	// Expires is when the credential that proved this identity stops being
	// valid; zero means it does not say.
	Expires time.Time

	// bearer is set only by passthrough: the caller's own Kubernetes
	// credential. A pointer, so that even fmt's %#v of a struct holding an
	// Identity prints an address and not the token.
	bearer *secret
}

type secret struct{ token string }

// WithBearer returns id carrying token as the caller's Kubernetes credential,
// to be forwarded as-is (passthrough).
func WithBearer(id Identity, token string) *Identity {
	id.bearer = &secret{token: token}
	return &id
}

// Bearer is the caller's Kubernetes credential in passthrough, else "".
func (id *Identity) Bearer() string {
	if id == nil || id.bearer == nil {
		return ""
	}
	return id.bearer.token
}

// String names the identity for people and logs; it never includes the bearer.
func (id *Identity) String() string {
	if id == nil {
		return "<none>"
	}
	s := id.User
	if len(id.Groups) > 0 {
		s += " (groups " + strings.Join(id.Groups, ", ") + ")"
	}
	return s
}

// GoString keeps %#v from printing the bearer.
func (id *Identity) GoString() string { return fmt.Sprintf("identity.Identity{%s}", id) }

// LogValue logs the user and groups, never the bearer.
func (id *Identity) LogValue() slog.Value {
	if id == nil {
		return slog.StringValue("<none>")
	}
	return slog.GroupValue(slog.String("user", id.User), slog.Any("groups", id.Groups))
}

// Key is a digest of everything that decides what the identity may do in a
// cluster: user, groups, extra and, for passthrough, the bearer itself. Two
// identities share cached clients, watches and SSE sessions only when their
// keys are equal, so a credential is never used for another identity. A nil
// identity (no caller: the server's own credential) has the key "".
func (id *Identity) Key() string {
	if id == nil {
		return ""
	}
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	field(id.User)
	groups := slices.Sorted(slices.Values(id.Groups))
	for _, g := range groups {
		field("g=" + g)
	}
	for _, k := range slices.Sorted(maps.Keys(id.Extra)) {
		field("x=" + k)
		for _, v := range id.Extra[k] {
			field(v)
		}
	}
	field("b=" + id.Bearer())
	return hex.EncodeToString(h.Sum(nil))
}

// Fingerprint names a token without revealing it: the first 12 hex digits of
// its SHA-256.
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:6])
}

type ctxKey struct{}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the identity in ctx, or nil when the call is not
// authenticated (stdio, or HTTP with --auth none).
func FromContext(ctx context.Context) *Identity {
	id, _ := ctx.Value(ctxKey{}).(*Identity)
	return id
}

// Caller names who a call comes from, for audit lines and for what belongs to a
// caller (approvals, port-forward sessions): the user bound in ctx, else
// "local" (stdio, or HTTP without authentication).
func Caller(ctx context.Context) string {
	if id := FromContext(ctx); id != nil && id.User != "" {
		return id.User
	}
	return "local"
}
