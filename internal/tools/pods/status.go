package pods

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

func summarizePod(p *corev1.Pod) Pod {
	ready, restarts := 0, int32(0)
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
		restarts += cs.RestartCount
	}
	return Pod{
		Namespace: p.Namespace,
		Name:      p.Name,
		Ready:     fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers)),
		Status:    podStatus(p),
		Restarts:  restarts,
		Created:   p.CreationTimestamp.Time,
		Node:      p.Spec.NodeName,
		IP:        p.Status.PodIP,
	}
}

// podStatus is the one word kubectl shows: the pod's reason or phase, overridden
// by an init container still at work or by the most telling container state.
func podStatus(p *corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "Terminating"
	}
	status := string(p.Status.Phase)
	if p.Status.Reason != "" {
		status = p.Status.Reason
	}
	for i, cs := range p.Status.InitContainerStatuses {
		if s, ok := initStatus(cs, i, len(p.Spec.InitContainers)); ok {
			return s
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			status = cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "":
			status = cs.State.Terminated.Reason
		case cs.State.Terminated != nil:
			status = fmt.Sprintf("ExitCode:%d", cs.State.Terminated.ExitCode)
		}
	}
	if status == string(corev1.PodPending) {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
				return c.Reason
			}
		}
	}
	return status
}

// initStatus reports an init container that keeps the pod from starting.
func initStatus(cs corev1.ContainerStatus, i, total int) (string, bool) {
	switch {
	case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
		return "", false
	case cs.State.Terminated != nil:
		return "Init:" + orDefault(cs.State.Terminated.Reason, fmt.Sprintf("ExitCode:%d", cs.State.Terminated.ExitCode)), true
	case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
		return "Init:" + cs.State.Waiting.Reason, true
	default:
		return fmt.Sprintf("Init:%d/%d", i, total), true
	}
}
