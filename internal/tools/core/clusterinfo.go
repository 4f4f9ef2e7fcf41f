package core

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ClusterInfoIn takes no arguments.
type ClusterInfoIn struct{ toolset.Target }

// ClusterInfoOut is the structured result of cluster_info.
type ClusterInfoOut struct {
	Server      string   `json:"server"`
	Version     string   `json:"version" jsonschema:"the apiserver's version, e.g. v1.34.4"`
	Platform    string   `json:"platform"`
	Namespace   string   `json:"namespace" jsonschema:"the default namespace of kubemcp's context"`
	APIGroups   int      `json:"apiGroups"`
	Resources   int      `json:"resources" jsonschema:"resource kinds served, at their preferred versions"`
	ExtraGroups []string `json:"extraGroups" jsonschema:"API groups beyond Kubernetes' own: custom resources and aggregated APIs"`
	Nodes       *int     `json:"nodes,omitempty"`
	ReadyNodes  *int     `json:"readyNodes,omitempty"`
	Notes       []string `json:"notes" jsonschema:"what could not be read, and why"`
}

// nodeScan is the most nodes cluster_info reads to count the ready ones.
const nodeScan = 500

func (c *Core) clusterInfo() toolset.Tool {
	return toolset.FanOut(c.deps, mcp.Tool{
		Name:        "cluster_info",
		Description: "Apiserver version, API groups, custom resource groups, ready nodes.",
		Annotations: toolset.ReadOnly("Cluster info"),
	}, c.info)
}

func (c *Core) info(ctx context.Context, _ *mcp.CallToolRequest, in ClusterInfoIn) (string, ClusterInfoOut, error) {
	out := ClusterInfoOut{ExtraGroups: []string{}, Notes: []string{}}
	kc, err := c.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	v, err := kc.Discovery.ServerVersion()
	if err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "version"})
	}
	out.Server, out.Version, out.Platform, out.Namespace = kc.Config.Host, v.GitVersion, v.Platform, kc.Namespace
	apiSummary(kc, &out)
	countNodes(ctx, kc, &out)
	return infoText(out), out, nil
}

func apiSummary(kc *kube.Client, out *ClusterInfoOut) {
	groups, err := kc.Discovery.ServerGroups()
	if err != nil {
		out.Notes = append(out.Notes, "API groups: "+err.Error())
		return
	}
	out.APIGroups = len(groups.Groups)
	for _, g := range groups.Groups {
		if g.Name != "" && !scheme.Scheme.IsGroupRegistered(g.Name) && g.Name != "apiextensions.k8s.io" && g.Name != "apiregistration.k8s.io" {
			out.ExtraGroups = append(out.ExtraGroups, g.Name)
		}
	}
	slices.Sort(out.ExtraGroups)
	lists, err := kc.Discovery.ServerPreferredResources()
	if err != nil {
		out.Notes = append(out.Notes, "some API groups could not be read: "+err.Error())
	}
	for _, l := range lists {
		for _, r := range l.APIResources {
			if !strings.Contains(r.Name, "/") {
				out.Resources++
			}
		}
	}
}

// countNodes counts nodes (all of them, from the list's remaining count) and
// the ready ones among the first nodeScan.
func countNodes(ctx context.Context, kc *kube.Client, out *ClusterInfoOut) {
	list, err := kc.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: nodeScan})
	if err != nil {
		out.Notes = append(out.Notes, "nodes: "+toolset.Explain(err, toolset.Op{Verb: "list", Resource: "nodes"}).Error())
		return
	}
	total, ready := len(list.Items), 0
	if list.RemainingItemCount != nil {
		total += int(*list.RemainingItemCount)
	}
	for _, n := range list.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	out.Nodes, out.ReadyNodes = &total, &ready
	if total > len(list.Items) {
		out.Notes = append(out.Notes, fmt.Sprintf("readiness counted over the first %d nodes only", len(list.Items)))
	}
}

func infoText(out ClusterInfoOut) string {
	var b strings.Builder
	field := func(name, value string) { fmt.Fprintf(&b, "%-18s %s\n", name+":", value) }
	field("Server", out.Server)
	field("Version", fmt.Sprintf("%s (%s)", out.Version, out.Platform))
	field("Default namespace", out.Namespace)
	field("API", fmt.Sprintf("%d groups, %d resource kinds (api_resources_list shows them)", out.APIGroups, out.Resources))
	field("Extra API groups", orNone(strings.Join(out.ExtraGroups, ", ")))
	if out.Nodes != nil {
		field("Nodes", fmt.Sprintf("%d (%d ready)", *out.Nodes, *out.ReadyNodes))
	}
	for _, n := range out.Notes {
		fmt.Fprintf(&b, "[%s]\n", n)
	}
	return b.String()
}
