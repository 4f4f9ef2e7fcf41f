package pods

import (
	"context"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// TopNodesIn selects the nodes whose usage to show.
type TopNodesIn struct {
	toolset.Target
	toolset.TextCap
	Name          string `json:"name,omitempty"`
	LabelSelector string `json:"label_selector,omitempty"`
	SortBy        string `json:"sort_by,omitempty" jsonschema:"cpu or memory; default: name"`
}

// NodeUsage is the usage of one node, and its share of what the node can
// give pods (allocatable).
type NodeUsage struct {
	Name string `json:"name"`
	Usage
	CPUPercent    *int64 `json:"cpu_percent,omitempty" jsonschema:"usage over allocatable CPU; absent when the node could not be read"`
	MemoryPercent *int64 `json:"memory_percent,omitempty" jsonschema:"usage over allocatable memory; absent when the node could not be read"`
}

// TopNodesOut is the structured result of nodes_top.
type TopNodesOut struct {
	Nodes   []NodeUsage `json:"nodes"`
	Matched int         `json:"matched" jsonschema:"how many matched; the list holds those the text shows"`
}

func (p *Pods) nodesTop() toolset.Tool {
	return toolset.FanOut(p.deps, mcp.Tool{
		Name:        "nodes_top",
		Description: "Nodes' CPU and memory use (metrics-server) and share of allocatable.",
		Annotations: toolset.ReadOnly("Node resource usage"),
	}, p.topNodes)
}

func (p *Pods) topNodes(ctx context.Context, _ *mcp.CallToolRequest, in TopNodesIn) (string, TopNodesOut, error) {
	out := TopNodesOut{Nodes: []NodeUsage{}}
	kc, mc, err := p.topClients(ctx, in.Cluster, in.SortBy)
	if err != nil {
		return "", out, err
	}
	api := mc.MetricsV1beta1().NodeMetricses()
	items, err := oneOrList(ctx, in.Name, in.LabelSelector, api.Get, api.List,
		func(l *metricsv1beta1.NodeMetricsList) []metricsv1beta1.NodeMetrics { return l.Items })
	if err != nil {
		return "", out, metricsErr(ctx, kc, err, toolset.Op{Verb: "list", Resource: "nodes.metrics.k8s.io", Name: in.Name})
	}
	if len(items) == 0 {
		return noMetrics("nodes", "", in.LabelSelector), out, nil
	}
	alloc, allocErr := allocatable(ctx, kc, in)
	for _, nm := range items {
		out.Nodes = append(out.Nodes, nodeUsage(nm, alloc[nm.Name]))
	}
	sortUsage(out.Nodes, in.SortBy, func(u NodeUsage) (string, Usage) { return u.Name, u.Usage })
	out.Matched = len(out.Nodes)
	text, shown := nodeUsageTable(out.Nodes).Fit(p.deps.Budget(in.TextCap), "Narrow with label_selector, or use sort_by to see the busiest first.")
	out.Nodes = out.Nodes[:shown]
	if allocErr != nil {
		text += "Percentages of allocatable are missing: " + allocErr.Error() + "\n"
	}
	return text, out, nil
}

// allocatable reads what each node can give pods, for the percentages.
func allocatable(ctx context.Context, kc *kube.Client, in TopNodesIn) (map[string]corev1.ResourceList, error) {
	opts := metav1.ListOptions{LabelSelector: in.LabelSelector}
	if in.Name != "" {
		opts = metav1.ListOptions{FieldSelector: "metadata.name=" + in.Name}
	}
	nodes, err := kc.Typed.CoreV1().Nodes().List(ctx, opts)
	if err != nil {
		return nil, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "nodes"})
	}
	out := make(map[string]corev1.ResourceList, len(nodes.Items))
	for _, n := range nodes.Items {
		out[n.Name] = n.Status.Allocatable
	}
	return out, nil
}

func nodeUsage(nm metricsv1beta1.NodeMetrics, alloc corev1.ResourceList) NodeUsage {
	u := NodeUsage{Name: nm.Name, Usage: usageOf(nm.Usage)}
	if c := alloc.Cpu().MilliValue(); c > 0 {
		u.CPUPercent = percentOf(u.CPUMillicores, c)
	}
	if m := alloc.Memory().Value(); m > 0 {
		u.MemoryPercent = percentOf(u.MemoryBytes, m)
	}
	return u
}

func percentOf(used, total int64) *int64 {
	p := used * 100 / total
	return &p
}

func nodeUsageTable(nodes []NodeUsage) render.Table {
	t := render.Table{Header: []string{"NAME", "CPU", "CPU%", "MEMORY", "MEMORY%"}}
	for _, u := range nodes {
		t.Rows = append(t.Rows, []string{u.Name, cpu(u.CPUMillicores), percent(u.CPUPercent), mem(u.MemoryBytes), percent(u.MemoryPercent)})
	}
	return t
}

func percent(p *int64) string {
	if p == nil {
		return "<unknown>"
	}
	return strconv.FormatInt(*p, 10) + "%"
}
