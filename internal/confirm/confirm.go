package confirm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// approvalTTL is how long an approval token stays good.
const approvalTTL = 10 * time.Minute

// elicitWait is how long a call waits for the person its client asks; the
// call's own timeout does not run meanwhile.
const elicitWait = 10 * time.Minute

// Confirmer holds the confirmation rules, the keys approvals are signed with
// and the approvals redeemed here. One serves a whole server, so that a token
// works whatever session presents it.
type Confirmer struct {
	rules    []policy.ConfirmRule
	clusters *clusters.Manager // resolves what a call names; nil: as written
	now      func() time.Time

	keys   keyring
	shared bool // keys from a file, which other servers may hold too

	mu   sync.Mutex
	used map[[nonceLen]byte]time.Time // tokens redeemed here, until they expire
}

// New returns a Confirmer for rules, or nil when there are none. Rules match
// the kind and namespace a call acts on as the cluster in cl resolves them
// ("deploy" is a Deployment; no namespace is the context's), so no spelling
// escapes a rule; with a nil cl they match the arguments as written.
//
// Its approvals are signed with a key of this process's own: only it redeems
// them.
func New(rules []policy.ConfirmRule, cl *clusters.Manager) *Confirmer {
	return newConfirmer(rules, cl, processKey(), false)
}

// Shared is New with the approval keys in keyFile (one a line: the first
// signs, all verify), read at every use, so that every server reading the
// same file redeems the approvals any of them gave and a key can be rotated
// in place. The file is checked now, rules or not, so a bad one stops the
// start rather than the first approval.
func Shared(rules []policy.ConfirmRule, cl *clusters.Manager, keyFile string) (*Confirmer, error) {
	if _, err := readKeys(keyFile); err != nil {
		return nil, err
	}
	return newConfirmer(rules, cl, fileKeys(keyFile), true), nil
}

func newConfirmer(rules []policy.ConfirmRule, cl *clusters.Manager, keys keyring, shared bool) *Confirmer {
	if len(rules) == 0 {
		return nil
	}
	return &Confirmer{rules: rules, clusters: cl, now: time.Now, keys: keys, shared: shared, used: map[[nonceLen]byte]time.Time{}}
}

// Call is one tool call as the Confirmer sees it.
type Call struct {
	Req *mcp.CallToolRequest
	// Kind is the kind the tool acts on whatever its arguments say
	// (pods_delete on Pods); "" means the kind its arguments name.
	Kind string
	// ActsOn, if set, says what the call acts on instead of its arguments
	// (a CLI's argv); "*" may be any kind or namespace.
	ActsOn func() (kind, namespace string)
	// Token is the approval_token the call presents, if any.
	Token string
	// DryRun says whether the call is a dry run already: it changes nothing,
	// so it needs no confirmation.
	DryRun bool
	// Preview dry-runs the call and says what it would do and the state it
	// saw (the objects' resourceVersions); nil for a tool without a dry run.
	Preview func(context.Context) (text, state string, err error)
}

// Approve reports whether call may go ahead: it needs no confirmation, or
// presents a good approval, or the person approved it when asked. Otherwise
// the error says why not and, only where the client cannot ask the person,
// carries a new approval token: a model whose client can ask gets none, so
// it cannot stand in for the person.
func (c *Confirmer) Approve(ctx context.Context, call Call) error {
	var args map[string]any
	_ = json.Unmarshal(call.Req.Params.Arguments, &args)
	if call.DryRun || !c.needs(ctx, call, args) {
		return nil
	}
	preview, state, err := previewOf(ctx, call)
	if err != nil {
		return err
	}
	tool := call.Req.Params.Name
	key := callKey(ctx, tool, args)
	mode := askMode(call.Req)
	if call.Token != "" {
		err := c.redeem(call.Token, key, state)
		switch {
		case err == nil:
			return nil
		case mode == cannotAsk:
			return fmt.Errorf("%w\n%w", err, c.ask(key, state, preview, tool))
		}
		// A client that can ask: the person is asked, as without a token.
	}
	switch mode {
	case asksBetweenCalls:
		return c.askBetweenCalls(call.Req, key, state, preview)
	case asksWithinCall:
		approved, err := elicit(ctx, call.Req, preview)
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("the person did not answer within %s; nothing was changed. Call %s again to be asked again", elicitWait, tool)
		case err != nil:
			return fmt.Errorf("kubemcp could not ask the person to approve %s: %w; nothing was changed", tool, err)
		case !approved:
			return errDeclined
		}
		return nil
	}
	return c.ask(key, state, preview, tool)
}

var errDeclined = errors.New("the person declined the change; nothing was changed")

// previewOf dry-runs the call when the tool can, else describes it.
func previewOf(ctx context.Context, call Call) (preview, state string, err error) {
	if call.Preview == nil {
		return fmt.Sprintf("%s with %s (this tool has no dry run: nothing was checked yet)\n", call.Req.Params.Name, call.Req.Params.Arguments), "", nil
	}
	return call.Preview(ctx)
}

// callKey binds an approval to the tool, the caller and the arguments (the
// token itself taken out of args).
func callKey(ctx context.Context, tool string, args map[string]any) string {
	delete(args, "approval_token")
	b, _ := json.Marshal(args) // map keys marshal sorted: a stable digest
	sum := sha256.Sum256([]byte(tool + "\x00" + identity.Caller(ctx) + "\x00" + string(b)))
	return hex.EncodeToString(sum[:])
}

// ask gives a new approval of call in state and says how to use it; with
// shared keys, a call with no state gets none (see the package doc).
func (c *Confirmer) ask(call, state, preview, tool string) error {
	head := "Confirmation required: the server's policy asks a person to confirm this change. Nothing was changed.\n" + strings.TrimRight(preview, "\n")
	if c.shared && state == "" {
		return fmt.Errorf("%s\n%s has no dry run to bind an approval to the objects' state, so an approval token could be replayed on another kubemcp replica; "+
			"this server confirms it only by asking the person, which this client cannot do. Use a client that supports elicitation, or a tool with a dry run (resources_patch, resources_apply)", head, tool)
	}
	token, err := c.issue(call, state, c.now().Add(approvalTTL))
	if err != nil {
		return fmt.Errorf("signing an approval: %w", err)
	}
	return fmt.Errorf("%s\nIf the person approves, call %s again with the same arguments plus approval_token %q (single use, good for %s, void if the objects change meanwhile).",
		head, tool, token, approvalTTL)
}
