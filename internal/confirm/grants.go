package confirm

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// redeem uses up token if it approves this call in this state. A token
// presented for another call (another caller's, other arguments) is refused
// and left as it was: whoever holds a copy cannot void a grant made for
// someone else. One whose objects changed can never succeed, so it goes.
func (c *Confirmer) redeem(token, call, state string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.grants[token]
	switch {
	case !ok:
		return errors.New("approval_token is unknown or already used")
	case g.call != call:
		return errors.New("approval_token was given for another call (tool, caller or arguments differ)")
	}
	delete(c.grants, token)
	switch {
	case c.now().After(g.expires):
		return errors.New("approval_token has expired")
	case g.state != state:
		return errors.New("the objects changed since the approval was given, so it no longer holds")
	}
	return nil
}

func (c *Confirmer) prune() {
	now := c.now()
	for t, g := range c.grants {
		if now.After(g.expires) {
			delete(c.grants, t)
		}
	}
}

// elicit asks the person through the client, when the client can be asked.
// An error means it could not ask; then the token path is used.
func elicit(ctx context.Context, req *mcp.CallToolRequest, preview string) (bool, error) {
	ip := req.Session.InitializeParams()
	if ip == nil || ip.Capabilities == nil || ip.Capabilities.Elicitation == nil {
		return false, errors.New("the client cannot be asked")
	}
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
