package core

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// details are the key facts kubectl describe shows for the kinds people
// describe most; other kinds get none (resources_get shows their spec).
func details(obj *unstructured.Unstructured) []Field {
	gvk := obj.GroupVersionKind()
	var f []Field
	switch {
	case gvk.Group == "" && gvk.Kind == "Pod":
		var p corev1.Pod
		if convert(obj, &p) {
			f = podDetails(&p)
		}
	case gvk.Group == "apps" && gvk.Kind == "Deployment":
		var d appsv1.Deployment
		if convert(obj, &d) {
			f = deploymentDetails(&d)
		}
	case gvk.Group == "" && gvk.Kind == "Node":
		var n corev1.Node
		if convert(obj, &n) {
			f = nodeDetails(&n)
		}
	case gvk.Group == "" && gvk.Kind == "Secret":
		f = secretDetails(obj)
	case gvk.Group == "" && gvk.Kind == "ConfigMap":
		f = configMapDetails(obj)
	}
	if f == nil {
		f = []Field{}
	}
	return f
}

func convert(obj *unstructured.Unstructured, into any) bool {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into) == nil
}

func podDetails(p *corev1.Pod) []Field {
	f := []Field{
		{"Status", string(p.Status.Phase) + reasonSuffix(p.Status.Reason)},
		{"Node", orNone(p.Spec.NodeName)},
		{"IP", orNone(p.Status.PodIP)},
		{"QoS class", orNone(string(p.Status.QOSClass))},
	}
	statuses := map[string]corev1.ContainerStatus{}
	for _, cs := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
		statuses[cs.Name] = cs
	}
	for _, c := range p.Spec.InitContainers {
		f = append(f, Field{"Init container", containerLine(c, statuses[c.Name])})
	}
	for _, c := range p.Spec.Containers {
		f = append(f, Field{"Container", containerLine(c, statuses[c.Name])})
	}
	return f
}

// containerLine is one container on a line: image, state, readiness,
// restarts, the last termination and resources.
func containerLine(c corev1.Container, cs corev1.ContainerStatus) string {
	parts := []string{c.Name, "image " + c.Image, "state " + stateText(cs.State)}
	if cs.Name != "" {
		parts = append(parts, fmt.Sprintf("ready %t", cs.Ready), fmt.Sprintf("restarts %d", cs.RestartCount))
	}
	if t := cs.LastTerminationState.Terminated; t != nil {
		parts = append(parts, fmt.Sprintf("last terminated %s (exit code %d)", orNone(t.Reason), t.ExitCode))
	}
	if r := resourcesText(c.Resources); r != "" {
		parts = append(parts, r)
	}
	return strings.Join(parts, "; ")
}

func stateText(s corev1.ContainerState) string {
	switch {
	case s.Running != nil:
		return "Running since " + s.Running.StartedAt.UTC().Format("2006-01-02T15:04:05Z")
	case s.Waiting != nil:
		return "Waiting" + reasonSuffix(s.Waiting.Reason)
	case s.Terminated != nil:
		return fmt.Sprintf("Terminated%s (exit code %d)", reasonSuffix(s.Terminated.Reason), s.Terminated.ExitCode)
	}
	return "unknown (no status yet)"
}

func resourcesText(r corev1.ResourceRequirements) string {
	list := func(l corev1.ResourceList) string {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(l)) {
			q := l[k]
			parts = append(parts, fmt.Sprintf("%s=%s", k, q.String()))
		}
		return strings.Join(parts, ",")
	}
	var parts []string
	if len(r.Requests) > 0 {
		parts = append(parts, "requests "+list(r.Requests))
	}
	if len(r.Limits) > 0 {
		parts = append(parts, "limits "+list(r.Limits))
	}
	return strings.Join(parts, ", ")
}

func deploymentDetails(d *appsv1.Deployment) []Field {
	desired := int32(1)
	if d.Spec.Replicas != nil {
		desired = *d.Spec.Replicas
	}
	s := d.Status
	var images []string
	for _, c := range d.Spec.Template.Spec.Containers {
		images = append(images, c.Name+"="+c.Image)
	}
	selector := "<none>"
	if d.Spec.Selector != nil {
		selector = joinMap(d.Spec.Selector.MatchLabels)
	}
	return []Field{
		{"Replicas", fmt.Sprintf("%d desired | %d updated | %d total | %d ready | %d available | %d unavailable",
			desired, s.UpdatedReplicas, s.Replicas, s.ReadyReplicas, s.AvailableReplicas, s.UnavailableReplicas)},
		{"Strategy", orNone(string(d.Spec.Strategy.Type))},
		{"Selector", selector},
		{"Images", strings.Join(images, ", ")},
		{"Generation", fmt.Sprintf("%d (observed %d)", d.Generation, s.ObservedGeneration)},
	}
}

func nodeDetails(n *corev1.Node) []Field {
	var roles, addrs, taints []string
	for k := range n.Labels {
		if role, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok {
			roles = append(roles, role)
		}
	}
	for _, a := range n.Status.Addresses {
		addrs = append(addrs, fmt.Sprintf("%s=%s", a.Type, a.Address))
	}
	for _, t := range n.Spec.Taints {
		taints = append(taints, t.ToString())
	}
	slices.Sort(roles)
	info := n.Status.NodeInfo
	return []Field{
		{"Roles", orNone(strings.Join(roles, ","))},
		{"Unschedulable", fmt.Sprint(n.Spec.Unschedulable)},
		{"Addresses", orNone(strings.Join(addrs, ", "))},
		{"Taints", orNone(strings.Join(taints, ", "))},
		{"Kubelet", orNone(info.KubeletVersion)},
		{"OS image", orNone(info.OSImage) + " (" + info.Architecture + ")"},
		{"Runtime", orNone(info.ContainerRuntimeVersion)},
		{"Capacity", resourceListText(n.Status.Capacity)},
		{"Allocatable", resourceListText(n.Status.Allocatable)},
	}
}

func resourceListText(l corev1.ResourceList) string {
	var parts []string
	for _, k := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods, corev1.ResourceEphemeralStorage} {
		if q, ok := l[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%s", k, q.String()))
		}
	}
	return orNone(strings.Join(parts, ", "))
}

// secretDetails names the keys and their sizes, never the values.
func secretDetails(obj *unstructured.Unstructured) []Field {
	typ, _, _ := unstructured.NestedString(obj.Object, "type")
	data, _, _ := unstructured.NestedStringMap(obj.Object, "data")
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(data)) {
		n := len(data[k])
		if b, err := base64.StdEncoding.DecodeString(data[k]); err == nil {
			n = len(b)
		}
		keys = append(keys, fmt.Sprintf("%s (%d bytes)", k, n))
	}
	return []Field{{"Type", orNone(typ)}, {"Data", orNone(strings.Join(keys, ", "))}}
}

// configMapDetails names the keys; their values are in resources_get.
func configMapDetails(obj *unstructured.Unstructured) []Field {
	data, _, _ := unstructured.NestedStringMap(obj.Object, "data")
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(data)) {
		keys = append(keys, fmt.Sprintf("%s (%d bytes)", k, len(data[k])))
	}
	return []Field{{"Data", orNone(strings.Join(keys, ", "))}}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
