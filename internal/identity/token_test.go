package identity

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokensFromFile(t *testing.T) {
	toks, err := LoadTokens("testdata/tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	url := serveEcho(t, toks, HTTPOptions{})
	tests := []struct {
		token string
		code  int
		body  string
	}{
		{"alice-token", 200, "alice (groups team-a)"},
		{"bob-token", 200, "bob (groups team-b, readers)"}, // given by its SHA-256
		{"carol-token", 401, "invalid token: unknown token"},
		{"", 401, "no bearer token"},
	}
	for _, tt := range tests {
		got := send(t, url, tt.token)
		if got.code != tt.code || got.body != tt.body {
			t.Errorf("%q: got %d %q, want %d %q", tt.token, got.code, got.body, tt.code, tt.body)
		}
		if tt.code == http.StatusUnauthorized && got.wwwAuth != `Bearer realm="kubemcp"` {
			t.Errorf("%q: WWW-Authenticate %q", tt.token, got.wwwAuth)
		}
		if tt.code == http.StatusOK && got.wwwAuth != "" {
			t.Errorf("%q: WWW-Authenticate %q on a 200", tt.token, got.wwwAuth)
		}
	}
	id, _ := toks.Authenticate(context.Background(), "bob-token")
	if got := id.Extra["scopes"]; len(got) != 1 || got[0] != "view" {
		t.Errorf("bob's extra: %v", id.Extra)
	}
}

func TestTokenFileProblems(t *testing.T) {
	body := `tokens:
- user: alice
  token: same
- user: bob
  token: same
- user: carol
- token: nobody
- user: dave
  token: t
  sha256: 97dd3707015dcf069cf73022ed7173b1165db6eff24b441cb57fd069a8c4e525
- user: erin
  sha256: abc
`
	path := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadTokens(path)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`tokens[1] (user "bob"): the same token as an earlier entry`,
		`tokens[2] (user "carol"): no token or sha256`,
		`tokens[3] (user ""): no user`,
		`tokens[4] (user "dave"): give token or sha256, not both`,
		`tokens[5] (user "erin"): sha256 must be 64 hex digits`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "same") && strings.Contains(err.Error(), "token: same") {
		t.Error("the error quotes a token")
	}
	if err := os.WriteFile(path, []byte("tokens:\n- user: a\n  tokne: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTokens(path); err == nil || !strings.Contains(err.Error(), "tokne") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestPassthroughReviews(t *testing.T) {
	reviews := 0
	p := &Passthrough{Review: func(_ context.Context, token string) (string, []string, bool, error) {
		reviews++
		switch token {
		case "alice-k8s":
			return "alice", []string{"team-a"}, true, nil
		case "opaque":
			return "", nil, false, nil // the cluster cannot say
		}
		return "", nil, false, invalid("the apiserver does not accept the token")
	}}
	ctx := context.Background()
	for range 3 {
		id, err := p.Authenticate(ctx, "alice-k8s")
		if err != nil || id.User != "alice" || id.Bearer() != "alice-k8s" {
			t.Fatalf("alice: %v %v", id, err)
		}
	}
	if reviews != 1 {
		t.Errorf("%d reviews for three calls with one token, want 1", reviews)
	}
	id, err := p.Authenticate(ctx, "opaque")
	if err != nil || id.User != "token:"+Fingerprint("opaque") || id.Bearer() != "opaque" {
		t.Errorf("unreviewable token: %v %v", id, err)
	}
	if _, err := p.Authenticate(ctx, "stolen"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("refused token: %v", err)
	}
	if _, err := p.Authenticate(ctx, ""); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("empty token: %v", err)
	}
}
