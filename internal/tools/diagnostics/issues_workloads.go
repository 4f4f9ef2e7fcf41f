package diagnostics

import (
	"cmp"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// deploymentFinding reports a Deployment whose rollout timed out or that
// has fewer available replicas than it wants.
func deploymentFinding(d *appsv1.Deployment) (Finding, bool) {
	want := replicas(d.Spec.Replicas)
	f := Finding{Kind: "Deployment", Namespace: d.Namespace, Name: d.Name,
		Next: call("rollout_status", "kind", "deployment", "namespace", d.Namespace, "name", d.Name)}
	f.Evidence = fmt.Sprintf("available %d/%d, updated %d", d.Status.AvailableReplicas, want, d.Status.UpdatedReplicas)
	if d.Spec.Paused {
		f.Evidence += ", rollout paused"
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			f.Severity, f.Reason, f.Message = Critical, c.Reason, c.Message
			return f, true
		}
	}
	if d.Status.AvailableReplicas >= want {
		return f, false
	}
	f.Severity, f.Reason = unavailable(d.Status.AvailableReplicas), "UnavailableReplicas"
	return f, true
}

// unavailable is critical when nothing serves, a warning when some does.
func unavailable(available int32) string {
	if available == 0 {
		return Critical
	}
	return Warning
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// statefulSetFinding reports a StatefulSet with fewer ready replicas than
// it wants.
func statefulSetFinding(s *appsv1.StatefulSet) (Finding, bool) {
	want := replicas(s.Spec.Replicas)
	if s.Status.ReadyReplicas >= want {
		return Finding{}, false
	}
	return Finding{Severity: unavailable(s.Status.ReadyReplicas), Kind: "StatefulSet", Namespace: s.Namespace, Name: s.Name,
		Reason: "UnavailableReplicas", Evidence: fmt.Sprintf("ready %d/%d", s.Status.ReadyReplicas, want),
		Next: call("rollout_status", "kind", "statefulset", "namespace", s.Namespace, "name", s.Name)}, true
}

// daemonSetFinding reports a DaemonSet not ready on every node it should run on.
func daemonSetFinding(d *appsv1.DaemonSet) (Finding, bool) {
	want := d.Status.DesiredNumberScheduled
	if d.Status.NumberReady >= want && d.Status.NumberMisscheduled == 0 {
		return Finding{}, false
	}
	return Finding{Severity: unavailable(d.Status.NumberReady), Kind: "DaemonSet", Namespace: d.Namespace, Name: d.Name,
		Reason:   "UnavailableReplicas",
		Evidence: fmt.Sprintf("ready %d/%d, misscheduled %d", d.Status.NumberReady, want, d.Status.NumberMisscheduled),
		Next:     call("rollout_status", "kind", "daemonset", "namespace", d.Namespace, "name", d.Name)}, true
}

// jobFinding reports a Job that failed.
func jobFinding(j *batchv1.Job) (Finding, bool) {
	for _, c := range j.Status.Conditions {
		if c.Type != batchv1.JobFailed || c.Status != corev1.ConditionTrue {
			continue
		}
		limit := "6 (default)"
		if j.Spec.BackoffLimit != nil {
			limit = fmt.Sprint(*j.Spec.BackoffLimit)
		}
		return Finding{Severity: Warning, Kind: "Job", Namespace: j.Namespace, Name: j.Name,
			Reason:   cmp.Or(word(c.Reason), "Failed"),
			Evidence: fmt.Sprintf("failed pods %d, succeeded %d, backoffLimit %s", j.Status.Failed, j.Status.Succeeded, limit),
			Message:  c.Message,
			Next:     call("pods_logs", "namespace", j.Namespace, "label_selector", "job-name="+j.Name),
		}, true
	}
	return Finding{}, false
}
