package workloads

import (
	"cmp"
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/podstate"
)

// PodProblem is a pod of a rollout that is not ready, and why.
type PodProblem struct {
	Name            string `json:"name"`
	Ready           string `json:"ready" jsonschema:"ready containers over all containers, e.g. 0/1"`
	Status          string `json:"status" jsonschema:"why the pod is not ready: CrashLoopBackOff, ImagePullBackOff, Unschedulable, Pending, NotReady..."`
	Restarts        int32  `json:"restarts"`
	LastTermination string `json:"last_termination,omitempty" jsonschema:"how the previous run of a container ended, e.g. Error, exit code 1"`
	Message         string `json:"message,omitempty" jsonschema:"the message of the waiting container, the scheduler or the readiness condition, as the cluster reported it"`
	Node            string `json:"node,omitempty"`
}

// rolloutPods returns the pods that carry the rollout: for a Deployment those
// of the ReplicaSet whose template is the current one (named in owner), for a
// StatefulSet or DaemonSet all of its pods.
func (r ref) rolloutPods(ctx context.Context, obj metav1.Object) (owner string, members []corev1.Pod, err error) {
	owner = string(r.kind) + " " + obj.GetName()
	var ctrl metav1.Object = obj
	sel := selector(obj)
	if d, ok := obj.(*appsv1.Deployment); ok {
		rs, err := r.newReplicaSet(ctx, d)
		if err != nil || rs == nil {
			return "", nil, err
		}
		ctrl, sel, owner = rs, rs.Spec.Selector, "ReplicaSet "+rs.Name
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return "", nil, fmt.Errorf("%s has an invalid selector: %w", owner, err)
	}
	list, err := r.kc.Typed.CoreV1().Pods(r.ns).List(ctx, metav1.ListOptions{LabelSelector: s.String()})
	if err != nil {
		return "", nil, r.explainOn(err, "list", "pods")
	}
	for _, p := range list.Items {
		if controlledBy(&p, ctrl) {
			members = append(members, p)
		}
	}
	return owner, members, nil
}

// newReplicaSet is the ReplicaSet of d whose template is d's, or nil when the
// controller has not made one yet.
func (r ref) newReplicaSet(ctx context.Context, d *appsv1.Deployment) (*appsv1.ReplicaSet, error) {
	sets, err := r.replicaSets(ctx, d)
	if err != nil {
		return nil, err
	}
	for _, rs := range sets {
		if equalIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			return rs, nil
		}
	}
	return nil, nil
}

// notReady returns the problems of the pods that are not ready.
func notReady(members []corev1.Pod) []PodProblem {
	out := []PodProblem{}
	for i := range members {
		if c := podCondition(&members[i], corev1.PodReady); c != nil && c.Status == corev1.ConditionTrue {
			continue
		}
		out = append(out, problem(&members[i]))
	}
	return out
}

func problem(p *corev1.Pod) PodProblem {
	st := podstate.Of(p)
	pp := PodProblem{Name: p.Name, Node: p.Spec.NodeName, Ready: st.Ready, Status: st.Status, Restarts: st.Restarts, Message: st.Message}
	for _, cs := range p.Status.ContainerStatuses {
		if t := cs.LastTerminationState.Terminated; t != nil {
			pp.LastTermination = fmt.Sprintf("%s, exit code %d", cmp.Or(t.Reason, "Terminated"), t.ExitCode)
			break
		}
	}
	// kubectl says Running for a pod whose containers run but fail their
	// readiness probe; here the pod is listed because it is not ready.
	if c := podCondition(p, corev1.PodReady); st.Status == string(corev1.PodRunning) && c != nil {
		pp.Status, pp.Message = "NotReady", c.Message
	}
	return pp
}

func podCondition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}
