package confirm

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/policy"
)

var tokenRE = regexp.MustCompile(`approval_token "([A-Z0-9]+)"`)

// tokenOf asks c for an approval of call in state and returns its token.
func tokenOf(t *testing.T, c *Confirmer, call, state string) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(c.ask(call, state, "preview", "scale").Error())
	if m == nil {
		t.Fatalf("no token in %v", c.ask(call, state, "preview", "scale"))
	}
	return m[1]
}

func wantRefused(t *testing.T, err error, why string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), why) {
		t.Fatalf("want a refusal saying %q, got %v", why, err)
	}
}

func TestConfirmTokenRoundTrip(t *testing.T) {
	c := New([]policy.ConfirmRule{{}}, nil)
	token := tokenOf(t, c, "call", "rv1")
	if err := c.redeem(strings.ToLower(token), "call", "rv1"); err != nil {
		t.Fatalf("a good token: %v", err)
	}
	wantRefused(t, c.redeem(token, "call", "rv1"), "already used")
}

// Any change to a token's bytes (here its expiry, pushed a day on) breaks
// its MAC; text that is no token at all is told apart.
func TestConfirmTamperedTokenRefused(t *testing.T) {
	c := New([]policy.ConfirmRule{{}}, nil)
	b, err := encoding.DecodeString(tokenOf(t, c, "call", "rv1"))
	if err != nil {
		t.Fatal(err)
	}
	b[nonceLen+5]++
	wantRefused(t, c.redeem(encoding.EncodeToString(b), "call", "rv1"), "another call")
	wantRefused(t, c.redeem("ABCDEF", "call", "rv1"), "not one kubemcp gave out")
}

func TestConfirmExpiry(t *testing.T) {
	c := New([]policy.ConfirmRule{{}}, nil)
	now := time.Now()
	c.now = func() time.Time { return now }
	token := tokenOf(t, c, "call", "state")
	now = now.Add(approvalTTL + time.Second)
	wantRefused(t, c.redeem(token, "call", "state"), "expired")
}

// A token presented for another call (another caller with the same
// arguments) is refused without voiding it for the caller it was given to.
func TestConfirmTokenSurvivesAnotherCaller(t *testing.T) {
	c := New([]policy.ConfirmRule{{}}, nil)
	args := func() map[string]any { return map[string]any{"name": "web", "replicas": 2} }
	alice := callKey(identity.NewContext(context.Background(), &identity.Identity{User: "alice"}), "scale", args())
	mallory := callKey(identity.NewContext(context.Background(), &identity.Identity{User: "mallory"}), "scale", args())
	token := tokenOf(t, c, alice, "state")
	wantRefused(t, c.redeem(token, mallory, "state"), "another call")
	if err := c.redeem(token, alice, "state"); err != nil {
		t.Fatalf("alice's token was voided by mallory's attempt: %v", err)
	}
	wantRefused(t, c.redeem(token, alice, "state"), "already used")
}

// A token whose objects changed is refused, and used up: it can never hold.
func TestConfirmStateChanged(t *testing.T) {
	c := New([]policy.ConfirmRule{{}}, nil)
	token := tokenOf(t, c, "call", "rv1")
	wantRefused(t, c.redeem(token, "call", "rv2"), "objects changed")
	wantRefused(t, c.redeem(token, "call", "rv1"), "already used")
}

// Another process's token is refused: without a shared key, approvals stay
// with the server that gave them.
func TestConfirmProcessKeysDiffer(t *testing.T) {
	a, b := New([]policy.ConfirmRule{{}}, nil), New([]policy.ConfirmRule{{}}, nil)
	wantRefused(t, b.redeem(tokenOf(t, a, "call", "rv1"), "call", "rv1"), "--approval-key-file")
}

const (
	oldKey = "old-key-0123456789abcdefghijklmnopqrstuvwxyz"
	newKey = "new-key-0123456789abcdefghijklmnopqrstuvwxyz"
)

func writeKeys(t *testing.T, path string, keys ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("# approval keys\n"+strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func shared(t *testing.T, path string) *Confirmer {
	t.Helper()
	c, err := Shared([]policy.ConfirmRule{{}}, nil, path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Two replicas reading one key file: a plan made on A is redeemed on B; the
// same token replayed on A meets the state the apply left, and is refused.
func TestConfirmSharedAcrossReplicas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	writeKeys(t, path, oldKey)
	a, b := shared(t, path), shared(t, path)
	token := tokenOf(t, a, "call", "rv1")
	if err := b.redeem(token, "call", "rv1"); err != nil {
		t.Fatalf("B refused A's plan: %v", err)
	}
	wantRefused(t, a.redeem(token, "call", "rv2"), "objects changed")
}

// Rotation: a new key first in the file signs; a token signed with the old
// key holds while the old key is still in the file, and not after.
func TestConfirmKeyRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	writeKeys(t, path, oldKey)
	c := shared(t, path)
	before, beforeToo := tokenOf(t, c, "call", "rv1"), tokenOf(t, c, "call", "rv1")
	writeKeys(t, path, newKey, oldKey)
	if err := c.redeem(before, "call", "rv1"); err != nil {
		t.Fatalf("a token of the old key, still in the file: %v", err)
	}
	after := tokenOf(t, c, "call", "rv1")
	writeKeys(t, path, newKey)
	wantRefused(t, c.redeem(beforeToo, "call", "rv1"), "another call")
	if err := c.redeem(after, "call", "rv1"); err != nil {
		t.Fatalf("a token of the new key: %v", err)
	}
}

// With shared keys, a call with no state (no dry run) gets no token: it
// could be replayed on every replica.
func TestConfirmSharedNoStateNoToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	writeKeys(t, path, oldKey)
	err := shared(t, path).ask("call", "", "preview", "scale")
	if tokenRE.MatchString(err.Error()) || !strings.Contains(err.Error(), "elicitation") {
		t.Fatalf("want no token and a word on elicitation:\n%v", err)
	}
}

func TestConfirmKeyFileRefused(t *testing.T) {
	for name, body := range map[string]string{"missing": "", "empty": "# nothing yet\n\n", "short": "0123456789\n"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys")
			if name != "missing" {
				os.WriteFile(path, []byte(body), 0o600)
			}
			if _, err := Shared(nil, nil, path); err == nil {
				t.Error("a bad key file was accepted")
			}
		})
	}
}
