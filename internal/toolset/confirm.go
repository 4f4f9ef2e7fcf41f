package toolset

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// Approval is embedded in the input of every tool that changes the cluster:
// the token a confirmation answer hands out, presented to carry the change
// out. The property is advertised only when confirmation rules exist.
type Approval struct {
	ApprovalToken string `json:"approval_token,omitempty" jsonschema:"from an answer that asked for confirmation"`
}

func (a Approval) approvalToken() string { return a.ApprovalToken }

// Stateful is implemented by the output of a tool whose dry run can say what
// state it saw (the objects' resourceVersions): an approval holds only while
// that state does.
type Stateful interface {
	ConfirmState() string
}

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

// NewConfirmer returns a Confirmer for rules, or nil when there are none.
// Rules match the kind and namespace a call acts on as the cluster in cl
// resolves them ("deploy" is a Deployment; no namespace is the context's), so
// no spelling escapes a rule; with a nil cl they match the arguments as written.
func NewConfirmer(rules []policy.ConfirmRule, cl *clusters.Manager) *Confirmer {
	if len(rules) == 0 {
		return nil
	}
	return &Confirmer{rules: rules, clusters: cl, now: time.Now, grants: map[string]grant{}}
}

// Acting is implemented by the input of a tool whose arguments name what it
// acts on in their own way (a CLI's argv), for confirmation rules to match: a
// kind or namespace of "*" may be any, and every rule naming one covers it.
type Acting interface {
	ActsOn() (kind, namespace string)
}

// needs reports whether a call of tool (which acts on kind, or on the kind
// its arguments name when kind is "") with these arguments needs confirmation.
func (c *Confirmer) needs(ctx context.Context, tool, kind string, in any, args map[string]any) bool {
	targets := targetsOf(args, kind)
	if a, ok := in.(Acting); ok {
		k, ns := a.ActsOn()
		targets = []target{{kind: k, namespace: ns}}
	}
	targets = c.resolve(ctx, args, targets)
	for _, r := range c.rules {
		for _, t := range targets {
			if r.Covers(tool, t.kind, t.namespace) {
				return true
			}
		}
	}
	return false
}

type target struct{ kind, namespace string }

// targetsOf reads what a call acts on from its arguments: kind or resource and
// namespace, or every document of a manifest.
func targetsOf(args map[string]any, kind string) []target {
	if manifest := str(args, "manifest"); manifest != "" {
		return manifestTargets(manifest, str(args, "namespace"))
	}
	kind = cmp.Or(kind, str(args, "kind"), str(args, "resource"))
	return []target{{kind: kind, namespace: str(args, "namespace")}}
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// resolve makes each target's kind the cluster's name for it and fills in the
// context's namespace where a namespaced kind names none, as the call itself
// will. What does not resolve stays as written; the call then fails itself.
func (c *Confirmer) resolve(ctx context.Context, args map[string]any, targets []target) []target {
	if c.clusters == nil {
		return targets
	}
	kc, err := c.clusters.Get(ctx, str(args, "cluster"))
	if err != nil {
		return targets
	}
	for i, t := range targets {
		if t.kind == "*" && t.namespace == "" {
			targets[i].namespace = kc.Namespace // any kind, the namespaced ones too
		}
		res, err := kc.Resolve(kube.Ref{Resource: t.kind})
		if err != nil {
			continue
		}
		targets[i].kind = res.GVK.Kind
		if res.Namespaced && t.namespace == "" {
			targets[i].namespace = kc.Namespace
		}
	}
	return targets
}

// confirming wraps h so that the calls c's rules name are confirmed first.
func confirming[In, Out any](c *Confirmer, tool, kind string, h Handler[In, Out]) Handler[In, Out] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (string, Out, error) {
		var args map[string]any
		_ = json.Unmarshal(req.Params.Arguments, &args)
		if !c.needs(ctx, tool, kind, in, args) {
			return h(ctx, req, in)
		}
		return confirm(ctx, c, req, args, in, h)
	}
}

// confirm runs a call that needs confirmation: with an approval token, the
// approved change if nothing changed since; otherwise a dry run whose preview
// is put to the person through elicitation when the client can ask, or handed
// back with a single-use token.
func confirm[In, Out any](ctx context.Context, c *Confirmer, req *mcp.CallToolRequest, args map[string]any, in In, h Handler[In, Out]) (string, Out, error) {
	if dryRun(&in, false) {
		return h(ctx, req, in) // a dry run changes nothing: no confirmation
	}
	preview, state, err := previewOf(ctx, req, in, h)
	if err != nil {
		var zero Out
		return "", zero, err
	}
	call := callKey(ctx, req.Params.Name, args)
	if tok, ok := any(in).(interface{ approvalToken() string }); ok && tok.approvalToken() != "" {
		if err := c.redeem(tok.approvalToken(), call, state); err != nil {
			var zero Out
			return "", zero, fmt.Errorf("%w\n%s", err, c.ask(call, state, preview, req.Params.Name))
		}
		return h(ctx, req, in)
	}
	approved, err := elicit(ctx, req, preview)
	switch {
	case err == nil && approved:
		return h(ctx, req, in)
	case err == nil:
		var zero Out
		return "", zero, errors.New("the person declined the change; nothing was changed")
	}
	var zero Out
	return "", zero, errors.New(c.ask(call, state, preview, req.Params.Name))
}

// previewOf dry-runs the call when the tool can, else describes it.
func previewOf[In, Out any](ctx context.Context, req *mcp.CallToolRequest, in In, h Handler[In, Out]) (preview, state string, err error) {
	dry := in
	if !dryRun(&dry, true) {
		return fmt.Sprintf("%s with %s (this tool has no dry run: nothing was checked yet)\n", req.Params.Name, req.Params.Arguments), "", nil
	}
	text, out, err := h(ctx, req, dry)
	if err != nil {
		return "", "", err
	}
	if s, ok := any(out).(Stateful); ok {
		return text, s.ConfirmState(), nil
	}
	sum := sha256.Sum256([]byte(text))
	return text, hex.EncodeToString(sum[:]), nil
}

// dryRun reports whether in has a dry_run argument and, when set is true,
// turns it on (in must be a pointer to the input struct).
func dryRun(in any, set bool) bool {
	v := reflect.ValueOf(in).Elem()
	if v.Kind() != reflect.Struct {
		return false
	}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "dry_run" && f.Type.Kind() == reflect.Bool {
			if set {
				v.Field(i).SetBool(true)
				return true
			}
			return v.Field(i).Bool()
		}
	}
	return false
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

// manifestTargets reads kind and namespace of every document of a manifest;
// a document it cannot read counts as any kind, so rules still catch it.
func manifestTargets(manifest, namespace string) []target {
	var out []target
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(manifest), 4096)
	for {
		var doc struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := dec.Decode(&doc); err != nil {
			if !errors.Is(err, io.EOF) {
				out = append(out, target{kind: "*", namespace: "*"})
			}
			return out
		}
		out = append(out, target{kind: doc.Kind, namespace: cmp.Or(doc.Metadata.Namespace, namespace)})
	}
}
