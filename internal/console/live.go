package console

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/store"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// liveKind is a resource /api/live watches and how one of its objects is
// summed up for a card.
type liveKind struct {
	gvr        schema.GroupVersionResource
	namespaced bool
	sum        func(*liveChange, map[string]any)
}

// liveKinds are the streams' kinds that are plain resources. Secrets and
// the like are not among them: a change carries a summary, read beneath the
// caller's RBAC and policy, never the object.
var liveKinds = map[string]liveKind{
	"pods":        {gvr: schema.GroupVersionResource{Version: "v1", Resource: "pods"}, namespaced: true, sum: sumPod},
	"events":      {gvr: schema.GroupVersionResource{Version: "v1", Resource: "events"}, namespaced: true, sum: sumEvent},
	"deployments": {gvr: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, namespaced: true, sum: sumDeployment},
	"services":    {gvr: schema.GroupVersionResource{Version: "v1", Resource: "services"}, namespaced: true, sum: sumService},
	"nodes":       {gvr: schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, sum: sumNode},
}

const liveNames = "pods, events, deployments, services and nodes"

const (
	// liveBuffer is how many changes a live stream holds for a slow
	// reader before it drops them and tells the reader to re-read.
	liveBuffer = 256
	// liveHeartbeat keeps idle streams open through proxies.
	liveHeartbeat = 20 * time.Second
)

// The live stream's events besides "change".
type (
	liveWatching struct {
		Cluster string `json:"cluster"`
		Kind    string `json:"kind"`
	}
	liveError struct {
		Cluster string `json:"cluster"`
		Kind    string `json:"kind"`
		Error   string `json:"error"`
	}
	liveReady struct {
		Watching int `json:"watching"`
		Failed   int `json:"failed"`
	}
	liveResync struct {
		Reason string `json:"reason"`
	}
)

// liveChange is one object that changed, summed up for a card.
type liveChange struct {
	Cluster         string `json:"cluster"`
	Kind            string `json:"kind"`
	Type            string `json:"type"` // added, updated, deleted
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name"`
	ResourceVersion string `json:"resourceVersion"`
	Status          string `json:"status,omitempty"`
	Ready           string `json:"ready,omitempty"`
	Restarts        int64  `json:"restarts,omitempty"`
	Reason          string `json:"reason,omitempty"`
	Message         string `json:"message,omitempty"`
	Object          string `json:"object,omitempty"` // an event's object: Kind/name
}

// live serves GET /api/live?kinds=pods,events&cluster=&namespace= as
// server-sent events: it watches each kind in each cluster as the user, in
// the server's shared watch pool (whose per-user bounds hold), and sends
// each change as it happens. First come watching or watch_error for each
// cluster and kind, then ready with the counts, then change events (resync
// when some were dropped for a slow reader, or a kubeconfig reload changed
// the cluster and its watch was opened again; watch_error when it could not
// be) until the client goes away. A
// stream where nothing could be watched ends after ready.
func (c *Console) live(w http.ResponseWriter, r *http.Request, u store.User) error {
	if c.opts.Watches == nil {
		return errorf(http.StatusNotImplemented, "no_live", "live updates watch through the console's own kubemcp, which a console started with --mcp-url has not; re-read with /api/stream/KIND instead")
	}
	q := r.URL.Query()
	kinds, err := parseLiveKinds(q.Get("kinds"))
	if err != nil {
		return err
	}
	names, err := c.clusterNames(q.Get("cluster"))
	if err != nil {
		return err
	}
	ctx := identity.NewContext(r.Context(), identityOf(u))
	s, err := c.startSSE(w)
	if err != nil {
		return err
	}
	feed := newLiveFeed()
	stops, ready := c.watchLive(ctx, names, kinds, q.Get("namespace"), s, feed)
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	s.send("ready", ready)
	if ready.Watching == 0 {
		return nil
	}
	feed.run(ctx, s)
	return nil
}

// parseLiveKinds reads the kinds parameter: a comma-separated list of
// liveKinds, each once.
func parseLiveKinds(spec string) ([]string, error) {
	if spec == "" {
		return nil, invalid("kinds", "name what to watch, comma-separated: %s", liveNames)
	}
	var kinds []string
	for k := range strings.SplitSeq(spec, ",") {
		k = strings.TrimSpace(k)
		if _, ok := liveKinds[k]; !ok {
			return nil, invalid("kinds", "%q cannot be watched; these can: %s", k, liveNames)
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}

// watchLive starts a watch of every kind in every cluster at once (each
// waits for its first list, which a down cluster makes slow) and reports
// each as it starts or fails; it returns what stops those that started.
func (c *Console) watchLive(ctx context.Context, names, kinds []string, ns string, s *sse, feed *liveFeed) ([]func(), liveReady) {
	var mu sync.Mutex
	var stops []func()
	var ready liveReady
	var wg sync.WaitGroup
	for _, cluster := range names {
		for _, kind := range kinds {
			wg.Go(func() {
				stop, err := c.watchOne(ctx, cluster, kind, ns, feed)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					ready.Failed++
					s.send("watch_error", liveError{cluster, kind, err.Error()})
					return
				}
				ready.Watching++
				stops = append(stops, stop)
				s.send("watching", liveWatching{cluster, kind})
			})
		}
	}
	wg.Wait()
	return stops, ready
}

// watchOne watches kind in cluster as the caller in ctx, summing up each
// change into feed.
func (c *Console) watchOne(ctx context.Context, cluster, kind, ns string, feed *liveFeed) (func(), error) {
	lk := liveKinds[kind]
	target := tracker.Target{Resource: lk.gvr}
	if lk.namespaced {
		target.Namespace = ns
	}
	return c.opts.Watches.Watch(ctx, cluster, target, func(e tracker.Event) {
		switch e.Type {
		case tracker.Reopened: // changes made while the watch was down were not seen
			feed.add("resync", liveResync{Reason: "cluster " + cluster + " changed in the kubeconfig and its " + kind + " were watched again; re-read with /api/stream/" + kind})
		case tracker.Ended:
			feed.add("watch_error", liveError{cluster, kind, e.Err.Error()})
		default:
			o := e.Object()
			ch := liveChange{Cluster: cluster, Kind: kind, Type: e.Type, Namespace: o.GetNamespace(), Name: o.GetName(), ResourceVersion: o.GetResourceVersion()}
			lk.sum(&ch, o.Object)
			feed.add("change", ch)
		}
	})
}

// liveEvent is one event of a live stream, from a watch.
type liveEvent struct {
	name string
	data any
}

// liveFeed carries changes, and what the pool says of the watches, from the
// watches' goroutines, which must not wait, to the one that writes the
// stream.
type liveFeed struct {
	changes chan liveEvent
	dropped atomic.Bool
}

func newLiveFeed() *liveFeed { return &liveFeed{changes: make(chan liveEvent, liveBuffer)} }

// add queues an event, or drops it when the reader is that far behind.
func (f *liveFeed) add(name string, data any) {
	select {
	case f.changes <- liveEvent{name, data}:
	default:
		f.dropped.Store(true)
	}
}

// run sends the changes until ctx ends or the stream breaks, with a
// heartbeat comment while idle.
func (f *liveFeed) run(ctx context.Context, s *sse) {
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	for {
		var err error
		select {
		case ev := <-f.changes:
			err = s.send(ev.name, ev.data)
			if err == nil && f.dropped.Swap(false) {
				err = s.send("resync", liveResync{Reason: "changes came faster than this stream could send them and some were dropped; re-read with /api/stream/KIND"})
			}
		case <-beat.C:
			err = s.comment("heartbeat")
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}
