package workloads

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// RestartIn names the workload to restart.
type RestartIn struct {
	toolset.Approval
	Target
}

// RestartOut is the structured result of rollout_restart.
type RestartOut struct {
	Kind        Kind   `json:"kind"`
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	RestartedAt string `json:"restarted_at" jsonschema:"the value written to the pod template's kubectl.kubernetes.io/restartedAt annotation"`
	Generation  int64  `json:"generation" jsonschema:"the workload's generation after the change"`
}

func (w *Workloads) restartTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "rollout_restart",
		Description: "Restart a workload's pods by a rolling update, as kubectl rollout restart does.",
		Annotations: toolset.Writes("Restart a workload", true, false),
	}, w.restart)
}

func (w *Workloads) restart(ctx context.Context, _ *mcp.CallToolRequest, in RestartIn) (string, RestartOut, error) {
	var out RestartOut
	r, obj, err := w.fetch(ctx, in.Target)
	if err != nil {
		return "", out, err
	}
	if paused(obj) {
		return "", out, fmt.Errorf("%s is paused and would not roll out the restart; call rollout_resume first", r)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{restartedAtAnnotation: now}}}}})
	obj, err = r.patch(ctx, types.MergePatchType, patch)
	if err != nil {
		return "", out, err
	}
	out = RestartOut{Kind: r.kind, Namespace: r.ns, Name: r.name, RestartedAt: now, Generation: obj.GetGeneration()}
	return fmt.Sprintf("%s restarted: pod template annotation %s=%s (generation %d). The controller now replaces its pods "+
		"following the update strategy; rollout_status {\"kind\":%q,\"namespace\":%q,\"name\":%q,\"wait_seconds\":30} follows it.\n",
		r, restartedAtAnnotation, now, out.Generation, r.kind, r.ns, r.name), out, nil
}

// PauseIn names the Deployment to pause or resume.
type PauseIn struct {
	toolset.Approval
	Target
}

// PauseOut is the structured result of rollout_pause and rollout_resume.
type PauseOut struct {
	Kind      Kind   `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Paused    bool   `json:"paused" jsonschema:"spec.paused after the call"`
	Changed   bool   `json:"changed" jsonschema:"false when the Deployment already was in that state"`
}

func (w *Workloads) pauseTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "rollout_pause",
		Description: "Pause a Deployment's rollout, as kubectl rollout pause does, until rollout_resume.",
		Annotations: toolset.Writes("Pause a rollout", true, true),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in PauseIn) (string, PauseOut, error) {
		return w.setPaused(ctx, in.Target, true)
	})
}

func (w *Workloads) resumeTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "rollout_resume",
		Description: "Resume a paused Deployment's rollout, as kubectl rollout resume does.",
		Annotations: toolset.Writes("Resume a rollout", true, true),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in PauseIn) (string, PauseOut, error) {
		return w.setPaused(ctx, in.Target, false)
	})
}

func (w *Workloads) setPaused(ctx context.Context, t Target, paused bool) (string, PauseOut, error) {
	var out PauseOut
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
	out = PauseOut{Kind: r.kind, Namespace: r.ns, Name: r.name, Paused: paused}
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
