package core

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// PodsIn selects pods.
type PodsIn struct {
	toolset.TextCap
	Namespace     string `json:"namespace,omitempty" jsonschema:"namespace to list; omit to list pods in all namespaces"`
	LabelSelector string `json:"label_selector,omitempty" jsonschema:"Kubernetes label selector, e.g. app=web,tier!=cache"`
}

// Pod is one row of pods_list: what a person reads first.
type Pod struct {
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	Ready     string    `json:"ready" jsonschema:"ready containers over all containers, e.g. 1/2"`
	Status    string    `json:"status" jsonschema:"phase, or the reason a container is waiting or terminated (CrashLoopBackOff, OOMKilled, ...)"`
	Restarts  int32     `json:"restarts"`
	Created   time.Time `json:"created"`
	Node      string    `json:"node,omitempty"`
	IP        string    `json:"ip,omitempty"`
}

// PodsOut is the structured result of pods_list.
type PodsOut struct {
	Pods []Pod `json:"pods"`
}

func (c *Core) podsList() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name: "pods_list",
		Description: "List pods in one namespace or all, optionally by label selector. " +
			"Shows readiness, status with the reason a container is waiting or terminated, restarts, age, node and IP.",
		Annotations: readOnly("List pods"),
	}, c.listPods)
}

func (c *Core) listPods(ctx context.Context, _ *mcp.CallToolRequest, in PodsIn) (string, PodsOut, error) {
	out := PodsOut{Pods: []Pod{}}
	kc, err := c.deps.Clusters.Get(ctx, "")
	if err != nil {
		return "", out, err
	}
	list, err := kc.Typed.CoreV1().Pods(in.Namespace).List(ctx, metav1.ListOptions{LabelSelector: in.LabelSelector})
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods", Namespace: in.Namespace})
	}
	for i := range list.Items {
		out.Pods = append(out.Pods, summarizePod(&list.Items[i]))
	}
	if len(out.Pods) == 0 {
		return noPods(in), out, nil
	}
	return podTable(out.Pods, in.Namespace == "").Render(c.deps.Budget(in.TextCap),
		"Narrow the list with namespace or label_selector."), out, nil
}

func noPods(in PodsIn) string {
	where := "in any namespace"
	if in.Namespace != "" {
		where = fmt.Sprintf("in namespace %q", in.Namespace)
	}
	if in.LabelSelector != "" {
		where += fmt.Sprintf(" matching %q", in.LabelSelector)
	}
	return fmt.Sprintf("No pods %s. namespaces_list shows which namespaces exist.\n", where)
}

func podTable(pods []Pod, withNamespace bool) render.Table {
	t := render.Table{Header: []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE", "IP"}}
	if withNamespace {
		t.Header = append([]string{"NAMESPACE"}, t.Header...)
	}
	now := time.Now()
	for _, p := range pods {
		row := []string{p.Name, p.Ready, p.Status, strconv.Itoa(int(p.Restarts)), render.Age(p.Created, now), orDefault(p.Node, "<none>"), orDefault(p.IP, "<none>")}
		if withNamespace {
			row = append([]string{p.Namespace}, row...)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func summarizePod(p *corev1.Pod) Pod {
	ready, restarts := 0, int32(0)
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
		restarts += cs.RestartCount
	}
	return Pod{
		Namespace: p.Namespace,
		Name:      p.Name,
		Ready:     fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers)),
		Status:    podStatus(p),
		Restarts:  restarts,
		Created:   p.CreationTimestamp.Time,
		Node:      p.Spec.NodeName,
		IP:        p.Status.PodIP,
	}
}

// podStatus is the one word kubectl shows: the pod's reason or phase, overridden
// by an init container still at work or by the most telling container state.
func podStatus(p *corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "Terminating"
	}
	status := string(p.Status.Phase)
	if p.Status.Reason != "" {
		status = p.Status.Reason
	}
	for i, cs := range p.Status.InitContainerStatuses {
		if s, ok := initStatus(cs, i, len(p.Spec.InitContainers)); ok {
			return s
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			status = cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
			status = cs.State.Terminated.Reason
		case cs.State.Terminated != nil:
			status = fmt.Sprintf("ExitCode:%d", cs.State.Terminated.ExitCode)
		}
	}
	if status == string(corev1.PodPending) {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
				return c.Reason
			}
		}
	}
	return status
}

// initStatus reports an init container that keeps the pod from starting.
func initStatus(cs corev1.ContainerStatus, i, total int) (string, bool) {
	switch {
	case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
		return "", false
	case cs.State.Terminated != nil:
		return "Init:" + orDefault(cs.State.Terminated.Reason, fmt.Sprintf("ExitCode:%d", cs.State.Terminated.ExitCode)), true
	case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
		return "Init:" + cs.State.Waiting.Reason, true
	default:
		return fmt.Sprintf("Init:%d/%d", i, total), true
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
