package console

import (
	"net/http"

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
