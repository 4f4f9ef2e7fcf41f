package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	toolscache "k8s.io/client-go/tools/cache"
)

// PodQuery is a list of pods, as the API takes one.
type PodQuery struct {
	Namespace     string // "" is every namespace
	LabelSelector string
	FieldSelector string
	Limit         int64
	Continue      string
}

// PodList is a cached answer to a PodQuery.
type PodList struct {
	// Items are in the apiserver's order (by namespace/name, as etcd keys
	// sort), and shared with the cache: read them, never change them.
	Items []*corev1.Pod
	// Partial, when set, says why the list covers only some namespaces: the
	// caller may not list pods in every namespace, only in Namespaces.
	Partial    string
	Namespaces []string
}

// podFields are the field selectors a cached read answers as the apiserver
// would; any other goes to the apiserver.
var podFields = map[string]func(*corev1.Pod) string{
	"metadata.name":      func(p *corev1.Pod) string { return p.Name },
	"metadata.namespace": func(p *corev1.Pod) string { return p.Namespace },
	"status.phase":       func(p *corev1.Pod) string { return string(p.Status.Phase) },
	"spec.nodeName":      func(p *corev1.Pod) string { return p.Spec.NodeName },
}

// reviewConcurrency bounds the access reviews of one partial list in flight.
const reviewConcurrency = 8

// ListPods answers q for the caller in ctx on the named cluster ("" is the
// default) from the cache. ErrDirect means read from the apiserver instead;
// a *policy.DeniedError is kubemcp's policy refusing the read, as it would a
// direct one.
func (c *Cache) ListPods(ctx context.Context, clusterName string, q PodQuery) (_ *PodList, err error) {
	defer func() { c.counted(clusterName, err) }()
	if q.Continue != "" {
		return nil, ErrDirect // the token is the apiserver's snapshot, which the cache cannot promise
	}
	match, err := podMatcher(q)
	if err != nil {
		return nil, ErrDirect // the apiserver words the error
	}
	cl, k, err := c.reader(ctx, clusterName, podsRes, access{verb: "list", resource: "pods", namespace: q.Namespace}, "")
	if err != nil {
		return nil, err
	}
	namespaces, partial, err := c.listable(ctx, cl, k, q.Namespace)
	if err != nil {
		return nil, err
	}
	items := pods(k.informer.GetIndexer(), namespaces, match)
	if q.Limit > 0 && int64(len(items)) > q.Limit {
		return nil, ErrDirect // a page with a continue token: see Query.Limit
	}
	return &PodList{Items: items, Partial: partial, Namespaces: namespaces}, nil
}

// startPods runs the cluster's pod informer: typed, so reads convert nothing.
func startPods(cl *cluster) *kind {
	pods := cl.client.CoreV1().Pods("")
	lw := &toolscache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return pods.Watch(ctx, o)
		},
	}
	return newKind("pods", lw, &corev1.Pod{}, cl.pulse)
}

// podMatcher is q's label and field selectors as one test, or an error when
// the cache cannot answer them exactly.
func podMatcher(q PodQuery) (func(*corev1.Pod) bool, error) {
	ls, err := labels.Parse(q.LabelSelector)
	if err != nil {
		return nil, err
	}
	fs, err := fields.ParseSelector(q.FieldSelector)
	if err != nil {
		return nil, err
	}
	for _, r := range fs.Requirements() {
		if podFields[r.Field] == nil {
			return nil, fmt.Errorf("field selector %q: not cached", r.Field)
		}
	}
	return func(p *corev1.Pod) bool {
		if !ls.Matches(labels.Set(p.Labels)) {
			return false
		}
		if fs.Empty() {
			return true
		}
		set := fields.Set{}
		for f, get := range podFields {
			set[f] = get(p)
		}
		return fs.Matches(set)
	}, nil
}

// awaitOwnWrites waits, up to WriteWait, until k has seen the caller's
// latest write of group/resource; ErrDirect if it has not by then.
func (c *Cache) awaitOwnWrites(ctx context.Context, cl *cluster, k *kind, group, resource string) error {
	key := writeKey(cl.host, idKey(ctx), group, resource)
	rv := c.writes.pending(key)
	if rv == 0 {
		return nil
	}
	if !k.waitSeen(ctx, rv, c.opts.WriteWait) {
		return ErrDirect
	}
	c.writes.seen(key, rv)
	return nil
}

// listable are the namespaces whose pods the caller may list: nil for all,
// or ns alone; when the caller may not list pods in every namespace, those
// of the cached namespaces it may list, with a sentence saying why the
// answer is partial. ErrDirect when it may list none of what was asked, so
// that the apiserver refuses it in its own words.
func (c *Cache) listable(ctx context.Context, cl *cluster, k *kind, ns string) ([]string, string, error) {
	ok, err := c.may(ctx, cl, access{verb: "list", resource: "pods", namespace: ns})
	switch {
	case errors.Is(err, ErrDirect):
		return nil, "", err
	case err != nil:
		c.opts.Logger.Debug("access review failed; reading directly", "error", err)
		return nil, "", ErrDirect
	case ok && ns == "":
		return nil, "", nil
	case ok:
		return []string{ns}, "", nil
	case ns != "":
		return nil, "", ErrDirect
	}
	allowed, err := c.mayEach(ctx, cl, k.informer.GetIndexer().ListIndexFuncValues(toolscache.NamespaceIndex))
	if err != nil || len(allowed) == 0 {
		return nil, "", ErrDirect
	}
	return allowed, fmt.Sprintf("You may not list pods in all namespaces; these are the pods of the %d namespaces where you may: %s.",
		len(allowed), strings.Join(allowed, ", ")), nil
}

// mayEach are the namespaces, sorted, in which the caller may list pods.
func (c *Cache) mayEach(ctx context.Context, cl *cluster, namespaces []string) ([]string, error) {
	var (
		mu      sync.Mutex
		allowed []string
		errs    []error
		wg      sync.WaitGroup
		slots   = make(chan struct{}, reviewConcurrency)
	)
	for _, ns := range namespaces {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			ok, err := c.may(ctx, cl, access{verb: "list", resource: "pods", namespace: ns})
			mu.Lock()
			defer mu.Unlock()
			if ok {
				allowed = append(allowed, ns)
			}
			errs = append(errs, err)
		})
	}
	wg.Wait()
	slices.Sort(allowed)
	return allowed, errors.Join(errs...)
}

// pods are the pods of namespaces (nil: all) that match, in the apiserver's
// order.
func pods(ix toolscache.Indexer, namespaces []string, match func(*corev1.Pod) bool) []*corev1.Pod {
	var out []*corev1.Pod
	for _, o := range sorted(ix, namespaces) {
		if p, ok := o.(*corev1.Pod); ok && match(p) {
			out = append(out, p)
		}
	}
	return out
}

// sorted are the objects of namespaces (nil: all) as the apiserver orders a
// list: by namespace/name, the tail of their etcd keys, compared as bytes
// (so "a-b/x" comes before "a/x").
func sorted(ix toolscache.Indexer, namespaces []string) []any {
	var objs []any
	if namespaces == nil {
		objs = ix.List()
	}
	for _, ns := range namespaces {
		in, _ := ix.ByIndex(toolscache.NamespaceIndex, ns)
		objs = append(objs, in...)
	}
	type keyed struct {
		key string
		obj any
	}
	keys := make([]keyed, 0, len(objs))
	for _, o := range objs {
		if key, err := toolscache.MetaNamespaceKeyFunc(o); err == nil {
			keys = append(keys, keyed{key, o})
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k.obj
	}
	return out
}
