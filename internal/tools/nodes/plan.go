package nodes

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// action is what a drain does with one pod.
type action int

const (
	evict  action = iota
	skip          // left on the node, the drain goes on
	refuse        // the drain cannot go on without an option that allows it
)

// step is the plan for one pod, with the reason a reader sees.
type step struct {
	pod    *corev1.Pod
	action action
	reason string
}

// drainOptions are the choices kubectl drain offers.
type drainOptions struct {
	ignoreDaemonSets   bool
	deleteEmptyDirData bool
	force              bool
}

// plan decides for each pod on a node what a drain does with it, by the rules
// of kubectl drain: DaemonSet pods would be recreated at once (skipped, or a
// refusal without ignore_daemonsets); mirror pods belong to the kubelet;
// emptyDir data would be lost (delete_emptydir_data); unmanaged pods would
// not come back (force).
func plan(pods []corev1.Pod, o drainOptions) []step {
	steps := make([]step, 0, len(pods))
	for i := range pods {
		steps = append(steps, planPod(&pods[i], o))
	}
	return steps
}

func planPod(p *corev1.Pod, o drainOptions) step {
	ctrl := metav1.GetControllerOfNoCopy(p)
	finished := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
	switch {
	case p.DeletionTimestamp != nil:
		return step{p, skip, "already terminating"}
	case ctrl != nil && ctrl.Kind == "DaemonSet" && o.ignoreDaemonSets:
		return step{p, skip, "managed by DaemonSet " + ctrl.Name + " (ignore_daemonsets)"}
	case ctrl != nil && ctrl.Kind == "DaemonSet":
		return step{p, refuse, "managed by DaemonSet " + ctrl.Name + ", which would recreate it on this node at once; set ignore_daemonsets to leave it"}
	case p.Annotations[corev1.MirrorPodAnnotationKey] != "":
		return step{p, skip, "mirror pod of a static pod: the kubelet runs it from a file on the node"}
	case finished:
		return step{p, evict, "finished (" + string(p.Status.Phase) + ")"}
	}
	reason, refusals := "managed by "+owner(ctrl), []string{}
	if ctrl == nil {
		reason = "not managed by a controller: nothing recreates it (force)"
		if !o.force {
			refusals = append(refusals, "not managed by a controller, so nothing would recreate it: set force to delete it anyway")
		}
	}
	if vols := emptyDirs(p); len(vols) > 0 {
		reason += "; its emptyDir data is lost (delete_emptydir_data)"
		if !o.deleteEmptyDirData {
			refusals = append(refusals, fmt.Sprintf("uses emptyDir volume(s) %s, whose data would be lost: set delete_emptydir_data to evict it anyway", strings.Join(vols, ", ")))
		}
	}
	if len(refusals) > 0 {
		return step{p, refuse, strings.Join(refusals, "; ")}
	}
	return step{p, evict, reason}
}

func owner(ctrl *metav1.OwnerReference) string {
	if ctrl == nil {
		return "nothing"
	}
	return ctrl.Kind + " " + ctrl.Name
}

func emptyDirs(p *corev1.Pod) []string {
	var names []string
	for _, v := range p.Spec.Volumes {
		if v.EmptyDir != nil {
			names = append(names, v.Name)
		}
	}
	return names
}
