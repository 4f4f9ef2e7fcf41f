package diagnostics

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// workload is what runs a pod, as a person names it: the Deployment rather
// than its ReplicaSet, or the pod itself when nothing owns it.
type workload struct {
	Namespace string
	Kind      string
	Name      string
}

func (w workload) object() string { return strings.ToLower(w.Kind) + "/" + w.Name }

// workloadOf names the workload of p without reading its owners: a
// ReplicaSet named after its Deployment and the pod-template-hash belongs to
// that Deployment, as the Deployment controller names them.
func workloadOf(p *corev1.Pod) workload {
	owner := metav1.GetControllerOf(p)
	if owner == nil {
		return workload{p.Namespace, "Pod", p.Name}
	}
	if hash := p.Labels["pod-template-hash"]; owner.Kind == "ReplicaSet" && hash != "" && strings.HasSuffix(owner.Name, "-"+hash) {
		return workload{p.Namespace, "Deployment", strings.TrimSuffix(owner.Name, "-"+hash)}
	}
	return workload{p.Namespace, owner.Kind, owner.Name}
}

// byWorkload groups pods by workload, in the order first seen.
func byWorkload(pods []corev1.Pod) ([]workload, map[workload][]*corev1.Pod) {
	var order []workload
	groups := map[workload][]*corev1.Pod{}
	for i := range pods {
		w := workloadOf(&pods[i])
		if _, ok := groups[w]; !ok {
			order = append(order, w)
		}
		groups[w] = append(groups[w], &pods[i])
	}
	return order, groups
}
