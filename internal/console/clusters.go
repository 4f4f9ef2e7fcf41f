package console

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/store"
)

// clusterInfo is what the browser learns of a cluster from clusters_list:
// named fields only, so nothing else the tool may add reaches it.
type clusterInfo struct {
	Name      string `json:"name"`
	Server    string `json:"server"`
	Namespace string `json:"namespace"`
	Default   bool   `json:"default"`
	Reachable bool   `json:"reachable"`
	Version   string `json:"version,omitempty"`
	Nodes     int    `json:"nodes"`
	LatencyMS int64  `json:"latencyMs"`
	Error     string `json:"error,omitempty"`
}

func (c *Console) clusters(w http.ResponseWriter, r *http.Request, u store.User) error {
	cs, err := c.bridge.open(r.Context(), identityOf(u))
	if err != nil {
		return err
	}
	defer cs.Close()
	var out struct {
		Clusters []clusterInfo `json:"clusters"`
	}
	if err := call(r.Context(), cs, "clusters_list", struct{}{}, &out); err != nil {
		return err
	}
	if out.Clusters == nil {
		out.Clusters = []clusterInfo{}
	}
	return writeJSON(w, http.StatusOK, out)
}

// detailPart is one part of a cluster's detail: a tool call and the field
// of its result that holds the items.
type detailPart struct {
	name, tool, items string
	resource          string
}

var detailParts = []detailPart{
	{name: "nodes", tool: "nodes_list", items: "nodes"},
	{name: "deployments", tool: "resources_list", items: "rows", resource: "deployments"},
	{name: "statefulsets", tool: "resources_list", items: "rows", resource: "statefulsets"},
	{name: "daemonsets", tool: "resources_list", items: "rows", resource: "daemonsets"},
	{name: "events", tool: "events_list", items: "events"},
}

// clusterDetail is GET /api/clusters/{name}: its nodes, workloads and
// events, each part read by its tool at once, as the signed-in user. A part
// the user may not read, or that failed, is named in errors with why; the
// others are still there.
type clusterDetail struct {
	Name      string                     `json:"name"`
	Nodes     json.RawMessage            `json:"nodes"`
	Workloads map[string]json.RawMessage `json:"workloads"` // deployments, statefulsets, daemonsets
	Events    json.RawMessage            `json:"events"`
	Errors    map[string]string          `json:"errors"` // part: why it is missing
}

func (c *Console) clusterDetail(w http.ResponseWriter, r *http.Request, u store.User) error {
	name := r.PathValue("name")
	if err := c.knownCluster(name); err != nil {
		return err
	}
	cs, err := c.bridge.open(r.Context(), identityOf(u))
	if err != nil {
		return err
	}
	defer cs.Close()
	out := clusterDetail{Name: name, Workloads: map[string]json.RawMessage{}, Errors: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range detailParts {
		wg.Go(func() {
			items, err := readPart(r.Context(), cs, name, p)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				out.Errors[p.name] = err.Error()
			case p.name == "nodes":
				out.Nodes = items
			case p.name == "events":
				out.Events = items
			default:
				out.Workloads[p.name] = items
			}
		})
	}
	wg.Wait()
	return writeJSON(w, http.StatusOK, out)
}

func readPart(ctx context.Context, cs *mcp.ClientSession, cluster string, p detailPart) (json.RawMessage, error) {
	var res map[string]json.RawMessage
	if err := call(ctx, cs, p.tool, toolArgs{Cluster: cluster, Resource: p.resource}, &res); err != nil {
		return nil, err
	}
	if res[p.items] == nil {
		return json.RawMessage("[]"), nil
	}
	return res[p.items], nil
}

// knownCluster refuses a name that is not exactly one cluster's.
func (c *Console) knownCluster(name string) error {
	names, err := c.opts.Clusters.Select(name)
	if err != nil || !slices.Equal(names, []string{name}) {
		return errorf(http.StatusNotFound, "not_found", "no cluster %q (GET /api/clusters lists them)", name)
	}
	return nil
}
