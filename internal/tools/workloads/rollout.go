package workloads

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// RolloutIn names a workload and what to do to its rollout.
type RolloutIn struct {
	toolset.Approval
	Target
	Action     string `json:"action" jsonschema:"restart, undo, pause or resume"`
	ToRevision int64  `json:"to_revision,omitempty" jsonschema:"undo; default: the previous one"`
}

// RolloutOut is the structured result of rollout: the workload, whether the
// action changed it, and what the action itself reports.
type RolloutOut struct {
	Action       string   `json:"action"`
	Kind         Kind     `json:"kind"`
	Namespace    string   `json:"namespace"`
	Name         string   `json:"name"`
	Changed      bool     `json:"changed" jsonschema:"false when the workload already was as the action would leave it"`
	Paused       bool     `json:"paused" jsonschema:"spec.paused after the call"`
	RestartedAt  string   `json:"restarted_at,omitempty" jsonschema:"restart: the value written to the pod template's kubectl.kubernetes.io/restartedAt annotation"`
	Generation   int64    `json:"generation,omitempty" jsonschema:"restart: the workload's generation after the change"`
	ToRevision   int64    `json:"to_revision,omitempty" jsonschema:"undo: the revision whose template the workload now has"`
	ImagesBefore []string `json:"images_before,omitempty" jsonschema:"undo"`
	ImagesAfter  []string `json:"images_after,omitempty" jsonschema:"undo"`
}

// rolloutTool is kubectl rollout's writes in one tool. Every action replaces
// what is there (the pods, the template, what the controller does next), so
// the tool is destructive; restart and undo change more on every call, so it
// is not idempotent.
func (w *Workloads) rolloutTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "rollout",
		Description: "Restart a workload's pods (rolling), undo to an earlier revision, or pause or resume a Deployment.",
		Annotations: toolset.Writes("Change a rollout", true, false),
	}, w.rollout)
}

func (w *Workloads) rollout(ctx context.Context, _ *mcp.CallToolRequest, in RolloutIn) (string, RolloutOut, error) {
	action := strings.ToLower(strings.TrimSpace(in.Action))
	if in.ToRevision != 0 && action != "undo" {
		return "", RolloutOut{}, fmt.Errorf("to_revision is for action undo, not %q", in.Action)
	}
	var text string
	var out RolloutOut
	var err error
	switch action {
	case "restart":
		text, out, err = w.restart(ctx, in.Target)
	case "undo":
		text, out, err = w.undo(ctx, in.Target, in.ToRevision)
	case "pause", "resume":
		text, out, err = w.setPaused(ctx, in.Target, action == "pause")
	default:
		return "", RolloutOut{}, fmt.Errorf("action %q: want restart, undo, pause or resume", in.Action)
	}
	out.Action = action
	return text, out, err
}

// rolloutCall is the call that does action to r, for answers to name.
func rolloutCall(r ref, action string) string {
	return fmt.Sprintf(`rollout {"action":%q,"kind":%q,"namespace":%q,"name":%q}`, action, r.kind, r.ns, r.name)
}

func (w *Workloads) restart(ctx context.Context, t Target) (string, RolloutOut, error) {
	var out RolloutOut
	r, obj, err := w.fetch(ctx, t)
	if err != nil {
		return "", out, err
	}
	if paused(obj) {
		return "", out, fmt.Errorf("%s is paused and would not roll out the restart; call %s first", r, rolloutCall(r, "resume"))
	}
	now := time.Now().UTC().Format(time.RFC3339)
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{restartedAtAnnotation: now}}}}})
	obj, err = r.patch(ctx, types.MergePatchType, patch)
	if err != nil {
		return "", out, err
	}
	out = RolloutOut{Kind: r.kind, Namespace: r.ns, Name: r.name, Changed: true, RestartedAt: now, Generation: obj.GetGeneration()}
	return fmt.Sprintf("%s restarted: pod template annotation %s=%s (generation %d). The controller now replaces its pods "+
		"following the update strategy; %s follows it.\n",
		r, restartedAtAnnotation, now, out.Generation, statusCall(r)), out, nil
}

// statusCall is the rollout_status call that follows a change to r.
func statusCall(r ref) string {
	return fmt.Sprintf(`rollout_status {"kind":%q,"namespace":%q,"name":%q,"wait_seconds":30}`, r.kind, r.ns, r.name)
}

func (w *Workloads) setPaused(ctx context.Context, t Target, paused bool) (string, RolloutOut, error) {
	var out RolloutOut
	r, err := w.resolve(ctx, t)
	if err != nil {
		return "", out, err
	}
	if r.kind != Deployment {
		return "", out, fmt.Errorf("only Deployments can be paused and resumed; a %s's rollout is held with its update strategy (a StatefulSet's partition, or OnDelete)", r.kind)
	}
	obj, err := r.get(ctx)
	if err != nil {
		return "", out, err
	}
	out = RolloutOut{Kind: r.kind, Namespace: r.ns, Name: r.name, Paused: paused}
	word := map[bool]string{true: "paused", false: "resumed"}[paused]
	if obj.(*appsv1.Deployment).Spec.Paused == paused {
		return fmt.Sprintf("%s is already %s; nothing changed.\n", r, map[bool]string{true: "paused", false: "not paused"}[paused]), out, nil
	}
	patch := fmt.Appendf(nil, `{"spec":{"paused":%t}}`, paused)
	if _, err := r.patch(ctx, types.MergePatchType, patch); err != nil {
		return "", out, err
	}
	out.Changed = true
	return fmt.Sprintf("%s %s (spec.paused=%t).\n", r, word, paused), out, nil
}
