package console

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/clusters"
)

// Remote is a kubemcp the console reaches over streamable HTTP instead of
// the one in its own process (the separate-bridge deployment). The remote
// knows only the bearer it is given: every person signed in to the console
// reaches the clusters as the remote's caller with Token.
type Remote struct {
	URL   string
	Token string // a bearer the remote accepts; empty: none
}

// connect opens an MCP session with the remote, ended with its Close.
func (r *Remote) connect(ctx context.Context) (*mcp.ClientSession, error) {
	hc := &http.Client{Transport: bearer{token: r.Token, base: http.DefaultTransport}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "kubemcp-console"}, nil).
		Connect(ctx, &mcp.StreamableClientTransport{Endpoint: r.URL, HTTPClient: hc}, nil)
	if err != nil {
		return nil, errorf(http.StatusBadGateway, "mcp_unavailable", "kubemcp at %s did not open a session for the console: %v", r.URL, err)
	}
	return cs, nil
}

// bearer sends the remote's token on every request.
type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	if b.token == "" {
		return b.base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(req)
}

// remoteListTTL is how long the remote's list of clusters is reused.
const remoteListTTL = 30 * time.Second

// remoteClusters names the remote's clusters from its clusters_list,
// read again when older than remoteListTTL.
type remoteClusters struct {
	bridge *bridge

	mu   sync.Mutex
	all  []string
	def  string
	read time.Time
}

var _ Clusters = (*remoteClusters)(nil)

func (rc *remoteClusters) Select(spec string) ([]string, error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if time.Since(rc.read) > remoteListTTL {
		if err := rc.refresh(); err != nil {
			return nil, err
		}
	}
	return clusters.Match(rc.all, rc.def, spec)
}

func (rc *remoteClusters) refresh() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultStreamDeadline)
	defer cancel()
	cs, err := rc.bridge.open(ctx, nil)
	if err != nil {
		return err
	}
	defer cs.Close()
	var out struct{ Clusters []clusterInfo }
	if err := call(ctx, cs, "clusters_list", struct{}{}, &out); err != nil {
		return err
	}
	rc.all, rc.def = nil, ""
	for _, c := range out.Clusters {
		rc.all = append(rc.all, c.Name)
		if c.Default {
			rc.def = c.Name
		}
	}
	rc.read = time.Now()
	return nil
}
