package nodes

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// CordonIn names a node and whether to cordon or uncordon it.
type CordonIn struct {
	toolset.Target
	toolset.Approval
	Action string `json:"action" jsonschema:"cordon or uncordon"`
	Name   string `json:"name"`
}

// CordonOut is the structured result of nodes_cordon.
type CordonOut struct {
	Name          string `json:"name"`
	Unschedulable bool   `json:"unschedulable" jsonschema:"spec.unschedulable after the call"`
	Changed       bool   `json:"changed" jsonschema:"false when the node already was in that state"`
}

// cordonTool is kubectl cordon and uncordon in one tool: either changes
// where pods may run (destructive), and calling it again changes nothing more.
func (n *Nodes) cordonTool() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "nodes_cordon",
		Description: "Cordon a node (its pods keep running) or uncordon it.",
		Annotations: toolset.Writes("Cordon or uncordon a node", true, true),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in CordonIn) (string, CordonOut, error) {
		switch action := strings.ToLower(strings.TrimSpace(in.Action)); action {
		case "cordon", "uncordon":
			return n.setUnschedulable(ctx, in.Cluster, in.Name, action == "cordon")
		}
		return "", CordonOut{Name: in.Name}, fmt.Errorf("action %q: want cordon or uncordon", in.Action)
	})
}

func (n *Nodes) setUnschedulable(ctx context.Context, cluster, name string, on bool) (string, CordonOut, error) {
	out := CordonOut{Name: name, Unschedulable: on}
	if name == "" {
		return "", out, fmt.Errorf("name is required: the node's name, as nodes_list shows it")
	}
	kc, err := n.deps.Clusters.Get(ctx, cluster)
	if err != nil {
		return "", out, err
	}
	node, err := kc.Typed.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", out, explain(err, "get", name)
	}
	word := map[bool]string{true: "cordoned", false: "uncordoned"}[on]
	if node.Spec.Unschedulable == on {
		return fmt.Sprintf("node %s is already %s; nothing changed.\n", name, word), out, nil
	}
	if _, err := cordon(ctx, kc, node, on); err != nil {
		return "", out, err
	}
	out.Changed = true
	if on {
		return fmt.Sprintf("node %s cordoned: no new pods will be scheduled on it; its pods keep running (nodes_drain evicts them).\n", name), out, nil
	}
	return fmt.Sprintf("node %s uncordoned: pods can be scheduled on it again.\n", name), out, nil
}

// cordon sets spec.unschedulable, as kubectl cordon patches it.
func cordon(ctx context.Context, kc *kube.Client, node *corev1.Node, on bool) (*corev1.Node, error) {
	patch := fmt.Appendf(nil, `{"spec":{"unschedulable":%t}}`, on)
	updated, err := kc.Typed.CoreV1().Nodes().Patch(ctx, node.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return nil, explain(err, "patch", node.Name)
	}
	return updated, nil
}
