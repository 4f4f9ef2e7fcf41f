package diagnostics

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/podstate"
)

// KindCount is how many objects of a kind a namespace holds, by status.
type KindCount struct {
	Kind     string         `json:"kind"`
	Total    int            `json:"total"`
	ByStatus map[string]int `json:"by_status"`
}

func (k KindCount) String() string {
	if len(k.ByStatus) == 0 {
		return fmt.Sprintf("%s %d", k.Kind, k.Total)
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(k.ByStatus)) {
		parts = append(parts, fmt.Sprintf("%s %d", s, k.ByStatus[s]))
	}
	return fmt.Sprintf("%s %d (%s)", k.Kind, k.Total, strings.Join(parts, ", "))
}

// tally counts items by the status each is given.
func tally[T any](kind string, items []T, status func(*T) string) KindCount {
	k := KindCount{Kind: kind, Total: len(items), ByStatus: map[string]int{}}
	for i := range items {
		k.ByStatus[status(&items[i])]++
	}
	return k
}

// extras are what namespace_overview counts beyond what find_issues reads.
type extras struct {
	services   []corev1.Service
	cronJobs   []batchv1.CronJob
	configMaps int
	secrets    int
}

func (e *extras) reads(kc *kube.Client, ns string) map[string]func(context.Context) error {
	core := kc.Typed.CoreV1()
	return map[string]func(context.Context) error{
		"services":   into(&e.services, core.Services(ns).List, func(l *corev1.ServiceList) []corev1.Service { return l.Items }),
		"cronjobs":   into(&e.cronJobs, kc.Typed.BatchV1().CronJobs(ns).List, func(l *batchv1.CronJobList) []batchv1.CronJob { return l.Items }),
		"configmaps": countObjects(kc, "/api/v1/namespaces/"+ns+"/configmaps", &e.configMaps),
		"secrets":    countObjects(kc, "/api/v1/namespaces/"+ns+"/secrets", &e.secrets),
	}
}

// countObjects counts the objects at path from one page of their metadata:
// the apiserver says how many it did not send. Nothing but metadata is
// read, so a Secret's values never reach kubemcp.
func countObjects(kc *kube.Client, path string, n *int) func(context.Context) error {
	return func(ctx context.Context) error {
		body, err := kc.Typed.CoreV1().RESTClient().Get().AbsPath(path).Param("limit", "1").
			SetHeader("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1").DoRaw(ctx)
		if err != nil {
			return err
		}
		var l metav1.PartialObjectMetadataList
		if err := json.Unmarshal(body, &l); err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		*n = len(l.Items)
		if l.RemainingItemCount != nil {
			*n += int(*l.RemainingItemCount)
		}
		return nil
	}
}

// counts are the namespace's objects by kind and status.
func counts(s *snapshot, e *extras) []KindCount {
	return []KindCount{
		tally("pods", s.pods, func(p *corev1.Pod) string { return podstate.Of(p).Status }),
		tally("deployments", s.deployments, deploymentStatus),
		tally("statefulsets", s.statefulSets, func(x *appsv1.StatefulSet) string {
			return readiness(x.Status.ReadyReplicas, replicas(x.Spec.Replicas))
		}),
		tally("daemonsets", s.daemonSets, func(x *appsv1.DaemonSet) string {
			return readiness(x.Status.NumberReady, x.Status.DesiredNumberScheduled)
		}),
		tally("jobs", s.jobs, jobStatus),
		tally("cronjobs", e.cronJobs, func(c *batchv1.CronJob) string {
			if c.Spec.Suspend != nil && *c.Spec.Suspend {
				return "suspended"
			}
			return "scheduled"
		}),
		tally("services", e.services, func(x *corev1.Service) string { return string(x.Spec.Type) }),
		tally("persistentvolumeclaims", s.pvcs, func(c *corev1.PersistentVolumeClaim) string { return string(c.Status.Phase) }),
		{Kind: "configmaps", Total: e.configMaps, ByStatus: map[string]int{}},
		{Kind: "secrets", Total: e.secrets, ByStatus: map[string]int{}},
	}
}

func deploymentStatus(d *appsv1.Deployment) string {
	switch {
	case d.Spec.Paused:
		return "paused"
	case d.Status.AvailableReplicas >= replicas(d.Spec.Replicas):
		return "available"
	}
	return "unavailable"
}

func readiness(ready, want int32) string {
	if ready >= want {
		return "ready"
	}
	return "not ready"
}

func jobStatus(j *batchv1.Job) string {
	for _, c := range j.Status.Conditions {
		if c.Status == corev1.ConditionTrue && (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) {
			return strings.ToLower(string(c.Type))
		}
	}
	if j.Status.Active > 0 {
		return "running"
	}
	return "pending"
}
