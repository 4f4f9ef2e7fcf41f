package console

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/store"
)

// insightKind is what a card beyond lists shows: a diagnostic tool's
// result per cluster. items names the result's field of items; empty, the
// whole result goes as the one item.
type insightKind struct {
	tool       string
	items      string
	namespaced bool
	args       toolArgs
}

var insightKinds = map[string]insightKind{
	"overview": {tool: "namespace_overview", namespaced: true},
	// Every pod, not the budget's worth: the card sorts them by CPU and by memory.
	"top_pods":  {tool: "pods_top", items: "pods", namespaced: true, args: toolArgs{SortBy: "cpu", MaxBytes: render.MaxBudget}},
	"top_nodes": {tool: "nodes_top", items: "nodes", args: toolArgs{SortBy: "cpu"}},
	"usage":     {tool: "resource_usage", namespaced: true},
	"access":    {tool: "rbac_can_i", namespaced: true}, // asked once per commonAccess
}

const insightNames = "overview, top_pods, top_nodes, usage and access"

// commonAccess are what the RBAC card asks the apiserver the signed-in user
// may do: reading, debugging and changing workloads, and the risky ones.
var commonAccess = []struct{ verb, resource string }{
	{"list", "pods"}, {"get", "pods/log"}, {"create", "pods/exec"}, {"delete", "pods"},
	{"create", "deployments"}, {"patch", "deployments"}, {"list", "secrets"}, {"list", "nodes"},
}

// accessCheck is one of commonAccess, answered.
type accessCheck struct {
	Verb     string `json:"verb"`
	Resource string `json:"resource"`
	Allowed  bool   `json:"allowed"`
	Reason   string `json:"reason,omitempty"`
}

// insights serves GET /api/insights/{kind}?cluster=&namespace= as
// server-sent events in the shape of /api/stream (cluster_data,
// cluster_error, cluster_skipped, done): each cluster's answer from kind's
// tool, as the signed-in user, as it comes.
func (c *Console) insights(w http.ResponseWriter, r *http.Request, u store.User) error {
	kind, ok := insightKinds[r.PathValue("kind")]
	if !ok {
		return errorf(http.StatusNotFound, "not_found", "no insight %q; there are %s", r.PathValue("kind"), insightNames)
	}
	ns := ""
	if kind.namespaced {
		ns = r.URL.Query().Get("namespace")
	}
	return c.fanOut(w, r, u, func(ctx context.Context, cs *mcp.ClientSession, name string, multi bool) (string, any) {
		return c.askInsight(ctx, cs, kind, name, ns, multi)
	})
}

func (c *Console) askInsight(ctx context.Context, cs *mcp.ClientSession, kind insightKind, name, ns string, multi bool) (string, any) {
	if kind.tool == "rbac_can_i" {
		return c.askAccess(ctx, cs, name, ns, multi)
	}
	args := kind.args
	args.Namespace = ns
	res, event, v := c.askOne(ctx, cs, kind.tool, args, name, multi)
	if res == nil {
		return event, v
	}
	items := res[kind.items]
	if kind.items == "" {
		whole, err := json.Marshal(res)
		if err != nil {
			return "cluster_error", clusterError{name, err.Error()}
		}
		items = json.RawMessage("[" + string(whole) + "]")
	}
	if items == nil {
		items = json.RawMessage("[]")
	}
	return "cluster_data", clusterData{Cluster: name, Items: items, Source: "kubemcp"}
}

// askAccess asks rbac_can_i about each of commonAccess in turn.
func (c *Console) askAccess(ctx context.Context, cs *mcp.ClientSession, name, ns string, multi bool) (string, any) {
	checks := make([]accessCheck, 0, len(commonAccess))
	for _, a := range commonAccess {
		res, event, v := c.askOne(ctx, cs, "rbac_can_i", toolArgs{Namespace: ns, Verb: a.verb, Resource: a.resource}, name, multi)
		if res == nil {
			return event, v
		}
		check := accessCheck{Verb: a.verb, Resource: a.resource}
		_ = json.Unmarshal(res["allowed"], &check.Allowed) // absent: not allowed
		_ = json.Unmarshal(res["reason"], &check.Reason)
		checks = append(checks, check)
	}
	items, err := json.Marshal(checks)
	if err != nil {
		return "cluster_error", clusterError{name, err.Error()}
	}
	return "cluster_data", clusterData{Cluster: name, Items: items, Source: "kubemcp"}
}
