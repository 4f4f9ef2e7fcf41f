package workloads

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Condition is one status condition of a workload.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Progress is where a rollout stands, judged the way kubectl rollout status
// judges it.
type Progress struct {
	Done               bool        `json:"done" jsonschema:"the rollout finished: every replica runs the current template and is available"`
	Failed             bool        `json:"failed" jsonschema:"the rollout exceeded its progress deadline; the controller stopped trying"`
	Paused             bool        `json:"paused,omitempty"`
	Message            string      `json:"message" jsonschema:"what kubectl rollout status would print"`
	Generation         int64       `json:"generation"`
	ObservedGeneration int64       `json:"observed_generation" jsonschema:"the generation the controller has acted on; behind generation means the latest change is not yet seen"`
	Desired            int32       `json:"desired"`
	Updated            int32       `json:"updated" jsonschema:"replicas running the current template"`
	Ready              int32       `json:"ready"`
	Available          int32       `json:"available"`
	Conditions         []Condition `json:"conditions"`
}

// settled means waiting longer cannot change the answer by itself.
func (p Progress) settled() bool { return p.Done || p.Failed || p.Paused }

// evaluate judges any of the three kinds.
func evaluate(obj metav1.Object) Progress {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return evalDeployment(o)
	case *appsv1.StatefulSet:
		return evalStatefulSet(o)
	case *appsv1.DaemonSet:
		return evalDaemonSet(o)
	}
	return Progress{Conditions: []Condition{}}
}

func evalDeployment(d *appsv1.Deployment) Progress {
	st := d.Status
	p := Progress{
		Paused: d.Spec.Paused, Generation: d.Generation, ObservedGeneration: st.ObservedGeneration,
		Desired: ptr.Deref(d.Spec.Replicas, 1), Updated: st.UpdatedReplicas, Ready: st.ReadyReplicas, Available: st.AvailableReplicas,
		Conditions: []Condition{},
	}
	for _, c := range st.Conditions {
		p.Conditions = append(p.Conditions, Condition{string(c.Type), string(c.Status), c.Reason, c.Message})
	}
	switch {
	case d.Generation > st.ObservedGeneration:
		p.Message = "waiting for the deployment spec update to be observed by the controller"
	case progressDeadlineExceeded(d):
		p.Failed = true
		p.Message = fmt.Sprintf("deployment %q exceeded its progress deadline", d.Name)
	case st.UpdatedReplicas < p.Desired:
		p.Message = fmt.Sprintf("waiting for rollout to finish: %d out of %d new replicas have been updated", st.UpdatedReplicas, p.Desired)
	case st.Replicas > st.UpdatedReplicas:
		p.Message = fmt.Sprintf("waiting for rollout to finish: %d old replicas are pending termination", st.Replicas-st.UpdatedReplicas)
	case st.AvailableReplicas < st.UpdatedReplicas:
		p.Message = fmt.Sprintf("waiting for rollout to finish: %d of %d updated replicas are available", st.AvailableReplicas, st.UpdatedReplicas)
	default:
		p.Done = true
		p.Message = fmt.Sprintf("deployment %q successfully rolled out", d.Name)
	}
	if d.Spec.Paused && !p.Done {
		p.Message += " (the deployment is paused: nothing progresses until it is resumed)"
	}
	return p
}

func progressDeadlineExceeded(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing {
			return c.Reason == "ProgressDeadlineExceeded"
		}
	}
	return false
}

func evalStatefulSet(s *appsv1.StatefulSet) Progress {
	st := s.Status
	p := Progress{
		Generation: s.Generation, ObservedGeneration: st.ObservedGeneration,
		Desired: ptr.Deref(s.Spec.Replicas, 1), Updated: st.UpdatedReplicas, Ready: st.ReadyReplicas, Available: st.AvailableReplicas,
		Conditions: []Condition{},
	}
	for _, c := range st.Conditions {
		p.Conditions = append(p.Conditions, Condition{string(c.Type), string(c.Status), c.Reason, c.Message})
	}
	strategy := s.Spec.UpdateStrategy
	switch {
	case strategy.Type == appsv1.OnDeleteStatefulSetStrategyType:
		p.Message = "the update strategy is OnDelete: pods get the new template only when deleted, so there is no rollout to follow"
		p.Done = st.ReadyReplicas >= p.Desired
	case st.ObservedGeneration == 0 || s.Generation > st.ObservedGeneration:
		p.Message = "waiting for the statefulset spec update to be observed by the controller"
	case st.ReadyReplicas < p.Desired:
		p.Message = fmt.Sprintf("waiting for %d pods to be ready", p.Desired-st.ReadyReplicas)
	case strategy.RollingUpdate != nil && ptr.Deref(strategy.RollingUpdate.Partition, 0) > 0:
		p.Message, p.Done = partitionMessage(s)
	case st.UpdateRevision != st.CurrentRevision:
		p.Message = fmt.Sprintf("waiting for the rolling update to complete: %d pods at revision %s", st.UpdatedReplicas, st.UpdateRevision)
	default:
		p.Done = true
		p.Message = fmt.Sprintf("statefulset rolling update complete: %d pods at revision %s", st.CurrentReplicas, st.CurrentRevision)
	}
	return p
}

func partitionMessage(s *appsv1.StatefulSet) (string, bool) {
	partition := *s.Spec.UpdateStrategy.RollingUpdate.Partition
	want := ptr.Deref(s.Spec.Replicas, 1) - partition
	if s.Status.UpdatedReplicas < want {
		return fmt.Sprintf("waiting for the partitioned rollout to finish: %d out of %d new pods have been updated", s.Status.UpdatedReplicas, want), false
	}
	return fmt.Sprintf("partitioned rollout complete: %d new pods have been updated (pods below ordinal %d keep the old template)", s.Status.UpdatedReplicas, partition), true
}

func evalDaemonSet(ds *appsv1.DaemonSet) Progress {
	st := ds.Status
	p := Progress{
		Generation: ds.Generation, ObservedGeneration: st.ObservedGeneration,
		Desired: st.DesiredNumberScheduled, Updated: st.UpdatedNumberScheduled, Ready: st.NumberReady, Available: st.NumberAvailable,
		Conditions: []Condition{},
	}
	for _, c := range st.Conditions {
		p.Conditions = append(p.Conditions, Condition{string(c.Type), string(c.Status), c.Reason, c.Message})
	}
	switch {
	case ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType:
		p.Message = "the update strategy is OnDelete: pods get the new template only when deleted, so there is no rollout to follow"
		p.Done = st.NumberAvailable >= st.DesiredNumberScheduled
	case ds.Generation > st.ObservedGeneration:
		p.Message = "waiting for the daemon set spec update to be observed by the controller"
	case st.UpdatedNumberScheduled < st.DesiredNumberScheduled:
		p.Message = fmt.Sprintf("waiting for rollout to finish: %d out of %d new pods have been updated", st.UpdatedNumberScheduled, st.DesiredNumberScheduled)
	case st.NumberAvailable < st.DesiredNumberScheduled:
		p.Message = fmt.Sprintf("waiting for rollout to finish: %d of %d updated pods are available", st.NumberAvailable, st.DesiredNumberScheduled)
	default:
		p.Done = true
		p.Message = fmt.Sprintf("daemon set %q successfully rolled out", ds.Name)
	}
	return p
}
