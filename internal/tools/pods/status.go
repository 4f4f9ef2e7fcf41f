package pods

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/kubemcp/kubemcp/internal/podstate"
)

func summarizePod(p *corev1.Pod) Pod {
	s := podstate.Of(p)
	return Pod{
		Namespace: p.Namespace,
		Name:      p.Name,
		Ready:     s.Ready,
		Status:    s.Status,
		Restarts:  s.Restarts,
		Created:   p.CreationTimestamp.Time,
		Node:      p.Spec.NodeName,
		IP:        p.Status.PodIP,
	}
}
