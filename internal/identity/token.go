package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// TokenFile is the format of --auth-token-file: static bearer tokens, each
// mapped to a user and groups. Each entry gives the token itself or, so the
// file need not hold it, its SHA-256 in hex (`printf %s TOKEN | sha256sum`).
//
//	tokens:
//	- user: alice
//	  groups: [team-a]
//	  sha256: 4c1e...
//	- user: ci-bot
//	  groups: [ci]
//	  token: s3cr3t-from-a-vault
type TokenFile struct {
	Tokens []TokenEntry `json:"tokens"`
}

// TokenEntry is one token of a TokenFile.
type TokenEntry struct {
	User   string              `json:"user"`
	Groups []string            `json:"groups,omitempty"`
	Extra  map[string][]string `json:"extra,omitempty"`
	Token  string              `json:"token,omitempty"`
	SHA256 string              `json:"sha256,omitempty"`
}

// Tokens authenticates static tokens. Lookups go by the token's SHA-256, so
// the comparison leaks nothing about the token through timing.
type Tokens struct {
	byHash map[[sha256.Size]byte]Identity
}

var _ Authenticator = (*Tokens)(nil)

// LoadTokens reads a TokenFile; every problem in it is reported at once, by
// entry, without quoting a token.
func LoadTokens(path string) (*Tokens, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the token file: %w", err)
	}
	var f TokenFile
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	t, err := NewTokens(f)
	if err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	return t, nil
}

// NewTokens checks f and indexes its tokens.
func NewTokens(f TokenFile) (*Tokens, error) {
	t := &Tokens{byHash: make(map[[sha256.Size]byte]Identity, len(f.Tokens))}
	var errs []error
	if len(f.Tokens) == 0 {
		errs = append(errs, errors.New("no tokens"))
	}
	for i, e := range f.Tokens {
		sum, err := e.hash()
		if err == nil && e.User == "" {
			err = errors.New("no user")
		}
		if _, dup := t.byHash[sum]; err == nil && dup {
			err = errors.New("the same token as an earlier entry")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("tokens[%d] (user %q): %w", i, e.User, err))
			continue
		}
		t.byHash[sum] = Identity{User: e.User, Groups: e.Groups, Extra: e.Extra}
	}
	return t, errors.Join(errs...)
}

func (e TokenEntry) hash() ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	switch {
	case e.Token != "" && e.SHA256 != "":
		return sum, errors.New("give token or sha256, not both")
	case e.Token != "":
		return sha256.Sum256([]byte(e.Token)), nil
	case e.SHA256 == "":
		return sum, errors.New("no token or sha256")
	}
	b, err := hex.DecodeString(e.SHA256)
	if err != nil || len(b) != sha256.Size {
		return sum, errors.New("sha256 must be 64 hex digits")
	}
	copy(sum[:], b)
	return sum, nil
}

// Authenticate finds the token's identity.
func (t *Tokens) Authenticate(_ context.Context, token string) (*Identity, error) {
	id, ok := t.byHash[sha256.Sum256([]byte(token))]
	if !ok {
		return nil, invalid("unknown token")
	}
	return &id, nil
}
