package workloads

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Kind is one of the workload kinds these tools handle.
type Kind string

// The kinds, in the spelling tools answer with.
const (
	Deployment  Kind = "deployment"
	StatefulSet Kind = "statefulset"
	DaemonSet   Kind = "daemonset"
)

// kindSpellings maps what a model may write to a Kind.
var kindSpellings = map[string]Kind{
	"deployment": Deployment, "deployments": Deployment, "deploy": Deployment,
	"statefulset": StatefulSet, "statefulsets": StatefulSet, "sts": StatefulSet,
	"daemonset": DaemonSet, "daemonsets": DaemonSet, "ds": DaemonSet,
}

func parseKind(s string) (Kind, error) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".apps")
	if k, ok := kindSpellings[s]; ok {
		return k, nil
	}
	return "", fmt.Errorf("kind %q: want deployment, statefulset or daemonset", s)
}

// resource is the plural the API uses, for error messages.
func (k Kind) resource() string { return string(k) + "s" }

// Target names one workload; every tool of this toolset takes it.
type Target struct {
	toolset.Target
	Kind      string `json:"kind"` // a wrong one is answered with the kinds there are
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// ref is a Target checked and resolved against a cluster.
type ref struct {
	kc   *kube.Client
	kind Kind
	ns   string
	name string
}

func (w *Workloads) resolve(ctx context.Context, t Target) (ref, error) {
	kind, err := parseKind(t.Kind)
	if err != nil {
		return ref{}, err
	}
	if t.Name == "" {
		return ref{}, fmt.Errorf("name is required: the name of the %s", kind)
	}
	kc, err := w.deps.Clusters.Get(ctx, t.Cluster)
	if err != nil {
		return ref{}, err
	}
	ns := t.Namespace
	if ns == "" {
		ns = kc.Namespace
	}
	return ref{kc: kc, kind: kind, ns: ns, name: t.Name}, nil
}

// fetch resolves t and reads the workload it names.
func (w *Workloads) fetch(ctx context.Context, t Target) (ref, metav1.Object, error) {
	r, err := w.resolve(ctx, t)
	if err != nil {
		return r, nil, err
	}
	obj, err := r.get(ctx)
	return r, obj, err
}

// paused reports a paused Deployment, which rolls nothing out until resumed.
func paused(obj metav1.Object) bool {
	d, ok := obj.(*appsv1.Deployment)
	return ok && d.Spec.Paused
}

func (r ref) String() string { return fmt.Sprintf("%s %s/%s", r.kind, r.ns, r.name) }

// explain passes an API error about the workload itself through toolset.Explain.
func (r ref) explain(err error, verb string) error {
	return r.explainOn(err, verb, r.kind.resource())
}

// explainOn is explain for a subresource or a related resource, e.g.
// "deployments/scale". "Not found" offers the call that lists the workloads.
func (r ref) explainOn(err error, verb, resource string) error {
	return toolset.Explain(err, toolset.Op{Verb: verb, Resource: resource, Namespace: r.ns, Name: r.name,
		ListCall: fmt.Sprintf(`resources_list {"resource":%q,"namespace":%q}`, r.kind.resource(), r.ns)})
}

// get fetches the workload: a *appsv1.Deployment, *appsv1.StatefulSet or
// *appsv1.DaemonSet.
func (r ref) get(ctx context.Context) (metav1.Object, error) {
	var obj metav1.Object
	var err error
	switch r.kind {
	case Deployment:
		obj, err = r.kc.Typed.AppsV1().Deployments(r.ns).Get(ctx, r.name, metav1.GetOptions{})
	case StatefulSet:
		obj, err = r.kc.Typed.AppsV1().StatefulSets(r.ns).Get(ctx, r.name, metav1.GetOptions{})
	default:
		obj, err = r.kc.Typed.AppsV1().DaemonSets(r.ns).Get(ctx, r.name, metav1.GetOptions{})
	}
	if err != nil {
		return nil, r.explain(err, "get")
	}
	return obj, nil
}

func (r ref) patch(ctx context.Context, pt types.PatchType, data []byte) (metav1.Object, error) {
	var obj metav1.Object
	var err error
	switch r.kind {
	case Deployment:
		obj, err = r.kc.Typed.AppsV1().Deployments(r.ns).Patch(ctx, r.name, pt, data, metav1.PatchOptions{})
	case StatefulSet:
		obj, err = r.kc.Typed.AppsV1().StatefulSets(r.ns).Patch(ctx, r.name, pt, data, metav1.PatchOptions{})
	default:
		obj, err = r.kc.Typed.AppsV1().DaemonSets(r.ns).Patch(ctx, r.name, pt, data, metav1.PatchOptions{})
	}
	if err != nil {
		return nil, r.explain(err, "patch")
	}
	return obj, nil
}

func (r ref) watch(ctx context.Context, resourceVersion string) (watch.Interface, error) {
	opts := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", r.name).String(), ResourceVersion: resourceVersion}
	var w watch.Interface
	var err error
	switch r.kind {
	case Deployment:
		w, err = r.kc.Typed.AppsV1().Deployments(r.ns).Watch(ctx, opts)
	case StatefulSet:
		w, err = r.kc.Typed.AppsV1().StatefulSets(r.ns).Watch(ctx, opts)
	default:
		w, err = r.kc.Typed.AppsV1().DaemonSets(r.ns).Watch(ctx, opts)
	}
	if err != nil {
		return nil, r.explain(err, "watch")
	}
	return w, nil
}

// podTemplate returns the pod template of a workload object.
func podTemplate(obj metav1.Object) *corev1.PodTemplateSpec {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template
	case *appsv1.StatefulSet:
		return &o.Spec.Template
	case *appsv1.DaemonSet:
		return &o.Spec.Template
	}
	return &corev1.PodTemplateSpec{}
}

// selector returns the label selector of a workload object.
func selector(obj metav1.Object) *metav1.LabelSelector {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return o.Spec.Selector
	case *appsv1.StatefulSet:
		return o.Spec.Selector
	case *appsv1.DaemonSet:
		return o.Spec.Selector
	}
	return nil
}

// images lists the images of a pod template's containers, init containers first.
func images(t *corev1.PodTemplateSpec) []string {
	out := []string{}
	for _, c := range t.Spec.InitContainers {
		out = append(out, c.Image)
	}
	for _, c := range t.Spec.Containers {
		out = append(out, c.Image)
	}
	return out
}

// controlledBy reports whether owner is obj's controller.
func controlledBy(obj, owner metav1.Object) bool {
	c := metav1.GetControllerOfNoCopy(obj)
	return c != nil && c.UID == owner.GetUID()
}
