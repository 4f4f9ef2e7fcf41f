package nodes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ListIn selects nodes.
type ListIn struct {
	toolset.Target
	toolset.TextCap
	LabelSelector string `json:"label_selector,omitempty"`
}

// Resources are the amounts that matter for scheduling, as Kubernetes
// quantities (e.g. cpu "3920m", memory "15Gi").
type Resources struct {
	CPU              string `json:"cpu,omitempty"`
	Memory           string `json:"memory,omitempty"`
	Pods             string `json:"pods,omitempty"`
	EphemeralStorage string `json:"ephemeral_storage,omitempty"`
}

// Condition is one node condition.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Taint is one node taint.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

// Node is what nodes_list knows of one node.
type Node struct {
	Name             string      `json:"name"`
	Status           string      `json:"status" jsonschema:"Ready, NotReady or Unknown, with SchedulingDisabled when cordoned"`
	Ready            bool        `json:"ready"`
	Unschedulable    bool        `json:"unschedulable" jsonschema:"cordoned: no new pods are scheduled here"`
	Roles            []string    `json:"roles" jsonschema:"from the node-role.kubernetes.io/<role> labels"`
	Created          time.Time   `json:"created"`
	Version          string      `json:"version" jsonschema:"kubelet version"`
	InternalIP       string      `json:"internal_ip,omitempty"`
	OSImage          string      `json:"os_image,omitempty"`
	KernelVersion    string      `json:"kernel_version,omitempty"`
	ContainerRuntime string      `json:"container_runtime,omitempty"`
	Capacity         Resources   `json:"capacity"`
	Allocatable      Resources   `json:"allocatable" jsonschema:"what pods may use: capacity less what the system reserves"`
	Problems         []string    `json:"problems" jsonschema:"conditions in a bad state: Ready not True, or MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable... True"`
	Conditions       []Condition `json:"conditions"`
	Taints           []Taint     `json:"taints"`
}

// ListOut is the structured result of nodes_list.
type ListOut struct {
	Nodes   []Node `json:"nodes"`
	Matched int    `json:"matched" jsonschema:"how many matched; the list holds those the text shows"`
}

func (n *Nodes) listTool() toolset.Tool {
	return toolset.FanOut(n.deps, mcp.Tool{
		Name:        "nodes_list",
		Description: "List nodes: status, roles, version, IP, capacity, taints, bad conditions.",
		Annotations: toolset.ReadOnly("List nodes"),
	}, n.list)
}

func (n *Nodes) list(ctx context.Context, _ *mcp.CallToolRequest, in ListIn) (string, ListOut, error) {
	out := ListOut{Nodes: []Node{}}
	kc, err := n.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	list, err := kc.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: in.LabelSelector})
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "nodes"})
	}
	for i := range list.Items {
		out.Nodes = append(out.Nodes, summarize(&list.Items[i]))
	}
	if len(out.Nodes) == 0 {
		return noNodes(in.LabelSelector), out, nil
	}
	budget := n.deps.Budget(in.TextCap)
	out.Matched = len(out.Nodes)
	text, shown := nodeTable(out.Nodes).Fit(budget, "Narrow the list with label_selector.")
	out.Nodes = out.Nodes[:shown]
	if msgs := problemMessages(out.Nodes); msgs != "" {
		text += "\n" + render.Fence("node condition messages", msgs)
	}
	return render.Text(text, budget, "Narrow the list with label_selector."), out, nil
}

func noNodes(selector string) string {
	if selector != "" {
		return fmt.Sprintf("No nodes match %q.\n", selector)
	}
	return "The cluster has no nodes.\n"
}

func summarize(node *corev1.Node) Node {
	out := Node{
		Name: node.Name, Unschedulable: node.Spec.Unschedulable, Roles: roles(node.Labels), Created: node.CreationTimestamp.Time,
		Version: node.Status.NodeInfo.KubeletVersion, OSImage: node.Status.NodeInfo.OSImage, KernelVersion: node.Status.NodeInfo.KernelVersion,
		ContainerRuntime: node.Status.NodeInfo.ContainerRuntimeVersion,
		Capacity:         resources(node.Status.Capacity), Allocatable: resources(node.Status.Allocatable),
		Problems: []string{}, Conditions: []Condition{}, Taints: []Taint{},
	}
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && out.InternalIP == "" {
			out.InternalIP = a.Address
		}
	}
	for _, nc := range node.Status.Conditions {
		c := Condition{string(nc.Type), string(nc.Status), nc.Reason, nc.Message}
		out.Conditions = append(out.Conditions, c)
		if c.Type == string(corev1.NodeReady) {
			out.Ready = c.Status == string(corev1.ConditionTrue)
		}
		if c.abnormal() {
			out.Problems = append(out.Problems, c.problem())
		}
	}
	for _, t := range node.Spec.Taints {
		out.Taints = append(out.Taints, Taint{t.Key, t.Value, string(t.Effect)})
	}
	out.Status = status(node)
	return out
}

// abnormal: Ready should be True; every other condition (the kubelet's
// pressures, NetworkUnavailable, node-problem-detector's) should be False.
func (c Condition) abnormal() bool {
	if c.Type == string(corev1.NodeReady) {
		return c.Status != string(corev1.ConditionTrue)
	}
	return c.Status != string(corev1.ConditionFalse)
}

// problem names a bad condition: "MemoryPressure", "Ready=False", "DiskPressure=Unknown".
func (c Condition) problem() string {
	if c.Type != string(corev1.NodeReady) && c.Status == string(corev1.ConditionTrue) {
		return c.Type
	}
	return c.Type + "=" + c.Status
}

func status(node *corev1.Node) string {
	s := "Unknown"
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			s = map[corev1.ConditionStatus]string{corev1.ConditionTrue: "Ready", corev1.ConditionFalse: "NotReady"}[c.Status]
			if s == "" {
				s = "Unknown"
			}
		}
	}
	if node.Spec.Unschedulable {
		s += ",SchedulingDisabled"
	}
	return s
}

// roles reads node-role.kubernetes.io/<role> labels, and the older kubernetes.io/role.
func roles(labels map[string]string) []string {
	out := []string{}
	for k, v := range labels {
		if role, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok && role != "" {
			out = append(out, role)
		} else if k == "kubernetes.io/role" && v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func resources(l corev1.ResourceList) Resources {
	q := func(name corev1.ResourceName) string {
		if v, ok := l[name]; ok {
			return v.String()
		}
		return ""
	}
	return Resources{CPU: q(corev1.ResourceCPU), Memory: q(corev1.ResourceMemory), Pods: q(corev1.ResourcePods), EphemeralStorage: q(corev1.ResourceEphemeralStorage)}
}

func nodeTable(nodes []Node) render.Table {
	t := render.Table{Header: []string{"NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "CPU", "MEMORY", "PODS", "TAINTS", "PROBLEMS"}}
	now := time.Now()
	for _, n := range nodes {
		t.Rows = append(t.Rows, []string{
			n.Name, n.Status, orNone(strings.Join(n.Roles, ",")), render.Age(n.Created, now), n.Version, orNone(n.InternalIP),
			n.Allocatable.CPU + "/" + n.Capacity.CPU, n.Allocatable.Memory + "/" + n.Capacity.Memory, n.Allocatable.Pods + "/" + n.Capacity.Pods,
			orNone(taints(n.Taints)), orNone(strings.Join(n.Problems, ",")),
		})
	}
	return t
}

func taints(ts []Taint) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		kv := t.Key
		if t.Value != "" {
			kv += "=" + t.Value
		}
		parts = append(parts, kv+":"+t.Effect)
	}
	return strings.Join(parts, ",")
}

// problemMessages are the messages of the bad conditions, which come from the
// node (kubelet, node-problem-detector).
func problemMessages(nodes []Node) string {
	var b strings.Builder
	for _, n := range nodes {
		for _, c := range n.Conditions {
			if c.Message != "" && c.abnormal() {
				fmt.Fprintf(&b, "%s %s: %s\n", n.Name, c.Type, c.Message)
			}
		}
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
