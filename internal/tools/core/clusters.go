package core

import (
	"context"
	"strconv"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// ClustersIn may narrow the clusters to look at.
type ClustersIn struct {
	toolset.TextCap
	// Names or patterns, comma-separated; default every cluster.
	Cluster string `json:"cluster,omitempty"`
}

// ClusterStatus is one cluster, a kubeconfig context, as it answered just now.
type ClusterStatus struct {
	Name      string `json:"name"`
	Server    string `json:"server"`
	Namespace string `json:"namespace" jsonschema:"the context's default namespace"`
	Default   bool   `json:"default" jsonschema:"whether tools act on this cluster when they name none"`
	Reachable bool   `json:"reachable"`
	Version   string `json:"version,omitempty"`
	Nodes     int    `json:"nodes" jsonschema:"-1 when not known"`
	LatencyMS int64  `json:"latency_ms"`
	Error     string `json:"error,omitempty"`
}

// ClustersOut is the structured result of clusters_list.
type ClustersOut struct {
	Clusters []ClusterStatus `json:"clusters"`
}

func (c *Core) clustersList() toolset.Tool {
	return toolset.New(mcp.Tool{
		Name:        "clusters_list",
		Description: "The contexts kubemcp serves, each checked now: reachable, version, nodes.",
		Annotations: toolset.ReadOnly("List clusters"),
	}, c.listClusters)
}

func (c *Core) listClusters(ctx context.Context, _ *mcp.CallToolRequest, in ClustersIn) (string, ClustersOut, error) {
	var names []string
	if in.Cluster != "" {
		var err error
		if names, err = c.deps.Clusters.Select(in.Cluster); err != nil {
			return "", ClustersOut{}, err
		}
	}
	out := ClustersOut{Clusters: []ClusterStatus{}}
	table := render.Table{Header: []string{"DEFAULT", "NAME", "SERVER", "NAMESPACE", "REACHABLE", "VERSION", "NODES", "LATENCY", "ERROR"}}
	for _, st := range c.deps.Clusters.Probe(ctx, names) {
		cs := ClusterStatus{Name: st.Name, Server: st.Server, Namespace: st.Namespace, Default: st.Default, Reachable: st.Reachable,
			Version: st.Version, Nodes: st.Nodes, LatencyMS: st.Latency.Milliseconds(), Error: st.Error}
		out.Clusters = append(out.Clusters, cs)
		def, nodes, latency := "", "?", "-"
		if cs.Default {
			def = "*"
		}
		if cs.Nodes >= 0 {
			nodes = strconv.Itoa(cs.Nodes)
		}
		if cs.Reachable {
			latency = st.Latency.Round(time.Millisecond).String()
		}
		table.Rows = append(table.Rows, []string{def, cs.Name, cs.Server, orNone(cs.Namespace), strconv.FormatBool(cs.Reachable), orNone(cs.Version), nodes, latency, orNone(cs.Error)})
	}
	return table.Render(c.deps.Budget(in.TextCap), "The list is longer than the budget; name fewer clusters (cluster) or raise max_bytes."), out, nil
}
