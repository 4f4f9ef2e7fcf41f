package pods

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	authv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/podstate"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// portSpec is one LOCAL:REMOTE pair as asked; local 0 picks a free port.
type portSpec struct {
	local, remote int
}

// parsePorts reads "8080:80" (local 8080 to remote 80) and "80" (a free
// local port to remote 80).
func parsePorts(ports []string) ([]portSpec, error) {
	switch {
	case len(ports) == 0:
		return nil, errors.New(`ports is required: e.g. ["8080:80"], or ["80"] for a free local port`)
	case len(ports) > maxForwardPorts:
		return nil, fmt.Errorf("ports: at most %d in one session, not %d; start another session for the rest", maxForwardPorts, len(ports))
	}
	var out []portSpec
	var errs []error
	for _, p := range ports {
		local, remote, found := strings.Cut(p, ":")
		if !found {
			local, remote = "0", local
		}
		l, errL := strconv.ParseUint(cmp.Or(local, "0"), 10, 16)
		r, errR := strconv.ParseUint(remote, 10, 16)
		if errL != nil || errR != nil || r == 0 {
			errs = append(errs, fmt.Errorf("port %.20q: want LOCAL:REMOTE such as 8080:80, or REMOTE alone for a free local port", p))
			continue
		}
		out = append(out, portSpec{local: int(l), remote: int(r)})
	}
	return out, errors.Join(errs...)
}

// mayForward asks the cluster whether the caller, whose client kc is, may
// forward to pod.
func mayForward(ctx context.Context, kc *kube.Client, pod *corev1.Pod) error {
	r, err := kc.Typed.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authv1.ResourceAttributes{Namespace: pod.Namespace, Verb: "create", Resource: "pods", Subresource: "portforward", Name: pod.Name}}},
		metav1.CreateOptions{})
	if err != nil {
		return toolset.Explain(err, toolset.Op{Verb: "create", Resource: "selfsubjectaccessreviews.authorization.k8s.io"})
	}
	if r.Status.Allowed && !r.Status.Denied {
		return nil
	}
	why := ""
	if r.Status.Reason != "" {
		why = " (" + r.Status.Reason + ")"
	}
	return fmt.Errorf(`forbidden: Kubernetes RBAC does not allow "create" on pods/portforward for pod %s/%s%s. Ask a cluster admin for a Role that grants it, or leave the forward to someone allowed to make it`,
		pod.Namespace, pod.Name, why)
}

// target is the pod a port-forward reaches and how what was asked maps to
// its ports.
type target struct {
	pod  *corev1.Pod
	via  string // "service shop/web", or empty for a pod named directly
	note []string
}

// resolveTarget finds the pod: named, or a ready pod of a service or
// deployment. A service's ports are mapped to its pods' target ports.
func resolveTarget(ctx context.Context, kc *kube.Client, ns, name string, ports []portSpec) (*target, error) {
	kind, obj, found := strings.Cut(name, "/")
	if !found {
		kind, obj = "pod", name
	}
	switch strings.ToLower(kind) {
	case "pod", "pods", "po":
		return podTarget(ctx, kc, ns, obj)
	case "service", "services", "svc":
		return serviceTarget(ctx, kc, ns, obj, ports)
	case "deployment", "deployments", "deploy":
		return deploymentTarget(ctx, kc, ns, obj)
	}
	return nil, fmt.Errorf("name %q: want a pod name, service/NAME or deployment/NAME", name)
}

func podTarget(ctx context.Context, kc *kube.Client, ns, name string) (*target, error) {
	pod, err := kc.Typed.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "pods", Namespace: ns, Name: name,
			ListCall: fmt.Sprintf(`pods_list {"namespace":%q}`, ns)})
	}
	if pod.Status.Phase != corev1.PodRunning {
		return nil, fmt.Errorf("pod %s/%s is %s, not Running: nothing listens in it yet. pods_get shows why", ns, name, podstate.Of(pod).Status)
	}
	return &target{pod: pod}, nil
}

func serviceTarget(ctx context.Context, kc *kube.Client, ns, name string, ports []portSpec) (*target, error) {
	svc, err := kc.Typed.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "services", Namespace: ns, Name: name,
			ListCall: fmt.Sprintf(`resources_list {"resource":"services","namespace":%q}`, ns)})
	}
	if len(svc.Spec.Selector) == 0 {
		return nil, fmt.Errorf("service %s/%s has no selector, so no pod of its own to forward to; name a pod instead", ns, name)
	}
	t, err := readyPod(ctx, kc, ns, labels.SelectorFromSet(svc.Spec.Selector).String(), "service "+ns+"/"+name)
	if err != nil {
		return nil, err
	}
	for i := range ports {
		if err := mapServicePort(svc, t, &ports[i]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// mapServicePort turns a service port into the pod's port it targets.
func mapServicePort(svc *corev1.Service, t *target, p *portSpec) error {
	i := slices.IndexFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return int(sp.Port) == p.remote })
	if i < 0 {
		var have []string
		for _, sp := range svc.Spec.Ports {
			have = append(have, strconv.Itoa(int(sp.Port)))
		}
		return fmt.Errorf("service %s/%s has no port %d; its ports: %s", svc.Namespace, svc.Name, p.remote, strings.Join(have, ", "))
	}
	tp := svc.Spec.Ports[i].TargetPort
	switch {
	case tp.Type == intstr.String:
		n, ok := namedPort(t.pod, tp.StrVal)
		if !ok {
			return fmt.Errorf("service %s/%s port %d targets port %q, which pod %s does not name", svc.Namespace, svc.Name, p.remote, tp.StrVal, t.pod.Name)
		}
		t.note = append(t.note, fmt.Sprintf("service port %d is pod port %d (%s)", p.remote, n, tp.StrVal))
		p.remote = n
	case tp.IntVal != 0 && int(tp.IntVal) != p.remote:
		t.note = append(t.note, fmt.Sprintf("service port %d is pod port %d", p.remote, tp.IntVal))
		p.remote = int(tp.IntVal)
	}
	return nil
}

func namedPort(pod *corev1.Pod, name string) (int, bool) {
	for _, c := range pod.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == name {
				return int(cp.ContainerPort), true
			}
		}
	}
	return 0, false
}

func deploymentTarget(ctx context.Context, kc *kube.Client, ns, name string) (*target, error) {
	d, err := kc.Typed.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, toolset.Explain(err, toolset.Op{Verb: "get", Resource: "deployments", Namespace: ns, Name: name,
			ListCall: fmt.Sprintf(`resources_list {"resource":"deployments","namespace":%q}`, ns)})
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("deployment %s/%s has a selector kubemcp cannot read: %w", ns, name, err)
	}
	return readyPod(ctx, kc, ns, sel.String(), "deployment "+ns+"/"+name)
}

// readyPod picks a Running pod the selector matches, a ready one if any,
// the first by name so that the choice is stable.
func readyPod(ctx context.Context, kc *kube.Client, ns, selector, of string) (*target, error) {
	list, err := kc.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods", Namespace: ns})
	}
	slices.SortFunc(list.Items, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	var running *corev1.Pod
	for i, p := range list.Items {
		switch {
		case p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil:
		case isReady(&p):
			return &target{pod: &list.Items[i], via: of}, nil
		case running == nil:
			running = &list.Items[i]
		}
	}
	if running == nil {
		return nil, fmt.Errorf("%s has no Running pod (selector %s) to forward to; pods_list with that label_selector shows its pods", of, selector)
	}
	return &target{pod: running, via: of, note: []string{"no pod of it is ready; picked a Running one"}}, nil
}

func isReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
