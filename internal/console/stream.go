package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/store"
)

// DefaultStreamDeadline bounds a whole stream: a cluster that has not
// answered by then is reported as failed, and the stream ends.
const DefaultStreamDeadline = 30 * time.Second

// streamConcurrency bounds the tool calls one stream has running at once.
const streamConcurrency = 8

// streamKind is what a stream lists: the tool, the field of its result that
// holds the items, whether it takes a namespace, and for resources_list the
// resource.
type streamKind struct {
	tool, items string
	namespaced  bool
	resource    string
	warnings    bool // events_list's warnings only
}

var streamKinds = map[string]streamKind{
	"pods":        {tool: "pods_list", items: "pods", namespaced: true},
	"events":      {tool: "events_list", items: "events", namespaced: true},
	"nodes":       {tool: "nodes_list", items: "nodes"},
	"deployments": {tool: "resources_list", items: "rows", namespaced: true, resource: "deployments"},
	"services":    {tool: "resources_list", items: "rows", namespaced: true, resource: "services"},
	"issues":      {tool: "find_issues", items: "findings", namespaced: true},
	"security":    {tool: "security_scan", items: "findings", namespaced: true},
}

// streamNames lists the streams for a refusal to name them.
const streamNames = "pods, events, nodes, deployments, services, issues and security"

// toolArgs are the arguments the console gives the tools it asks (the
// streams', the insight cards', the cluster pages'), each tool the ones it
// takes.
type toolArgs struct {
	Cluster   string `json:"cluster,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Warnings  bool   `json:"warnings_only,omitempty"`
	SortBy    string `json:"sort_by,omitempty"`
	Verb      string `json:"verb,omitempty"`
	MaxBytes  int    `json:"max_bytes,omitempty"`
}

// clusterPart is one cluster's part of a fanned-out tool result
// (toolset.Fanned).
type clusterPart struct {
	Cluster string                     `json:"cluster"`
	Result  map[string]json.RawMessage `json:"result"`
	Error   string                     `json:"error"`
	Skipped bool                       `json:"skipped"`
}

// The stream's events.
type (
	clusterData struct {
		Cluster string          `json:"cluster"`
		Items   json.RawMessage `json:"items"`
		Source  string          `json:"source"`
	}
	clusterError struct {
		Cluster string `json:"cluster"`
		Error   string `json:"error"`
	}
	clusterSkipped struct {
		Cluster string `json:"cluster"`
		Reason  string `json:"reason"`
	}
	streamDone struct {
		TotalClusters     int `json:"totalClusters"`
		CompletedClusters int `json:"completedClusters"`
		SkippedOffline    int `json:"skippedOffline"`
	}
)

// stream serves GET /api/stream/{kind}?cluster=&namespace= as server-sent
// events: the clusters are asked in parallel, one tool call each, and each
// answer goes out as it comes (cluster_data, cluster_error, or
// cluster_skipped for a cluster kubemcp knows is down and is backing off
// from), then done with the counts. kubemcp's per-cluster timeout bounds
// each call and the stream deadline the whole, so a stream always ends.
func (c *Console) stream(w http.ResponseWriter, r *http.Request, u store.User) error {
	kind, ok := streamKinds[r.PathValue("kind")]
	if !ok {
		return errorf(http.StatusNotFound, "not_found", "no stream %q; there are %s", r.PathValue("kind"), streamNames)
	}
	ns := r.URL.Query().Get("namespace")
	return c.fanOut(w, r, u, func(ctx context.Context, cs *mcp.ClientSession, name string, multi bool) (string, any) {
		return c.askCluster(ctx, cs, kind, name, ns, multi)
	})
}

// fanOut serves a stream of each cluster's answer to ask, asked over one
// MCP session as the signed-in user, the clusters of the cluster parameter
// in parallel, then done with the counts; the stream deadline bounds it.
func (c *Console) fanOut(w http.ResponseWriter, r *http.Request, u store.User,
	ask func(ctx context.Context, cs *mcp.ClientSession, name string, multi bool) (string, any)) error {
	call, err := c.clustersCall(r, u)
	if err != nil {
		return err
	}
	defer call.end()
	ctx, cs, names := call.ctx, call.cs, call.names
	s, err := c.startSSE(w)
	if err != nil {
		return err
	}
	multi := c.multiCluster()
	s.send("done", c.fan(ctx, names, s, func(name string) (string, any) { return ask(ctx, cs, name, multi) }))
	return nil
}

// clustersCall is a request's question to the clusters its cluster
// parameter names: over one MCP session as the signed-in user, within the
// stream deadline; end releases both.
type clustersCall struct {
	names []string
	ctx   context.Context
	cs    *mcp.ClientSession
	end   func()
}

func (c *Console) clustersCall(r *http.Request, u store.User) (clustersCall, error) {
	return c.callClusters(r.Context(), u, r.URL.Query().Get("cluster"))
}

// callClusters is a question to the clusters spec names (as the cluster
// parameter does) as u.
func (c *Console) callClusters(ctx context.Context, u store.User, spec string) (clustersCall, error) {
	names, err := c.clusterNames(spec)
	if err != nil {
		return clustersCall{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.StreamDeadline)
	cs, err := c.bridge.open(ctx, identityOf(u))
	if err != nil {
		cancel()
		return clustersCall{}, err
	}
	return clustersCall{names, ctx, cs, func() { cs.Close(); cancel() }}, nil
}

// clusterNames are the clusters a stream covers: those spec names or
// matches (as the tools' cluster argument), every cluster when empty.
func (c *Console) clusterNames(spec string) ([]string, error) {
	if spec == "" {
		spec = "*"
	}
	names, err := c.opts.Clusters.Select(spec)
	if err != nil {
		return nil, invalid("cluster", "%v", err)
	}
	return names, nil
}

// fan asks every cluster, streamConcurrency at a time, and sends each
// answer as it arrives.
func (c *Console) fan(ctx context.Context, names []string, s *sse, ask func(name string) (string, any)) streamDone {
	done := streamDone{TotalClusters: len(names)}
	slots := make(chan struct{}, streamConcurrency)
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				s.send("cluster_error", clusterError{name, c.deadlineMessage()})
				return
			}
			event, v := ask(name)
			s.count(event, &done)
			s.send(event, v)
		})
	}
	wg.Wait()
	return done
}

// askOne calls tool for one cluster. With several clusters it names a
// one-item list ("name,"), which the tool answers in its across-clusters
// shape: that part says whether kubemcp skipped the cluster as unreachable,
// which a plain error would not. It returns the cluster's result, or the
// event that says why there is none.
func (c *Console) askOne(ctx context.Context, cs *mcp.ClientSession, tool string, args toolArgs, name string, multi bool) (map[string]json.RawMessage, string, any) {
	args.Cluster = name
	if multi {
		args.Cluster = name + ","
	}
	var out map[string]json.RawMessage
	err := call(ctx, cs, tool, args, &out)
	part := clusterPart{Cluster: name, Result: out}
	if multi && err == nil {
		err = onePart(out, &part)
	}
	switch {
	case ctx.Err() != nil:
		return nil, "cluster_error", clusterError{name, c.deadlineMessage()}
	case err != nil:
		return nil, "cluster_error", clusterError{name, err.Error()}
	case part.Skipped:
		return nil, "cluster_skipped", clusterSkipped{name, part.Error}
	case part.Error != "":
		return nil, "cluster_error", clusterError{name, part.Error}
	}
	return part.Result, "", nil
}

// askCluster asks kind's tool for one cluster's list, as a stream sends it.
func (c *Console) askCluster(ctx context.Context, cs *mcp.ClientSession, kind streamKind, name, ns string, multi bool) (string, any) {
	args := toolArgs{Resource: kind.resource, Warnings: kind.warnings}
	if kind.namespaced {
		args.Namespace = ns
	}
	res, event, v := c.askOne(ctx, cs, kind.tool, args, name, multi)
	if event != "" {
		return event, v
	}
	items := res[kind.items]
	if items == nil {
		items = json.RawMessage("[]")
	}
	return "cluster_data", clusterData{Cluster: name, Items: items, Source: "kubemcp"}
}

// onePart reads the one cluster's part of an across-clusters result.
func onePart(out map[string]json.RawMessage, part *clusterPart) error {
	var parts []clusterPart
	if err := json.Unmarshal(out["clusters"], &parts); err != nil || len(parts) != 1 {
		return fmt.Errorf("the tool answered for %d clusters, not one (%v)", len(parts), err)
	}
	*part = parts[0]
	return nil
}

func (c *Console) multiCluster() bool {
	all, err := c.opts.Clusters.Select("*")
	return err == nil && len(all) > 1
}

func (c *Console) deadlineMessage() string {
	return fmt.Sprintf("no answer within the stream's deadline (%s)", c.opts.StreamDeadline)
}

// sse writes server-sent events, one at a time. A reader that has not
// taken one within stall ends the stream: the write fails, net/http closes
// the connection and ends the request's context, and every later write
// fails at once, so a browser that stops reading holds the handler, and
// what feeds it, for at most stall.
type sse struct {
	mu    sync.Mutex
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
	err   error // why the stream broke
}

// startSSE answers with the headers of a stream of server-sent events and
// returns its writer.
func (c *Console) startSSE(w http.ResponseWriter) (*sse, error) {
	if _, ok := w.(http.Flusher); !ok {
		return nil, errors.New("the response cannot be streamed")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)
	s := &sse{w: w, rc: http.NewResponseController(w), stall: c.opts.StreamStall}
	return s, s.write(nil)
}

func (s *sse) send(event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		data = []byte(`{}`) // the events are plain structs: cannot happen
	}
	return s.write(fmt.Appendf(nil, "event: %s\ndata: %s\n\n", event, data))
}

// comment sends a line the client ignores, to keep an idle stream open.
func (s *sse) comment(text string) error {
	return s.write(fmt.Appendf(nil, ": %s\n\n", text))
}

// write sends p and flushes it, within stall.
func (s *sse) write(p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	_ = s.rc.SetWriteDeadline(time.Now().Add(s.stall)) // net/http's writers have deadlines
	_, s.err = s.w.Write(p)
	if s.err == nil {
		s.err = s.rc.Flush()
	}
	_ = s.rc.SetWriteDeadline(time.Time{})
	return s.err
}

func (s *sse) count(event string, d *streamDone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch event {
	case "cluster_data":
		d.CompletedClusters++
	case "cluster_skipped":
		d.SkippedOffline++
	}
}
