package confirm

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/callclock"
)

// redeem uses up token if it approves this call in this state. A token
// presented for another call (another caller's, other arguments) is refused
// and left as it was: whoever holds a copy cannot void a grant made for
// someone else. One whose objects changed can never succeed, so it goes.
//
// Used tokens are remembered until they expire, which makes a token single
// use on this server; on another server holding the same key, the state
// binding does it (see the package doc).
func (c *Confirmer) redeem(text, call, state string) error {
	t, err := c.open(text, call)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.used[t.nonce]; ok {
		return errors.New("approval_token was already used")
	}
	if c.now().After(t.expires) {
		return errors.New("approval_token has expired")
	}
	c.prune()
	c.used[t.nonce] = t.expires
	if t.state != stateSum(state) {
		return errors.New("the objects changed since the approval was given, so it no longer holds")
	}
	return nil
}

// prune forgets used tokens past their expiry: those are refused as expired.
func (c *Confirmer) prune() {
	now := c.now()
	for n, expires := range c.used {
		if now.After(expires) {
			delete(c.used, n)
		}
	}
}

// elicit asks the person through the client, when the client can be asked.
// An error means it could not ask, or no answer came within elicitWait;
// then the token path is used. The call's own timeout stops meanwhile: it
// bounds the cluster's time, not the person's.
func elicit(ctx context.Context, req *mcp.CallToolRequest, preview string) (bool, error) {
	ip := req.Session.InitializeParams()
	if ip == nil || ip.Capabilities == nil || ip.Capabilities.Elicitation == nil {
		return false, errors.New("the client cannot be asked")
	}
	defer callclock.Pause(ctx)()
	ctx, cancel := context.WithTimeout(ctx, elicitWait)
	defer cancel()
	res, err := req.Session.Elicit(ctx, &mcp.ElicitParams{
		Message: "kubemcp is about to run " + req.Params.Name + ". Preview:\n" + preview + "\nApprove this change?",
		RequestedSchema: map[string]any{
			"type":       "object",
			"properties": map[string]any{"approve": map[string]any{"type": "boolean", "title": "Approve"}},
			"required":   []string{"approve"},
		},
	})
	if err != nil {
		return false, err
	}
	approve, _ := res.Content["approve"].(bool)
	return res.Action == "accept" && approve, nil
}
