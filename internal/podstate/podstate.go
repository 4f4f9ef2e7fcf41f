// Package podstate says what a pod's status comes to, as the STATUS column of
// kubectl get pods shows it. It is Kubernetes knowledge several toolsets share
// (pods, workloads, diagnostics), so that no toolset imports another.
package podstate

import (
	"cmp"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// State is what a pod's status comes to, as kubectl get pods shows it, with
// the cluster's message behind it.
type State struct {
	Ready    string // ready containers over all containers, e.g. 1/2
	Restarts int32
	// Status is the one word kubectl shows: the pod's reason or phase,
	// overridden by an init container still at work or by the most telling
	// container state (CrashLoopBackOff, Init:0/1, Unschedulable, ...).
	Status  string
	Message string // what the cluster said with Status, if anything
}

// Of reads p's state.
func Of(p *corev1.Pod) State {
	s := State{}
	ready := 0
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
		s.Restarts += cs.RestartCount
	}
	s.Ready = fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers))
	s.Status, s.Message = status(p)
	return s
}

// status is State.Status and its message.
func status(p *corev1.Pod) (string, string) {
	if p.DeletionTimestamp != nil {
		return "Terminating", ""
	}
	status, msg := cmp.Or(p.Status.Reason, string(p.Status.Phase)), p.Status.Message
	for i, cs := range p.Status.InitContainerStatuses {
		if s, m, ok := initStatus(cs, i, len(p.Spec.InitContainers)); ok {
			return s, m
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		switch w, t := cs.State.Waiting, cs.State.Terminated; {
		case w != nil && w.Reason != "":
			status, msg = w.Reason, w.Message
		case t != nil:
			status, msg = cmp.Or(t.Reason, fmt.Sprintf("ExitCode:%d", t.ExitCode)), t.Message
		}
	}
	if status == string(corev1.PodPending) {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
				return c.Reason, c.Message
			}
		}
	}
	return status, msg
}

// initStatus reports an init container that keeps the pod from starting.
func initStatus(cs corev1.ContainerStatus, i, total int) (string, string, bool) {
	switch w, t := cs.State.Waiting, cs.State.Terminated; {
	case t != nil && t.ExitCode == 0:
		return "", "", false
	case t != nil:
		return "Init:" + cmp.Or(t.Reason, fmt.Sprintf("ExitCode:%d", t.ExitCode)), t.Message, true
	case w != nil && w.Reason != "" && w.Reason != "PodInitializing":
		return "Init:" + w.Reason, w.Message, true
	default:
		return fmt.Sprintf("Init:%d/%d", i, total), "", true
	}
}
