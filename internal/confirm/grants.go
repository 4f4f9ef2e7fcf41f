package confirm

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/callclock"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// errChanged refuses an approval whose objects changed since it was given.
var errChanged = errors.New("the objects changed since the approval was given, so it no longer holds")

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
		return errChanged
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

// How a client can ask the person to approve a call.
const (
	cannotAsk        = iota
	asksWithinCall   // a server request within the call (eras before 2026-07-28)
	asksBetweenCalls // an input_required result, answered in the next call (2026-07-28)
)

// askMode is how req's client can ask the person: it can show a form
// (elicitation in form mode; a client that declares neither mode can, as
// go-sdk takes it), and its era is the session's, as go-sdk decides it (a
// session without initialize, which only a 2026-07-28 client has, is of
// that era). Within a call, what counts is what the session declared at
// initialize, where go-sdk looks before it asks: a 2025-era session
// claiming more in a request's _meta cannot send the question down a path
// the session does not serve.
func askMode(req *mcp.CallToolRequest) int {
	ip := req.Session.InitializeParams()
	if ip != nil && ip.ProtocolVersion < "2026-07-28" {
		if ip.Capabilities != nil && showsForms(ip.Capabilities.Elicitation) {
			return asksWithinCall
		}
		return cannotAsk
	}
	if caps := req.ClientCapabilities(); req.ProtocolVersion() >= "2026-07-28" && caps != nil && showsForms(caps.Elicitation) {
		return asksBetweenCalls
	}
	return cannotAsk
}

// showsForms reports whether a client with elicitation capabilities e can
// be asked the approval question, a form.
func showsForms(e *mcp.ElicitationCapabilities) bool {
	return e != nil && (e.Form != nil || e.URL == nil)
}

// elicit asks the person through a client that asks within the call. An
// error means it could not ask, or no answer came within elicitWait. The
// call's own timeout stops meanwhile: it bounds the cluster's time, not the
// person's.
func elicit(ctx context.Context, req *mcp.CallToolRequest, preview string) (bool, error) {
	defer callclock.Pause(ctx)()
	ctx, cancel := context.WithTimeout(ctx, elicitWait)
	defer cancel()
	res, err := req.Session.Elicit(ctx, question(req.Params.Name, preview))
	if err != nil {
		return false, err
	}
	return approves(res), nil
}

// question asks the person to approve tool's call, showing its preview
// (cluster text, so redacted as every answer is).
func question(tool, preview string) *mcp.ElicitParams {
	return &mcp.ElicitParams{
		Message: "kubemcp is about to run " + tool + ". Preview:\n" + policy.RedactText(preview) + "\nApprove this change?",
		RequestedSchema: map[string]any{
			"type":       "object",
			"properties": map[string]any{"approve": map[string]any{"type": "boolean", "title": "Approve"}},
			"required":   []string{"approve"},
		},
	}
}

func approves(res *mcp.ElicitResult) bool {
	approve, _ := res.Content["approve"].(bool)
	return res.Action == "accept" && approve
}

// InputKey names the question in an InputRequired's input requests.
const InputKey = "approve"

// InputRequired is Approve's answer to a client of the 2026-07-28 era that
// can elicit: such a client asks the person between calls, not within one
// (multi-round-trip requests), so the call ends at once with the question,
// and comes again with the person's answer and State. The toolset turns it
// into an input_required result.
type InputRequired struct {
	Question *mcp.ElicitParams
	// State is a signed approval of the call in the state its dry run saw,
	// under a key of its own: it cannot be presented as an approval_token.
	State string
}

func (e *InputRequired) Error() string {
	return "confirmation required: the person is asked to approve the change; nothing was changed"
}

// askBetweenCalls asks the person through a client that elicits between
// calls, or takes their answer when the call comes back with it: approved
// only if it answers this call's question (the state is signed for this
// caller, call and state, and is single use) and the person approved. If the
// objects changed meanwhile the person is asked again, with the new preview.
//
// The answer is the client's word that the person gave it, as within a
// call. With shared keys, an answer to a call with no state (no dry run)
// could be presented once on each replica within elicitWait; a client that
// would do that could as well answer yes again, so nothing more is guarded.
func (c *Confirmer) askBetweenCalls(req *mcp.CallToolRequest, key, state, preview string) error {
	if answered := req.Params.RequestState; answered != "" {
		err := c.redeem(answered, inputCall(key), state)
		switch {
		case errors.Is(err, errChanged):
		case err != nil:
			return fmt.Errorf("the answer to the confirmation question does not belong to this call: %w; nothing was changed", err)
		default:
			res, _ := req.Params.InputResponses[InputKey].(*mcp.ElicitResult)
			if res == nil || !approves(res) {
				return errDeclined
			}
			return nil
		}
	}
	token, err := c.issue(inputCall(key), state, c.now().Add(elicitWait))
	if err != nil {
		return fmt.Errorf("signing the confirmation question: %w", err)
	}
	return &InputRequired{Question: question(req.Params.Name, preview), State: token}
}

// inputCall is what an InputRequired's state is signed for: the call, under
// a name of its own, so that it is never a good approval_token.
func inputCall(key string) string { return "input\x00" + key }
