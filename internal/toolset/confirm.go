package toolset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/render"
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

// Acting is implemented by the input of a tool whose arguments name what it
// acts on in their own way (a CLI's argv), for confirmation rules to match: a
// kind or namespace of "*" may be any, and every rule naming one covers it.
type Acting interface {
	ActsOn() (kind, namespace string)
}

// confirming wraps h so that the calls c's rules name are confirmed first
// (see confirm.Confirmer). The tool's dry_run argument, found by its json
// tag, gives the preview.
func confirming[In, Out any](c *confirm.Confirmer, kind, fence string, h Handler[In, Out]) Handler[In, Out] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (string, Out, error) {
		call := confirm.Call{Req: req, Kind: kind, DryRun: dryRun(&in, false)}
		if a, ok := any(in).(Acting); ok {
			call.ActsOn = a.ActsOn
		}
		if t, ok := any(in).(interface{ approvalToken() string }); ok {
			call.Token = t.approvalToken()
		}
		if dry := in; dryRun(&dry, true) {
			call.Preview = func(ctx context.Context) (string, string, error) { return preview(ctx, req, dry, fence, h) }
		}
		if err := c.Approve(ctx, call); err != nil {
			var zero Out
			return "", zero, &confirmation{err}
		}
		return h(ctx, req, in)
	}
}

// preview runs the dry run and names the state it saw: the output's own
// ConfirmState, else a digest of its text. The text is fenced as the gate
// fences the tool's answers (from fence; "": the tool fenced it), since the
// person and the model read it outside the gate (a Helm chart's diff is its
// author's text).
func preview[In, Out any](ctx context.Context, req *mcp.CallToolRequest, dry In, fence string, h Handler[In, Out]) (text, state string, err error) {
	text, out, err := h(ctx, req, dry)
	if err != nil {
		return "", "", err
	}
	state = digest(text)
	if s, ok := any(out).(Stateful); ok {
		state = s.ConfirmState()
	}
	if fence != "" && text != "" {
		text = render.Fence("answer of "+fence, text)
	}
	return text, state, nil
}

func digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// dryRun reports whether in has a dry_run argument and, when set is true,
// turns it on (in must be a pointer to the input struct).
func dryRun(in any, set bool) bool {
	v := reflect.ValueOf(in).Elem()
	if v.Kind() != reflect.Struct {
		return false
	}
	// Visible fields include those of embedded structs (the helm toolset's
	// Write holds its dry_run).
	for _, f := range reflect.VisibleFields(v.Type()) {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "dry_run" && f.Type.Kind() == reflect.Bool {
			if set {
				v.FieldByIndex(f.Index).SetBool(true)
				return true
			}
			return v.FieldByIndex(f.Index).Bool()
		}
	}
	return false
}

// confirmation is the confirmer's answer to a call it holds back: kubemcp's
// own words (what to approve and how; its preview is fenced already), which
// the gate does not fence, even for an upstream's tool.
type confirmation struct{ err error }

func (c *confirmation) Error() string { return c.err.Error() }
func (c *confirmation) Unwrap() error { return c.err }
