package diagnostics

import (
	"cmp"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// pressure are the node conditions that are bad when True.
var pressure = map[corev1.NodeConditionType]string{
	corev1.NodeMemoryPressure:     Warning,
	corev1.NodeDiskPressure:       Warning,
	corev1.NodePIDPressure:        Warning,
	corev1.NodeNetworkUnavailable: Critical,
}

// nodeFindings reports a node that is not Ready, under pressure, or
// cordoned.
func nodeFindings(n *corev1.Node, now time.Time) []Finding {
	base := Finding{Kind: "Node", Name: n.Name, Next: call("resources_describe", "resource", "nodes", "name", n.Name)}
	var out []Finding
	for _, c := range n.Status.Conditions {
		f := base
		switch {
		case c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue:
			f.Severity, f.Reason = Critical, "NotReady"
		case pressure[c.Type] != "" && c.Status == corev1.ConditionTrue:
			f.Severity, f.Reason = pressure[c.Type], string(c.Type)
		default:
			continue
		}
		f.Evidence = fmt.Sprintf("%s=%s for %s", c.Type, c.Status, since(c.LastTransitionTime, now))
		if c.Reason != "" {
			f.Evidence += " (" + word(c.Reason) + ")"
		}
		f.Message = c.Message
		out = append(out, f)
	}
	if !hasCondition(n, corev1.NodeReady) {
		f := base
		f.Severity, f.Reason, f.Evidence = Critical, "NotReady", "no Ready condition: the kubelet never reported"
		out = append(out, f)
	}
	if n.Spec.Unschedulable {
		f := base
		f.Severity, f.Reason, f.Evidence = Info, "SchedulingDisabled", "cordoned: no new pods are scheduled here"
		out = append(out, f)
	}
	return out
}

func hasCondition(n *corev1.Node, t corev1.NodeConditionType) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == t {
			return true
		}
	}
	return false
}

// pvcFinding reports a claim that is not bound: Pending (nothing to bind or
// provision) or Lost (its volume is gone).
func pvcFinding(c *corev1.PersistentVolumeClaim, now time.Time, warnings warningIndex) (Finding, bool) {
	switch c.Status.Phase {
	case corev1.ClaimPending, corev1.ClaimLost:
	default:
		return Finding{}, false
	}
	size := c.Spec.Resources.Requests[corev1.ResourceStorage]
	class := "<default>"
	if c.Spec.StorageClassName != nil {
		class = cmp.Or(*c.Spec.StorageClassName, `"" (static binding only)`)
	}
	// A claim waits for its first consumer, or for a provisioner at work,
	// without anything being wrong; a warning about it says something is.
	msg := warnings.message("PersistentVolumeClaim", c.Namespace, c.Name)
	sev := Info
	switch {
	case c.Status.Phase == corev1.ClaimLost:
		sev = Critical
	case msg != "":
		sev = Warning
	}
	return Finding{Severity: sev, Kind: "PersistentVolumeClaim", Namespace: c.Namespace, Name: c.Name,
		Reason:   string(c.Status.Phase),
		Evidence: fmt.Sprintf("%s for %s; storageClass %s, requests %s", c.Status.Phase, since(c.CreationTimestamp, now), class, size.String()),
		Message:  msg,
		Next:     call("events_list", "namespace", c.Namespace, "kind", "PersistentVolumeClaim", "name", c.Name),
	}, true
}
