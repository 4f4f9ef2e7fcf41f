package diagnostics

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/render"
)

const (
	// highRestarts is the restart count from which a container that
	// otherwise looks fine is a finding.
	highRestarts = 5
	// notReadyGrace is how long a running pod may be unready (starting up)
	// before it is a finding.
	notReadyGrace = time.Minute
	// pendingGrace is how long a scheduled pod may stay Pending without a
	// container saying why before it is a finding.
	pendingGrace = 5 * time.Minute
)

// imagePull are the waiting reasons of a container whose image cannot be had.
var imagePull = map[string]bool{"ImagePullBackOff": true, "ErrImagePull": true, "InvalidImageName": true, "ErrImageNeverPull": true}

// starting are the waiting reasons of a container on its way up.
var starting = map[string]bool{"ContainerCreating": true, "PodInitializing": true}

// podFindings reads what is wrong with one pod: at most one finding a
// container, and the pod's own state when no container explains it.
func podFindings(p *corev1.Pod, now time.Time, warnings warningIndex) []Finding {
	base := Finding{Kind: "Pod", Namespace: p.Namespace, Name: p.Name}
	switch {
	case p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded:
		return nil
	case p.Status.Phase == corev1.PodFailed:
		return failedPod(base, p)
	}
	if f, ok := unscheduled(base, p, now); ok {
		return []Finding{f}
	}
	var out []Finding
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, cs := range statuses {
		if f, ok := containerFinding(base, p, cs); ok {
			out = append(out, f)
		}
	}
	if len(out) > 0 {
		return out
	}
	if f, ok := notReady(base, p, now, warnings); ok {
		return []Finding{f}
	}
	if f, ok := stuckPending(base, p, now, warnings); ok {
		return []Finding{f}
	}
	return nil
}

// failedPod reports an evicted pod, and a failed one no Job accounts for
// (a failed Job is its own finding).
func failedPod(f Finding, p *corev1.Pod) []Finding {
	f.Severity, f.Reason, f.Message = Warning, cmp.Or(word(p.Status.Reason), "Failed"), p.Status.Message
	f.Next = call("resources_describe", "resource", "pods", "namespace", p.Namespace, "name", p.Name)
	if f.Reason == "Evicted" {
		f.Evidence = "phase Failed: the kubelet evicted it"
		if p.Spec.NodeName != "" {
			f.Evidence += " from node " + p.Spec.NodeName
		}
		return []Finding{f}
	}
	for _, o := range p.OwnerReferences {
		if o.Kind == "Job" {
			return nil
		}
	}
	f.Evidence = "phase Failed" + exits(p.Status.ContainerStatuses)
	return []Finding{f}
}

func exits(statuses []corev1.ContainerStatus) string {
	var parts []string
	for _, cs := range statuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			parts = append(parts, fmt.Sprintf("container %s exit %d (%s)", cs.Name, t.ExitCode, cmp.Or(word(t.Reason), "Error")))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// unscheduled reports a pod the scheduler could not place, with its reason.
func unscheduled(f Finding, p *corev1.Pod, now time.Time) (Finding, bool) {
	if p.Status.Phase != corev1.PodPending {
		return f, false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			f.Severity, f.Reason, f.Message = Critical, cmp.Or(word(c.Reason), "Unschedulable"), c.Message
			f.Evidence = "not scheduled for " + render.Age(cmp.Or(c.LastTransitionTime, p.CreationTimestamp).Time, now) + requests(p)
			f.Next = call("events_list", "namespace", p.Namespace, "kind", "Pod", "name", p.Name)
			return f, true
		}
	}
	return f, false
}

// requests sums what the pod's containers ask for, what the scheduler
// weighs against each node.
func requests(p *corev1.Pod) string {
	total := corev1.ResourceList{}
	for _, c := range p.Spec.Containers {
		for name, q := range c.Resources.Requests {
			sum := total[name]
			sum.Add(q)
			total[name] = sum
		}
	}
	cpu, mem := total[corev1.ResourceCPU], total[corev1.ResourceMemory]
	if cpu.IsZero() && mem.IsZero() {
		return "; no requests"
	}
	return fmt.Sprintf("; requests cpu %s, memory %s", cpu.String(), mem.String())
}

// containerFinding reads one container: crash loops, images that cannot be
// pulled, containers that cannot be created, OOM kills and many restarts.
func containerFinding(f Finding, p *corev1.Pod, cs corev1.ContainerStatus) (Finding, bool) {
	w, t, last := cs.State.Waiting, cs.State.Terminated, cs.LastTerminationState.Terminated
	f.Evidence = "container " + cs.Name + ": " + restarts(cs)
	logs := logsCall(p, cs.Name)
	switch {
	case w != nil && w.Reason == "CrashLoopBackOff":
		f.Severity, f.Reason, f.Message, f.Next = Critical, w.Reason, w.Message, logs
	case w != nil && imagePull[w.Reason]:
		f.Severity, f.Reason, f.Message = Critical, w.Reason, w.Message
		f.Evidence = fmt.Sprintf("container %s: image %s", cs.Name, imageOf(p, cs))
		f.Next = call("events_list", "namespace", p.Namespace, "kind", "Pod", "name", p.Name)
	case w != nil && w.Reason != "" && !starting[w.Reason]:
		f.Severity, f.Reason, f.Message = Critical, word(w.Reason), w.Message
		f.Next = call("resources_describe", "resource", "pods", "namespace", p.Namespace, "name", p.Name)
	case t != nil && t.Reason == "OOMKilled" || last != nil && last.Reason == "OOMKilled":
		f.Severity, f.Reason, f.Next = Warning, "OOMKilled", call("pods_get", "namespace", p.Namespace, "name", p.Name)
		f.Evidence += "; memory limit " + memoryLimit(p, cs.Name)
	case cs.RestartCount >= highRestarts:
		f.Severity, f.Reason, f.Next = Warning, "HighRestarts", logs
	default:
		return f, false
	}
	return f, true
}

func restarts(cs corev1.ContainerStatus) string {
	s := fmt.Sprintf("restarts %d", cs.RestartCount)
	if last := cs.LastTerminationState.Terminated; last != nil {
		s += fmt.Sprintf(", last exit %d (%s)", last.ExitCode, cmp.Or(word(last.Reason), "Error"))
	}
	return s
}

// logsCall is the pods_logs call for the crashed instance of a container.
func logsCall(p *corev1.Pod, container string) string {
	if len(p.Spec.Containers)+len(p.Spec.InitContainers) > 1 {
		return call("pods_logs", "namespace", p.Namespace, "name", p.Name, "container", container, "previous", true)
	}
	return call("pods_logs", "namespace", p.Namespace, "name", p.Name, "previous", true)
}

func imageOf(p *corev1.Pod, cs corev1.ContainerStatus) string {
	for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
		if c.Name == cs.Name {
			return token(c.Image, 200)
		}
	}
	return token(cs.Image, 200)
}

func memoryLimit(p *corev1.Pod, container string) string {
	for _, c := range p.Spec.Containers {
		if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && c.Name == container {
			return q.String()
		}
	}
	return "none"
}

// notReady reports a running pod whose containers run but fail their
// readiness, past the time a start may take.
func notReady(f Finding, p *corev1.Pod, now time.Time, warnings warningIndex) (Finding, bool) {
	ready, ok := condition(p.Status.Conditions, corev1.PodReady)
	if p.Status.Phase != corev1.PodRunning || !ok || ready.Status == corev1.ConditionTrue ||
		now.Sub(cmp.Or(ready.LastTransitionTime, p.CreationTimestamp).Time) < notReadyGrace {
		return f, false
	}
	var unready []string
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			unready = append(unready, cs.Name+probe(p, cs.Name))
		}
	}
	f.Severity, f.Reason = Warning, "NotReady"
	f.Evidence = fmt.Sprintf("Running but not Ready for %s; unready: %s", render.Age(ready.LastTransitionTime.Time, now), strings.Join(unready, ", "))
	f.Message = cmp.Or(warnings.message("Pod", p.Namespace, p.Name), ready.Message)
	f.Next = call("events_list", "namespace", p.Namespace, "kind", "Pod", "name", p.Name)
	return f, true
}

// probe names a container's readiness probe, which decides its readiness.
func probe(p *corev1.Pod, container string) string {
	for _, c := range p.Spec.Containers {
		if c.Name != container || c.ReadinessProbe == nil {
			continue
		}
		switch h := c.ReadinessProbe.ProbeHandler; {
		case h.HTTPGet != nil:
			return fmt.Sprintf(" (readiness probe GET %s on port %s)", h.HTTPGet.Path, h.HTTPGet.Port.String())
		case h.TCPSocket != nil:
			return fmt.Sprintf(" (readiness probe TCP port %s)", h.TCPSocket.Port.String())
		case h.Exec != nil:
			return " (readiness probe exec)"
		case h.GRPC != nil:
			return fmt.Sprintf(" (readiness probe gRPC port %d)", h.GRPC.Port)
		}
	}
	return ""
}

// stuckPending reports a scheduled pod that stays Pending with no container
// saying why (volumes that do not mount, a sandbox that is not created).
func stuckPending(f Finding, p *corev1.Pod, now time.Time, warnings warningIndex) (Finding, bool) {
	if p.Status.Phase != corev1.PodPending || now.Sub(p.CreationTimestamp.Time) < pendingGrace {
		return f, false
	}
	f.Severity, f.Reason = Warning, "Pending"
	f.Evidence = "Pending for " + render.Age(p.CreationTimestamp.Time, now) + " on node " + cmp.Or(p.Spec.NodeName, "<none>")
	f.Message = warnings.message("Pod", p.Namespace, p.Name)
	f.Next = call("events_list", "namespace", p.Namespace, "kind", "Pod", "name", p.Name)
	return f, true
}

func condition(cs []corev1.PodCondition, t corev1.PodConditionType) (corev1.PodCondition, bool) {
	for _, c := range cs {
		if c.Type == t {
			return c, true
		}
	}
	return corev1.PodCondition{}, false
}

// since is how long ago t was, or "?" when no one recorded it.
func since(t metav1.Time, now time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return render.Age(t.Time, now)
}
