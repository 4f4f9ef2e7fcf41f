package workloads

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// No controller-manager runs in the test cluster, so the fixtures create what
// the controllers would: ReplicaSets or ControllerRevisions per revision, pods,
// and the status of each, as internal/testenv's seed does.

// revisionSpec is one revision of a fixture workload.
type revisionSpec struct {
	image       string
	changeCause string
}

func revs(images ...string) []revisionSpec {
	out := make([]revisionSpec, len(images))
	for i, img := range images {
		out[i] = revisionSpec{image: img}
	}
	return out
}

func podTemplateFor(name, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: image}}},
	}
}

// deployment creates a healthy Deployment of 2 replicas whose template is
// the last revision's, a ReplicaSet per revision and the current one's pods.
func deployment(t *testing.T, ns, name string, history []revisionSpec) *appsv1.Deployment {
	t.Helper()
	ctx := context.Background()
	last := history[len(history)-1]
	api := admins().AppsV1().Deployments(ns)
	d, err := api.Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns,
			Annotations: map[string]string{revisionAnnotation: strconv.Itoa(len(history)), changeCauseAnnotation: last.changeCause}},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(int32(2)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: podTemplateFor(name, last.image)},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability."},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable", Message: "ReplicaSet has successfully progressed."},
		}}
	d, err = api.UpdateStatus(ctx, d, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	for i, rev := range history {
		replicas := int32(0)
		if i == len(history)-1 {
			replicas = 2
		}
		rs := replicaSet(t, d, i+1, rev, replicas)
		for p := range int(replicas) {
			pod(t, ns, fmt.Sprintf("%s-%d", rs.Name, p), rs.Spec.Template, owner(rs, "ReplicaSet"), true)
		}
	}
	return d
}

func replicaSet(t *testing.T, d *appsv1.Deployment, n int, rev revisionSpec, replicas int32) *appsv1.ReplicaSet {
	t.Helper()
	hash := fmt.Sprintf("rev%d", n)
	tmpl := podTemplateFor(d.Name, rev.image)
	tmpl.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = hash
	ann := map[string]string{revisionAnnotation: strconv.Itoa(n)}
	if rev.changeCause != "" {
		ann[changeCauseAnnotation] = rev.changeCause
	}
	api := admins().AppsV1().ReplicaSets(d.Namespace)
	rs, err := api.Create(context.Background(), &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-" + hash, Namespace: d.Namespace, Labels: tmpl.Labels, Annotations: ann,
			OwnerReferences: []metav1.OwnerReference{owner(d, "Deployment")}},
		Spec: appsv1.ReplicaSetSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels}, Template: tmpl},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	rs.Status = appsv1.ReplicaSetStatus{Replicas: replicas, FullyLabeledReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas, ObservedGeneration: rs.Generation}
	rs, err = api.UpdateStatus(context.Background(), rs, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	return rs
}

// pod creates a Running pod bound to the env's node, ready or not.
func pod(t *testing.T, ns, name string, tmpl corev1.PodTemplateSpec, ref metav1.OwnerReference, ready bool) *corev1.Pod {
	t.Helper()
	api := admins().CoreV1().Pods(ns)
	spec := tmpl.Spec
	spec.NodeName = env.NodeName
	p, err := api.Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: tmpl.Labels, OwnerReferences: []metav1.OwnerReference{ref}},
		Spec:       spec,
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	status := corev1.ConditionTrue
	if !ready {
		status = corev1.ConditionFalse
	}
	now := metav1.Now()
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: status, LastTransitionTime: now}}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: spec.Containers[0].Name, Image: spec.Containers[0].Image, Ready: ready,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}}
	p, err = api.UpdateStatus(context.Background(), p, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	return p
}

// statefulSet creates a StatefulSet whose template is the last revision's,
// with a ControllerRevision per revision recorded as the controller records
// them, and a ready status.
func statefulSet(t *testing.T, ns, name string, history []revisionSpec) *appsv1.StatefulSet {
	t.Helper()
	ctx := context.Background()
	api := admins().AppsV1().StatefulSets(ns)
	s, err := api.Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(int32(1)), ServiceName: name,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: podTemplateFor(name, history[len(history)-1].image)},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	for i, rev := range history {
		tmpl := s.Spec.Template.DeepCopy() // defaulted by the apiserver, as the controller records it
		tmpl.Spec.Containers[0].Image = rev.image
		controllerRevision(t, s, i+1, tmpl, rev.changeCause)
	}
	current := fmt.Sprintf("%s-rev%d", name, len(history))
	s.Status = appsv1.StatefulSetStatus{ObservedGeneration: s.Generation, Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
		CurrentReplicas: 1, UpdatedReplicas: 1, CurrentRevision: current, UpdateRevision: current}
	s, err = api.UpdateStatus(ctx, s, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	return s
}

func controllerRevision(t *testing.T, s *appsv1.StatefulSet, n int, tmpl *corev1.PodTemplateSpec, cause string) {
	t.Helper()
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(tmpl)
	toolsettest.Must(t, err)
	raw["$patch"] = "replace"
	data, err := json.Marshal(map[string]any{"spec": map[string]any{"template": raw}})
	toolsettest.Must(t, err)
	cr := &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-rev%d", s.Name, n), Namespace: s.Namespace, Labels: s.Spec.Selector.MatchLabels,
			OwnerReferences: []metav1.OwnerReference{owner(s, "StatefulSet")}},
		Data:     runtime.RawExtension{Raw: data},
		Revision: int64(n),
	}
	if cause != "" {
		cr.Annotations = map[string]string{changeCauseAnnotation: cause}
	}
	_, err = admins().AppsV1().ControllerRevisions(s.Namespace).Create(context.Background(), cr, metav1.CreateOptions{})
	toolsettest.Must(t, err)
}

// daemonSet creates a DaemonSet scheduled on the one node, rolled out.
func daemonSet(t *testing.T, ns, name, image string) *appsv1.DaemonSet {
	t.Helper()
	api := admins().AppsV1().DaemonSets(ns)
	ds, err := api.Create(context.Background(), &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: podTemplateFor(name, image)},
	}, metav1.CreateOptions{})
	toolsettest.Must(t, err)
	ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: 1, CurrentNumberScheduled: 1,
		UpdatedNumberScheduled: 1, NumberReady: 1, NumberAvailable: 1}
	ds, err = api.UpdateStatus(context.Background(), ds, metav1.UpdateOptions{})
	toolsettest.Must(t, err)
	return ds
}

func owner(obj metav1.Object, kind string) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: obj.GetName(), UID: obj.GetUID(), Controller: ptr.To(true)}
}

func getDeployment(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	d, err := admins().AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	toolsettest.Must(t, err)
	return d
}

func getStatefulSet(t *testing.T, ns, name string) *appsv1.StatefulSet {
	t.Helper()
	s, err := admins().AppsV1().StatefulSets(ns).Get(context.Background(), name, metav1.GetOptions{})
	toolsettest.Must(t, err)
	return s
}
