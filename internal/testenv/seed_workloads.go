package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// podState is what a seeded pod looks like; there is no kubelet, so Seed
// writes the status a kubelet would report.
type podState int

const (
	stateRunning podState = iota
	stateCrashLoop
	stateImagePull
	stateUnschedulable
	stateOOMKilled
)

// workload is one Deployment or StatefulSet with its pods. Each pod has one
// container, named after the workload.
type workload struct {
	kind     string // "Deployment" or "StatefulSet"
	ns, name string
	hash     string // pod-template-hash or controller revision
	pods     []string
	image    string
	port     int32
	requests corev1.ResourceList
	limits   corev1.ResourceList
	state    podState
}

func seedWorkloads() []workload {
	return []workload{
		{kind: "Deployment", ns: NamespaceShop, name: DeploymentFrontend, hash: "5d8f7c9b6", pods: FrontendPods(),
			image: "nginx:1.27.3", port: 80, requests: resources("100m", "128Mi"), limits: resources("500m", "256Mi")},
		{kind: "Deployment", ns: NamespaceShop, name: DeploymentCart, hash: "7b9c5d4f8", pods: CartPods(),
			image: "ghcr.io/kubemcp-demo/cart:1.4.2", port: 8080, requests: resources("200m", "256Mi"), limits: resources("1", "512Mi")},
		{kind: "Deployment", ns: NamespacePayments, name: DeploymentAPI, hash: "6c4b8d7f5", pods: []string{PodCrashLoop},
			image: "ghcr.io/kubemcp-demo/payments-api:2.7.0", port: 8080, requests: resources("250m", "256Mi"), limits: resources("1", "512Mi"), state: stateCrashLoop},
		{kind: "Deployment", ns: NamespacePayments, name: DeploymentLedger, hash: "8f6d9b7c4", pods: []string{PodImagePull},
			image: "registry.invalid/payments/ledger:3.1.0", port: 9000, requests: resources("100m", "128Mi"), state: stateImagePull},
		{kind: "Deployment", ns: NamespaceMonitoring, name: DeploymentLogAggregator, hash: "5b7d6c8f9", pods: []string{PodOOMKilled},
			image: "fluent/fluent-bit:3.2.2", port: 2020, requests: resources("50m", "64Mi"), limits: resources("200m", "64Mi"), state: stateOOMKilled},
		{kind: "StatefulSet", ns: NamespaceMonitoring, name: StatefulSetPrometheus, hash: "prometheus-7c5f9d8b4", pods: []string{PodUnschedulable},
			image: "quay.io/prometheus/prometheus:v3.1.0", port: 9090, requests: resources("8", "4Gi"), state: stateUnschedulable},
	}
}

func (w workload) ready() int32 {
	if w.state == stateRunning || w.state == stateOOMKilled {
		return int32(len(w.pods))
	}
	return 0
}

func (w workload) labels() map[string]string {
	return map[string]string{"app": w.name}
}

func (w workload) template() corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: w.labels()},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:      w.name,
			Image:     w.image,
			Ports:     []corev1.ContainerPort{{Name: "http", ContainerPort: w.port, Protocol: corev1.ProtocolTCP}},
			Resources: corev1.ResourceRequirements{Requests: w.requests, Limits: w.limits},
		}}},
	}
}

func (s *seeder) workloads(ctx context.Context) error {
	for _, w := range seedWorkloads() {
		if err := s.workload(ctx, w); err != nil {
			return fmt.Errorf("seeding %s %s/%s: %w", w.kind, w.ns, w.name, err)
		}
	}
	return nil
}

func (s *seeder) workload(ctx context.Context, w workload) error {
	var owner metav1.OwnerReference
	var err error
	if w.kind == "StatefulSet" {
		owner, err = s.statefulSet(ctx, w)
	} else {
		owner, err = s.deployment(ctx, w)
	}
	if err != nil {
		return err
	}
	for _, name := range w.pods {
		if err := s.pod(ctx, w, name, owner); err != nil {
			return fmt.Errorf("pod %s: %w", name, err)
		}
	}
	return nil
}

// deployment creates the Deployment and its ReplicaSet, with status, and
// returns the owner reference for the pods.
func (s *seeder) deployment(ctx context.Context, w workload) (metav1.OwnerReference, error) {
	api := s.cs.AppsV1().Deployments(w.ns)
	d, err := api.Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: w.name, Namespace: w.ns, Labels: w.labels()},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(len(w.pods))),
			Selector: &metav1.LabelSelector{MatchLabels: w.labels()},
			Template: w.template(),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return metav1.OwnerReference{}, err
	}
	d.Status = deploymentStatus(w, d.Generation)
	if _, err := api.UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		return metav1.OwnerReference{}, fmt.Errorf("writing deployment status: %w", err)
	}
	return s.replicaSet(ctx, w, ownerRef(d, "Deployment"))
}

func (s *seeder) replicaSet(ctx context.Context, w workload, owner metav1.OwnerReference) (metav1.OwnerReference, error) {
	labels := w.labels()
	labels["pod-template-hash"] = w.hash
	tmpl := w.template()
	tmpl.Labels = labels
	api := s.cs.AppsV1().ReplicaSets(w.ns)
	rs, err := api.Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name: w.name + "-" + w.hash, Namespace: w.ns, Labels: labels,
			Annotations:     map[string]string{"deployment.kubernetes.io/revision": "1"},
			OwnerReferences: []metav1.OwnerReference{owner},
		},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(int32(len(w.pods))),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: tmpl,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return metav1.OwnerReference{}, fmt.Errorf("creating replicaset: %w", err)
	}
	n, ready := int32(len(w.pods)), w.ready()
	rs.Status = appsv1.ReplicaSetStatus{Replicas: n, FullyLabeledReplicas: n, ReadyReplicas: ready, AvailableReplicas: ready, ObservedGeneration: rs.Generation}
	if _, err := api.UpdateStatus(ctx, rs, metav1.UpdateOptions{}); err != nil {
		return metav1.OwnerReference{}, fmt.Errorf("writing replicaset status: %w", err)
	}
	return ownerRef(rs, "ReplicaSet"), nil
}

func deploymentStatus(w workload, generation int64) appsv1.DeploymentStatus {
	n, ready := int32(len(w.pods)), w.ready()
	now := metav1.Now()
	rs := fmt.Sprintf("ReplicaSet %q", w.name+"-"+w.hash)
	available := appsv1.DeploymentCondition{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue,
		Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability.", LastUpdateTime: now, LastTransitionTime: now}
	progressing := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue,
		Reason: "NewReplicaSetAvailable", Message: rs + " has successfully progressed.", LastUpdateTime: now, LastTransitionTime: now}
	if ready < n {
		available.Status, available.Reason, available.Message = corev1.ConditionFalse, "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
		progressing.Status, progressing.Reason, progressing.Message = corev1.ConditionFalse, "ProgressDeadlineExceeded", rs+" has timed out progressing."
	}
	return appsv1.DeploymentStatus{
		ObservedGeneration: generation, Replicas: n, UpdatedReplicas: n, ReadyReplicas: ready,
		AvailableReplicas: ready, UnavailableReplicas: n - ready,
		Conditions: []appsv1.DeploymentCondition{available, progressing},
	}
}

func (s *seeder) statefulSet(ctx context.Context, w workload) (metav1.OwnerReference, error) {
	api := s.cs.AppsV1().StatefulSets(w.ns)
	ss, err := api.Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: w.name, Namespace: w.ns, Labels: w.labels()},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(int32(len(w.pods))),
			Selector:    &metav1.LabelSelector{MatchLabels: w.labels()},
			ServiceName: w.name,
			Template:    w.template(),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return metav1.OwnerReference{}, err
	}
	n, ready := int32(len(w.pods)), w.ready()
	ss.Status = appsv1.StatefulSetStatus{
		ObservedGeneration: ss.Generation, Replicas: n, ReadyReplicas: ready, AvailableReplicas: ready,
		CurrentReplicas: n, UpdatedReplicas: n, CurrentRevision: w.hash, UpdateRevision: w.hash,
	}
	if _, err := api.UpdateStatus(ctx, ss, metav1.UpdateOptions{}); err != nil {
		return metav1.OwnerReference{}, fmt.Errorf("writing statefulset status: %w", err)
	}
	return ownerRef(ss, "StatefulSet"), nil
}

func ownerRef(obj metav1.Object, kind string) metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion: "apps/v1", Kind: kind, Name: obj.GetName(), UID: obj.GetUID(),
		Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
	}
}

// fakeDigest is a stable hex string standing in for an image digest or a
// container id.
func fakeDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
