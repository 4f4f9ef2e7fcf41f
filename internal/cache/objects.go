package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// Pods are served by the typed pod informer, whichever way they are asked for.
var (
	podsGVR = corev1.SchemeGroupVersion.WithResource("pods")
	podsRes = kube.Resolved{GVR: podsGVR, GVK: corev1.SchemeGroupVersion.WithKind("Pod"), Namespaced: true}
)

// eventsGVR is the core Events, whose field selectors events_list uses.
var eventsGVR = corev1.SchemeGroupVersion.WithResource("events")

// Query is a list of objects of any kind, as the API takes one.
type Query struct {
	Resource      kube.Resolved
	Namespace     string // "" is every namespace, or a cluster-scoped kind
	LabelSelector string
	FieldSelector string
	// Limit is the page size; a list that has more matches than that goes
	// to the apiserver, whose continue token is a snapshot the cache cannot
	// promise. Continue always goes to the apiserver.
	Limit    int64
	Continue string
}

// List answers q for the caller in ctx from the cache, in the apiserver's
// order. The objects may be shared with the cache: read them, never change
// them. ErrDirect means read
// from the apiserver instead; so does a caller refused the whole of q (the
// apiserver refuses it in its own words; only pods_list answers a partial
// list).
func (c *Cache) List(ctx context.Context, clusterName string, q Query) (_ []*unstructured.Unstructured, err error) {
	defer func() { c.counted(clusterName, err) }()
	res := q.Resource
	if !res.Namespaced && q.Namespace != "" || q.Continue != "" {
		return nil, ErrDirect
	}
	match, err := matcher(res, q.LabelSelector, q.FieldSelector)
	if err != nil {
		return nil, ErrDirect // the apiserver words the error
	}
	a := access{verb: "list", group: res.GVR.Group, resource: res.GVR.Resource, namespace: q.Namespace}
	k, err := c.open(ctx, clusterName, res, a, "")
	if err != nil {
		return nil, err
	}
	var namespaces []string
	if q.Namespace != "" {
		namespaces = []string{q.Namespace}
	}
	var out []*unstructured.Unstructured
	for _, o := range sorted(k.informer.GetIndexer(), namespaces) {
		u, err := asUnstructured(o, res.GVK)
		if err != nil {
			return nil, ErrDirect
		}
		if match(u) {
			out = append(out, u)
		}
	}
	if q.Limit > 0 && int64(len(out)) > q.Limit {
		return nil, ErrDirect
	}
	return out, nil
}

// Get answers a get of one object for the caller in ctx from the cache,
// shared as List's are. ErrDirect when the cache does not hold it (the
// apiserver says "not found" in its words) or the caller may not get every
// object of its kind in ns (RBAC may still allow this one by name).
func (c *Cache) Get(ctx context.Context, clusterName string, res kube.Resolved, ns, name string) (_ *unstructured.Unstructured, err error) {
	defer func() { c.counted(clusterName, err) }()
	o, err := c.get(ctx, clusterName, res, ns, name)
	if err != nil {
		return nil, err
	}
	u, err := asUnstructured(o, res.GVK)
	if err != nil {
		return nil, ErrDirect
	}
	return u, nil
}

// GetPod is Get of a pod, typed; the pod is shared with the cache: read it,
// never change it.
func (c *Cache) GetPod(ctx context.Context, clusterName, ns, name string) (_ *corev1.Pod, err error) {
	defer func() { c.counted(clusterName, err) }()
	o, err := c.get(ctx, clusterName, podsRes, ns, name)
	if err != nil {
		return nil, err
	}
	pod, ok := o.(*corev1.Pod)
	if !ok {
		return nil, ErrDirect
	}
	return pod, nil
}

func (c *Cache) get(ctx context.Context, clusterName string, res kube.Resolved, ns, name string) (runtime.Object, error) {
	if !res.Namespaced {
		ns = ""
	}
	a := access{verb: "get", group: res.GVR.Group, resource: res.GVR.Resource, namespace: ns}
	k, err := c.open(ctx, clusterName, res, a, name)
	if err != nil {
		return nil, err
	}
	key := name
	if ns != "" {
		key = ns + "/" + name
	}
	o, ok, err := k.informer.GetIndexer().GetByKey(key)
	if err != nil || !ok {
		return nil, ErrDirect
	}
	obj, ok := o.(runtime.Object)
	if !ok {
		return nil, ErrDirect
	}
	return obj, nil
}

// open is the read a of res by the caller in ctx, allowed: reader's steps,
// then the cluster's authorizer. A refusal by the authorizer is ErrDirect,
// for the apiserver to word.
func (c *Cache) open(ctx context.Context, clusterName string, res kube.Resolved, a access, name string) (*kind, error) {
	cl, k, err := c.reader(ctx, clusterName, res, a, name)
	if err != nil {
		return nil, err
	}
	ok, err := c.may(ctx, cl, a)
	switch {
	case errors.Is(err, ErrDirect):
		return nil, err
	case err != nil:
		c.opts.Logger.Debug("access review failed; reading directly", "error", err)
		return nil, ErrDirect
	case !ok:
		return nil, ErrDirect
	}
	return k, nil
}

// reader is what every cached read does before asking the authorizer:
// kubemcp's policy decides a (of the object name, if one), the informer for
// res is started if need be, and the caller's own writes are seen.
func (c *Cache) reader(ctx context.Context, clusterName string, res kube.Resolved, a access, name string) (*cluster, *kind, error) {
	if err := c.decide(res, a, name); err != nil {
		return nil, nil, err
	}
	cl, err := c.cluster(clusterName)
	if err != nil {
		return nil, nil, ErrDirect // the direct path says what is wrong with the cluster
	}
	k, err := cl.kind(ctx, informerKey(res.GVR), startFor(res.GVR))
	if err != nil {
		return nil, nil, err
	}
	if err := c.awaitOwnWrites(ctx, cl, k, a.group, a.resource); err != nil {
		return nil, nil, err
	}
	return cl, k, nil
}

// decide is kubemcp's policy on a (of the object name, if one), as the
// policy beneath the clients decides the request a direct read would make.
func (c *Cache) decide(res kube.Resolved, a access, name string) error {
	return c.opts.Policy.Decide(policy.Request{Verb: a.verb, Group: a.group, Version: res.GVR.Version, Resource: a.resource,
		Namespace: a.namespace, Name: name, Kind: res.GVK.Kind, Namespaced: res.Namespaced})
}

// informerKey names a resource's informer in its cluster: pods by their
// typed informer, others by group/version/resource.
func informerKey(gvr schema.GroupVersionResource) string {
	if gvr == podsGVR {
		return "pods"
	}
	if gvr.Group == "" && gvr.Resource == "secrets" {
		return "secrets" // which cluster.kind refuses
	}
	return gvr.String()
}

func startFor(gvr schema.GroupVersionResource) func(*cluster) *kind {
	if gvr == podsGVR {
		return startPods
	}
	return func(cl *cluster) *kind { return startDynamic(cl, gvr) }
}

// startDynamic runs an informer over any kind, custom resources included.
func startDynamic(cl *cluster, gvr schema.GroupVersionResource) *kind {
	api := cl.dynamic.Resource(gvr)
	lw := &toolscache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return api.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return api.Watch(ctx, o)
		},
	}
	return newKind(gvr.String(), lw, &unstructured.Unstructured{}, cl.pulse)
}

// asUnstructured is a cached object as the dynamic client returns it,
// apiVersion and kind set (typed informers leave them empty): the object
// itself if it is one already, else a converted copy.
func asUnstructured(o any, gvk schema.GroupVersionKind) (*unstructured.Unstructured, error) {
	switch o := o.(type) {
	case *unstructured.Unstructured:
		return o, nil
	case runtime.Object:
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{Object: m}
		u.SetGroupVersionKind(gvk)
		return u, nil
	}
	return nil, fmt.Errorf("%T in the cache", o)
}

// matcher is the label and field selectors as one test, or an error when the
// cache cannot answer them exactly: fields other than name and namespace
// (and a pod's phase and node) go to the apiserver.
func matcher(res kube.Resolved, labelSelector, fieldSelector string) (func(*unstructured.Unstructured) bool, error) {
	ls, err := labels.Parse(labelSelector)
	if err != nil {
		return nil, err
	}
	fs, err := fields.ParseSelector(fieldSelector)
	if err != nil {
		return nil, err
	}
	known := map[string][]string{"metadata.name": {"metadata", "name"}}
	if res.Namespaced {
		known["metadata.namespace"] = []string{"metadata", "namespace"}
	}
	if res.GVR == podsGVR {
		known["status.phase"], known["spec.nodeName"] = []string{"status", "phase"}, []string{"spec", "nodeName"}
	}
	if res.GVR == eventsGVR { // events_list's filters, and describe's
		for _, f := range []string{"type", "reason", "involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid"} {
			known[f] = strings.Split(f, ".")
		}
	}
	for _, r := range fs.Requirements() {
		if known[r.Field] == nil {
			return nil, fmt.Errorf("field selector %q: not cached", r.Field)
		}
	}
	return func(u *unstructured.Unstructured) bool {
		if !ls.Matches(labels.Set(u.GetLabels())) {
			return false
		}
		set := fields.Set{}
		for f, path := range known {
			set[f], _, _ = unstructured.NestedString(u.Object, path...)
		}
		return fs.Matches(set)
	}, nil
}
