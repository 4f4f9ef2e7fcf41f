package pods

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/render"
)

// Detail is the summary of one pod that pods_get leads with.
type Detail struct {
	Namespace  string      `json:"namespace"`
	Name       string      `json:"name"`
	Status     string      `json:"status" jsonschema:"what kubectl shows: phase, or the reason a container is waiting or terminated (CrashLoopBackOff, OOMKilled, Unschedulable, ...)"`
	Phase      string      `json:"phase"`
	Reason     string      `json:"reason,omitempty" jsonschema:"the pod's own reason, e.g. Evicted"`
	Message    string      `json:"message,omitempty" jsonschema:"the pod's own message"`
	Ready      string      `json:"ready" jsonschema:"ready containers over all containers, e.g. 1/2"`
	Restarts   int32       `json:"restarts"`
	Node       string      `json:"node,omitempty"`
	IP         string      `json:"ip,omitempty"`
	QOSClass   string      `json:"qos_class,omitempty"`
	Created    time.Time   `json:"created"`
	Owner      *Owner      `json:"owner,omitempty"`
	Containers []Container `json:"containers" jsonschema:"init containers first, then the app containers"`
	Conditions []Condition `json:"conditions"`
}

// Owner is the object a pod belongs to.
type Owner struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Controller bool   `json:"controller" jsonschema:"true if the owner manages the pod and recreates it when it is deleted"`
}

// Container is the state of one container.
type Container struct {
	Name            string            `json:"name"`
	Image           string            `json:"image"`
	Init            bool              `json:"init,omitempty"`
	State           string            `json:"state" jsonschema:"running, waiting or terminated; empty when the kubelet has not reported the container"`
	Reason          string            `json:"reason,omitempty" jsonschema:"why it is waiting or terminated, e.g. CrashLoopBackOff, ImagePullBackOff, OOMKilled"`
	Message         string            `json:"message,omitempty"`
	ExitCode        *int32            `json:"exit_code,omitempty" jsonschema:"exit code, when terminated"`
	Since           time.Time         `json:"since,omitzero" jsonschema:"when it started running or terminated"`
	Ready           bool              `json:"ready"`
	Restarts        int32             `json:"restarts"`
	LastTermination *Termination      `json:"last_termination,omitempty" jsonschema:"how the previous instance ended"`
	Requests        map[string]string `json:"requests,omitempty"`
	Limits          map[string]string `json:"limits,omitempty"`
}

// Termination is how a container instance ended.
type Termination struct {
	Reason     string    `json:"reason,omitempty" jsonschema:"e.g. Error, OOMKilled, Completed"`
	ExitCode   int32     `json:"exit_code"`
	Signal     int32     `json:"signal,omitempty"`
	Message    string    `json:"message,omitempty"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Condition is one pod condition.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

func describe(p *corev1.Pod) Detail {
	sum := summarizePod(p)
	d := Detail{
		Namespace: p.Namespace, Name: p.Name, Status: sum.Status, Phase: string(p.Status.Phase),
		Reason: p.Status.Reason, Message: p.Status.Message, Ready: sum.Ready, Restarts: sum.Restarts,
		Node: p.Spec.NodeName, IP: p.Status.PodIP, QOSClass: string(p.Status.QOSClass), Created: p.CreationTimestamp.Time,
		Owner: owner(p), Containers: []Container{}, Conditions: []Condition{},
	}
	for _, c := range p.Spec.InitContainers {
		d.Containers = append(d.Containers, container(c, findStatus(p.Status.InitContainerStatuses, c.Name), true))
	}
	for _, c := range p.Spec.Containers {
		d.Containers = append(d.Containers, container(c, findStatus(p.Status.ContainerStatuses, c.Name), false))
	}
	for _, c := range p.Status.Conditions {
		d.Conditions = append(d.Conditions, Condition{Type: string(c.Type), Status: string(c.Status), Reason: c.Reason, Message: c.Message})
	}
	return d
}

func owner(p *corev1.Pod) *Owner {
	if ref := metav1.GetControllerOf(p); ref != nil {
		return &Owner{Kind: ref.Kind, Name: ref.Name, Controller: true}
	}
	if len(p.OwnerReferences) > 0 {
		ref := p.OwnerReferences[0]
		return &Owner{Kind: ref.Kind, Name: ref.Name}
	}
	return nil
}

func findStatus(list []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	i := slices.IndexFunc(list, func(cs corev1.ContainerStatus) bool { return cs.Name == name })
	if i < 0 {
		return nil
	}
	return &list[i]
}

func container(c corev1.Container, cs *corev1.ContainerStatus, init bool) Container {
	out := Container{Name: c.Name, Image: c.Image, Init: init,
		Requests: quantities(c.Resources.Requests), Limits: quantities(c.Resources.Limits)}
	if cs == nil {
		return out
	}
	out.Ready, out.Restarts = cs.Ready, cs.RestartCount
	switch s := cs.State; {
	case s.Running != nil:
		out.State, out.Since = "running", s.Running.StartedAt.Time
	case s.Waiting != nil:
		out.State, out.Reason, out.Message = "waiting", s.Waiting.Reason, s.Waiting.Message
	case s.Terminated != nil:
		out.State, out.Reason, out.Message = "terminated", s.Terminated.Reason, s.Terminated.Message
		out.ExitCode, out.Since = &s.Terminated.ExitCode, s.Terminated.FinishedAt.Time
	}
	if t := cs.LastTerminationState.Terminated; t != nil {
		out.LastTermination = &Termination{Reason: t.Reason, ExitCode: t.ExitCode, Signal: t.Signal, Message: t.Message, FinishedAt: t.FinishedAt.Time}
	}
	return out
}

func quantities(l corev1.ResourceList) map[string]string {
	if len(l) == 0 {
		return nil
	}
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[string(k)] = v.String()
	}
	return out
}

// detailText writes the summary. Free text that the cluster reports (state
// and condition messages, which can carry what a container or user wrote) is
// fenced at the end; reasons and codes stay in the open.
func detailText(d Detail) string {
	now := time.Now()
	var b strings.Builder
	fmt.Fprintf(&b, "Pod %s/%s\n", d.Namespace, d.Name)
	status := d.Status
	if d.Phase != d.Status {
		status += " (phase " + d.Phase + ")"
	}
	fmt.Fprintf(&b, "status: %s, ready %s, restarts %d\n", status, d.Ready, d.Restarts)
	fmt.Fprintf(&b, "node: %s, IP %s, QoS %s, age %s\n", cmp.Or(d.Node, "<none: not scheduled>"), cmp.Or(d.IP, "<none>"),
		cmp.Or(d.QOSClass, "<none>"), render.Age(d.Created, now))
	switch {
	case d.Owner == nil:
		b.WriteString("owner: none (a bare pod: nothing recreates it)\n")
	case d.Owner.Controller:
		fmt.Fprintf(&b, "owner: %s %s (controller)\n", d.Owner.Kind, d.Owner.Name)
	default:
		fmt.Fprintf(&b, "owner: %s %s\n", d.Owner.Kind, d.Owner.Name)
	}
	b.WriteString("containers:\n")
	for _, c := range d.Containers {
		containerText(&b, c, now)
	}
	b.WriteString("conditions: " + conditionsText(d.Conditions) + "\n")
	if msgs := messages(d); msgs != "" {
		b.WriteString(render.Fence(fmt.Sprintf("status messages of pod %s/%s", d.Namespace, d.Name), msgs))
	}
	return b.String()
}

func containerText(b *strings.Builder, c Container, now time.Time) {
	kind := ""
	if c.Init {
		kind = " (init)"
	}
	ready := "not ready"
	if c.Ready {
		ready = "ready"
	}
	fmt.Fprintf(b, "- %s%s: %s, %s, restarts %d\n", c.Name, kind, stateText(c, now), ready, c.Restarts)
	fmt.Fprintf(b, "  image: %s\n", c.Image)
	if t := c.LastTermination; t != nil {
		fmt.Fprintf(b, "  last termination: %s, exit code %d%s, %s ago\n", cmp.Or(t.Reason, "unknown reason"), t.ExitCode,
			signalText(t.Signal), render.Age(t.FinishedAt, now))
	}
	if len(c.Requests)+len(c.Limits) > 0 {
		fmt.Fprintf(b, "  requests: %s; limits: %s\n", resourcesText(c.Requests), resourcesText(c.Limits))
	}
}

func stateText(c Container, now time.Time) string {
	switch c.State {
	case "running":
		return "running for " + render.Age(c.Since, now)
	case "waiting":
		return "waiting: " + cmp.Or(c.Reason, "no reason given")
	case "terminated":
		return fmt.Sprintf("terminated: %s, exit code %d, %s ago", cmp.Or(c.Reason, "no reason given"), *c.ExitCode, render.Age(c.Since, now))
	}
	return "no status yet (not started on a node)"
}

func signalText(sig int32) string {
	if sig == 0 {
		return ""
	}
	return fmt.Sprintf(" (signal %d)", sig)
}

func resourcesText(m map[string]string) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

func conditionsText(conds []Condition) string {
	if len(conds) == 0 {
		return "none reported"
	}
	parts := make([]string, 0, len(conds))
	for _, c := range conds {
		s := c.Type + " " + c.Status
		if c.Reason != "" {
			s += " (" + c.Reason + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// messages lists the free-text messages of the pod, its containers and its
// conditions, each once.
func messages(d Detail) string {
	var lines []string
	seen := map[string]bool{}
	add := func(who, msg string) {
		if msg = strings.TrimSpace(msg); msg != "" && !seen[msg] {
			seen[msg] = true
			lines = append(lines, who+": "+msg)
		}
	}
	add("pod", d.Message)
	for _, c := range d.Containers {
		add("container "+c.Name+" "+c.State, c.Message)
		if c.LastTermination != nil {
			add("container "+c.Name+" last termination", c.LastTermination.Message)
		}
	}
	for _, c := range d.Conditions {
		add("condition "+c.Type, c.Message)
	}
	return strings.Join(lines, "\n")
}
