package workloads

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ScaleIn names a Deployment or StatefulSet and its new replica count.
type ScaleIn struct {
	toolset.Approval
	Target
	Replicas int32 `json:"replicas"`
}

// ScaleOut is the structured result of workloads_scale.
type ScaleOut struct {
	Kind      Kind   `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Previous  int32  `json:"previous_replicas"`
	Replicas  int32  `json:"replicas"`
	Changed   bool   `json:"changed" jsonschema:"false when the workload already had that many replicas"`
}

func (w *Workloads) scaleTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "workloads_scale",
		Description: "Set the replicas of a Deployment or StatefulSet.",
		Annotations: toolset.Writes("Scale a workload", true, true),
	}, w.scale)
}

func (w *Workloads) scale(ctx context.Context, _ *mcp.CallToolRequest, in ScaleIn) (string, ScaleOut, error) {
	var out ScaleOut
	r, err := w.resolve(ctx, in.Target)
	if err != nil {
		return "", out, err
	}
	switch {
	case r.kind == DaemonSet:
		return "", out, fmt.Errorf("a DaemonSet cannot be scaled: it runs one pod on every node its nodeSelector, affinity and tolerations allow; change those to change where it runs")
	case in.Replicas < 0:
		return "", out, fmt.Errorf("replicas %d: want 0 or more", in.Replicas)
	}
	out = ScaleOut{Kind: r.kind, Namespace: r.ns, Name: r.name, Replicas: in.Replicas}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		s, err := r.getScale(ctx)
		if err != nil {
			return err
		}
		out.Previous = s.Spec.Replicas
		if out.Changed = s.Spec.Replicas != in.Replicas; !out.Changed {
			return nil
		}
		s.Spec.Replicas = in.Replicas
		return r.updateScale(ctx, s)
	})
	if err != nil {
		return "", out, err
	}
	return scaleText(r, out), out, nil
}

func scaleText(r ref, out ScaleOut) string {
	if !out.Changed {
		return fmt.Sprintf("%s already has %d replicas; nothing changed.\n", r, out.Replicas)
	}
	return fmt.Sprintf("%s scaled: %d -> %d replicas. The controller now adds or removes pods; "+
		"rollout_status {\"kind\":%q,\"namespace\":%q,\"name\":%q} shows progress.\n",
		r, out.Previous, out.Replicas, r.kind, r.ns, r.name)
}

func (r ref) getScale(ctx context.Context) (*autoscalingv1.Scale, error) {
	var s *autoscalingv1.Scale
	var err error
	if r.kind == StatefulSet {
		s, err = r.kc.Typed.AppsV1().StatefulSets(r.ns).GetScale(ctx, r.name, metav1.GetOptions{})
	} else {
		s, err = r.kc.Typed.AppsV1().Deployments(r.ns).GetScale(ctx, r.name, metav1.GetOptions{})
	}
	if err != nil {
		return nil, r.explainOn(err, "get", r.kind.resource()+"/scale")
	}
	return s, nil
}

// updateScale writes s back; its resourceVersion makes a concurrent change a
// conflict, which the caller retries.
func (r ref) updateScale(ctx context.Context, s *autoscalingv1.Scale) error {
	var err error
	if r.kind == StatefulSet {
		_, err = r.kc.Typed.AppsV1().StatefulSets(r.ns).UpdateScale(ctx, r.name, s, metav1.UpdateOptions{})
	} else {
		_, err = r.kc.Typed.AppsV1().Deployments(r.ns).UpdateScale(ctx, r.name, s, metav1.UpdateOptions{})
	}
	if err != nil && !apierrors.IsConflict(err) {
		return r.explainOn(err, "update", r.kind.resource()+"/scale")
	}
	return err
}
