package cache

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

var _ tracker.Shared = (*Cache)(nil)

// Watch serves a tracker watch of target in clusterName, for the caller in
// ctx, from the cluster's informer of its kind, when it can serve it exactly
// as the caller's own watch would be: kubemcp's policy and the cluster's
// authorizer let the caller list and watch the resource in the target's
// namespace (the requests a tracker makes), and the kind is cached and
// ready. Else an error wrapping tracker.ErrNotShared: the caller watches
// through its own client, which words any refusal. The access decisions are
// asked again, once they are older than AccessTTL, as events come: a caller
// who lost access gets no event past the TTL.
func (c *Cache) Watch(ctx context.Context, clusterName string, target tracker.Target, fn func(tracker.Event)) (func(), error) {
	stop, err := c.watch(ctx, clusterName, target, fn)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", tracker.ErrNotShared, err)
	}
	return stop, nil
}

func (c *Cache) watch(ctx context.Context, clusterName string, target tracker.Target, fn func(tracker.Event)) (func(), error) {
	res, err := c.resolve(clusterName, target.Resource)
	if err != nil {
		return nil, err
	}
	if !res.Namespaced && target.Namespace != "" {
		return nil, ErrDirect
	}
	list := access{verb: "list", group: res.GVR.Group, resource: res.GVR.Resource, namespace: target.Namespace}
	watch := list
	watch.verb = "watch"
	if err := c.decide(res, watch, ""); err != nil {
		return nil, err
	}
	cl, k, err := c.reader(ctx, clusterName, res, list, "")
	if err != nil {
		return nil, err
	}
	w := &watcher{ctx: ctx, cache: c, cluster: cl, verbs: []access{list, watch}, gvk: res.GVK, namespace: target.Namespace,
		name: target.Name, next: tracker.Handler("", fn)} // ours filters the name
	if !w.allowed() {
		return nil, ErrDirect
	}
	if !cl.watch(informerKey(res.GVR), k) {
		return nil, ErrDirect // stopped since the read took it: full, or idle
	}
	reg, err := k.informer.AddEventHandler(w)
	if err != nil { // the informer was stopped meanwhile (its cluster forgotten)
		cl.unwatch(k)
		return nil, err
	}
	return sync.OnceFunc(func() {
		_ = k.informer.RemoveEventHandler(reg)
		k.used(c.opts.Now()) // idle from now, not from its last read
		cl.unwatch(k)
	}), nil
}

// resolve is gvr as the cluster serves it, with the kind and scope that
// kubemcp's policy decides by.
func (c *Cache) resolve(clusterName string, gvr schema.GroupVersionResource) (kube.Resolved, error) {
	kc, _, err := c.opts.Clusters.Server(clusterName)
	if err != nil {
		return kube.Resolved{}, ErrDirect // the direct path says what is wrong with the cluster
	}
	res, err := kc.Resolve(kube.Ref{Resource: gvr.Resource + "." + gvr.Version + "." + gvr.Group})
	if err != nil || res.GVR != gvr {
		return kube.Resolved{}, ErrDirect
	}
	return res, nil
}

// watcher is one shared watch's handler on its kind's informer: it passes
// on the events in its namespace, while the caller may still list and watch
// there, as the objects a dynamic client returns, to the tracker's handler.
type watcher struct {
	ctx       context.Context // carries the caller
	cache     *Cache
	cluster   *cluster
	verbs     []access
	gvk       schema.GroupVersionKind
	namespace string // "" is every namespace
	name      string // "" is every object
	next      toolscache.ResourceEventHandler
}

func (w *watcher) OnAdd(obj any, initial bool) {
	if !initial && w.ours(obj) { // the objects listed when it joined are not news
		w.next.OnAdd(w.convert(obj), false)
	}
}

func (w *watcher) OnUpdate(oldObj, newObj any) {
	if w.ours(newObj) {
		w.next.OnUpdate(w.convert(oldObj), w.convert(newObj))
	}
}

func (w *watcher) OnDelete(obj any) {
	if w.ours(obj) {
		w.next.OnDelete(w.convert(obj))
	}
}

// ours reports whether obj is the watch's (its namespace, its name if it
// has one) and the caller may still see it there: checked before an event
// is converted, so a watch converts only what it passes on.
func (w *watcher) ours(obj any) bool {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, err := meta.Accessor(obj)
	if err != nil || w.namespace != "" && m.GetNamespace() != w.namespace || w.name != "" && m.GetName() != w.name {
		return false
	}
	return w.allowed()
}

// allowed reports whether the caller may list and watch the watch's
// resource in its namespace, from decisions at most AccessTTL old; a review
// that fails allows nothing.
func (w *watcher) allowed() bool {
	for _, a := range w.verbs {
		if ok, err := w.cache.may(w.ctx, w.cluster, a); err != nil || !ok {
			return false
		}
	}
	return true
}

// convert is obj as a tracker's informer holds it: typed objects (pods)
// become unstructured, tombstones included. The cache's object is shared,
// as a tracker's is among its watchers: read it, never change it.
func (w *watcher) convert(obj any) any {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		d.Obj = w.convert(d.Obj)
		return d
	}
	u, err := asUnstructured(obj, w.gvk)
	if err != nil {
		return obj // not an object: the tracker's handler passes it by
	}
	return u
}
