// Package confirm is plan-then-apply: which tool calls a person must confirm
// (the policy.confirm rules, matched against what the cluster resolves a call
// to), the dry-run preview put to them through elicitation, and the
// single-use approvals bound to the caller, the call and the state the dry
// run saw. The toolset package runs every write tool's calls through it.
package confirm

import (
	"context"
	"crypto/rand"
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

// Confirmer holds the confirmation rules and the approvals handed out. One
// serves a whole server, so that a token works whatever session presents it.
type Confirmer struct {
	rules    []policy.ConfirmRule
	clusters *clusters.Manager // resolves what a call names; nil: as written
	now      func() time.Time

	mu     sync.Mutex
	grants map[string]grant
}

type grant struct {
	call    string // tool, caller and arguments the approval is for
	state   string // what the dry run saw
	expires time.Time
}

// New returns a Confirmer for rules, or nil when there are none. Rules match
// the kind and namespace a call acts on as the cluster in cl resolves them
// ("deploy" is a Deployment; no namespace is the context's), so no spelling
// escapes a rule; with a nil cl they match the arguments as written.
func New(rules []policy.ConfirmRule, cl *clusters.Manager) *Confirmer {
	if len(rules) == 0 {
		return nil
	}
	return &Confirmer{rules: rules, clusters: cl, now: time.Now, grants: map[string]grant{}}
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
// the error says why not and, where it can, carries a new approval token.
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
	if call.Token != "" {
		if err := c.redeem(call.Token, key, state); err != nil {
			return fmt.Errorf("%w\n%s", err, c.ask(key, state, preview, tool))
		}
		return nil
	}
	approved, err := elicit(ctx, call.Req, preview)
	switch {
	case err == nil && approved:
		return nil
	case err == nil:
		return errors.New("the person declined the change; nothing was changed")
	}
	return errors.New(c.ask(key, state, preview, tool))
}

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

// ask records a new approval and says how to use it.
func (c *Confirmer) ask(call, state, preview, tool string) string {
	token := rand.Text()
	c.mu.Lock()
	c.prune()
	c.grants[token] = grant{call: call, state: state, expires: c.now().Add(approvalTTL)}
	c.mu.Unlock()
	return fmt.Sprintf("Confirmation required: the server's policy asks a person to confirm this change. Nothing was changed.\n%s\n"+
		"If the person approves, call %s again with the same arguments plus approval_token %q (single use, good for %s, void if the objects change meanwhile).",
		strings.TrimRight(preview, "\n"), tool, token, approvalTTL)
}
