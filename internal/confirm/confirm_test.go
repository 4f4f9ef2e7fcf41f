package confirm

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/policy"
)

func TestConfirmExpiry(t *testing.T) {
	c := New([]policy.ConfirmRule{{}}, nil)
	now := time.Now()
	c.now = func() time.Time { return now }
	c.ask("call", "state", "preview", "scale")
	var token string
	for tok := range c.grants {
		token = tok
	}
	now = now.Add(approvalTTL + time.Second)
	if err := c.redeem(token, "call", "state"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an expired token: %v", err)
	}
}

// A token presented for another call (another caller with the same
// arguments) is refused without voiding it for the caller it was given to.
func TestConfirmTokenSurvivesAnotherCaller(t *testing.T) {
	c := New([]policy.ConfirmRule{{}}, nil)
	args := func() map[string]any { return map[string]any{"name": "web", "replicas": 2} }
	alice := callKey(identity.NewContext(context.Background(), &identity.Identity{User: "alice"}), "scale", args())
	mallory := callKey(identity.NewContext(context.Background(), &identity.Identity{User: "mallory"}), "scale", args())
	c.ask(alice, "state", "preview", "scale")
	var token string
	for tok := range c.grants {
		token = tok
	}
	if err := c.redeem(token, mallory, "state"); err == nil || !strings.Contains(err.Error(), "another call") {
		t.Fatalf("mallory redeemed alice's token: %v", err)
	}
	if err := c.redeem(token, alice, "state"); err != nil {
		t.Fatalf("alice's token was voided by mallory's attempt: %v", err)
	}
	if err := c.redeem(token, alice, "state"); err == nil {
		t.Fatal("a token was redeemed twice")
	}
}
