package workloads

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotations kubectl and the controllers use for rollouts.
const (
	revisionAnnotation    = "deployment.kubernetes.io/revision"
	changeCauseAnnotation = "kubernetes.io/change-cause"
	restartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"
)

// revision is one recorded version of a workload's pod template: a
// Deployment's ReplicaSet, or a StatefulSet's or DaemonSet's ControllerRevision.
type revision struct {
	number      int64
	name        string
	created     time.Time
	annotations map[string]string
	template    *corev1.PodTemplateSpec
	rs          *appsv1.ReplicaSet         // set for a Deployment
	cr          *appsv1.ControllerRevision // set for a StatefulSet or DaemonSet
}

// revisions returns the revisions of obj, oldest first.
func (r ref) revisions(ctx context.Context, obj metav1.Object) ([]revision, error) {
	var revs []revision
	var err error
	if d, ok := obj.(*appsv1.Deployment); ok {
		revs, err = r.replicaSetRevisions(ctx, d)
	} else {
		revs, err = r.controllerRevisions(ctx, obj)
	}
	slices.SortFunc(revs, func(a, b revision) int { return cmp.Compare(a.number, b.number) })
	return revs, err
}

func (r ref) replicaSetRevisions(ctx context.Context, d *appsv1.Deployment) ([]revision, error) {
	sets, err := r.replicaSets(ctx, d)
	if err != nil {
		return nil, err
	}
	revs := []revision{}
	for _, rs := range sets {
		n, err := strconv.ParseInt(rs.Annotations[revisionAnnotation], 10, 64)
		if err != nil {
			continue // not yet numbered by the controller
		}
		revs = append(revs, revision{number: n, name: rs.Name, created: rs.CreationTimestamp.Time,
			annotations: rs.Annotations, template: &rs.Spec.Template, rs: rs})
	}
	return revs, nil
}

// replicaSets returns the ReplicaSets d controls.
func (r ref) replicaSets(ctx context.Context, d *appsv1.Deployment) ([]*appsv1.ReplicaSet, error) {
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("deployment %s/%s has an invalid selector: %w", d.Namespace, d.Name, err)
	}
	list, err := r.kc.Typed.AppsV1().ReplicaSets(r.ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, r.explainOn(err, "list", "replicasets")
	}
	var out []*appsv1.ReplicaSet
	for i := range list.Items {
		if controlledBy(&list.Items[i], d) {
			out = append(out, &list.Items[i])
		}
	}
	return out, nil
}

func (r ref) controllerRevisions(ctx context.Context, obj metav1.Object) ([]revision, error) {
	sel, err := metav1.LabelSelectorAsSelector(selector(obj))
	if err != nil {
		return nil, fmt.Errorf("%s has an invalid selector: %w", r, err)
	}
	list, err := r.kc.Typed.AppsV1().ControllerRevisions(r.ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, r.explainOn(err, "list", "controllerrevisions")
	}
	revs := []revision{}
	for i := range list.Items {
		cr := &list.Items[i]
		if !controlledBy(cr, obj) {
			continue
		}
		tmpl, err := revisionTemplate(cr)
		if err != nil {
			return nil, err
		}
		revs = append(revs, revision{number: cr.Revision, name: cr.Name, created: cr.CreationTimestamp.Time,
			annotations: cr.Annotations, template: tmpl, cr: cr})
	}
	return revs, nil
}

// revisionTemplate reads the pod template a ControllerRevision records: its
// data is the strategic merge patch {"spec":{"template":{...,"$patch":"replace"}}}
// that restores it.
func revisionTemplate(cr *appsv1.ControllerRevision) (*corev1.PodTemplateSpec, error) {
	var data struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cr.Data.Raw, &data); err != nil {
		return nil, fmt.Errorf("reading controllerrevision %s/%s: %w", cr.Namespace, cr.Name, err)
	}
	return &data.Spec.Template, nil
}

// current returns the number of the newest revision whose template is the
// workload's template, or 0 if none is.
func current(obj metav1.Object, revs []revision) int64 {
	tmpl := podTemplate(obj)
	for i := len(revs) - 1; i >= 0; i-- {
		if equalIgnoreHash(revs[i].template, tmpl) {
			return revs[i].number
		}
	}
	return 0
}

// equalIgnoreHash compares pod templates without the pod-template-hash label
// a Deployment adds to its ReplicaSets' templates, as the controller does.
func equalIgnoreHash(a, b *corev1.PodTemplateSpec) bool {
	a, b = a.DeepCopy(), b.DeepCopy()
	delete(a.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	delete(b.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	if len(a.Labels) == 0 {
		a.Labels = nil
	}
	if len(b.Labels) == 0 {
		b.Labels = nil
	}
	return apiequality.Semantic.DeepEqual(a, b)
}

// find returns the revision numbered n, or for n == 0 the one before the
// newest, as kubectl rollout undo picks it.
func find(revs []revision, n int64) (revision, error) {
	if n == 0 {
		if len(revs) < 2 {
			return revision{}, fmt.Errorf("there is no previous revision to roll back to (%d recorded)", len(revs))
		}
		return revs[len(revs)-2], nil
	}
	for _, rev := range revs {
		if rev.number == n {
			return rev, nil
		}
	}
	return revision{}, fmt.Errorf("revision %d not found; recorded revisions: %s", n, numbers(revs))
}

func numbers(revs []revision) string {
	if len(revs) == 0 {
		return "none"
	}
	s := ""
	for i, rev := range revs {
		if i > 0 {
			s += ", "
		}
		s += strconv.FormatInt(rev.number, 10)
	}
	return s
}
