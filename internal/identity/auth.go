package identity

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/auth"
)

// Authenticator turns a bearer token into an Identity. An error wrapping
// ErrInvalidToken is the caller's (401); any other is the server's.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Identity, error)
}

// ErrInvalidToken is go-sdk's, so that its bearer middleware answers 401.
var ErrInvalidToken = auth.ErrInvalidToken

// invalid is an ErrInvalidToken with a reason; the reason never quotes the token.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidToken}, args...)...)
}
