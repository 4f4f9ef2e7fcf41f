package workloads

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// undo returns the workload to the template of revision to (0: the previous one).
func (w *Workloads) undo(ctx context.Context, t Target, to int64) (string, RolloutOut, error) {
	var out RolloutOut
	if to < 0 {
		return "", out, fmt.Errorf("to_revision %d: want a revision number from rollout_history, or 0 for the previous one", to)
	}
	r, obj, err := w.fetch(ctx, t)
	if err != nil {
		return "", out, err
	}
	if paused(obj) {
		return "", out, fmt.Errorf("%s is paused, and a paused Deployment cannot be rolled back; call %s first", r, rolloutCall(r, "resume"))
	}
	revs, err := r.revisions(ctx, obj)
	if err != nil {
		return "", out, err
	}
	rev, err := find(revs, to)
	if err != nil {
		return "", out, fmt.Errorf("%s: %w", r, err)
	}
	out = RolloutOut{Kind: r.kind, Namespace: r.ns, Name: r.name, ToRevision: rev.number,
		ImagesBefore: images(podTemplate(obj)), ImagesAfter: images(rev.template)}
	if equalIgnoreHash(rev.template, podTemplate(obj)) {
		return fmt.Sprintf("%s already runs the template of revision %d; nothing changed.\n", r, rev.number), out, nil
	}
	if obj, err = r.restore(ctx, obj, rev); err != nil {
		return "", out, err
	}
	out.Changed, out.ImagesAfter = true, images(podTemplate(obj))
	return undoText(r, out), out, nil
}

// restore writes rev's template back into the workload.
func (r ref) restore(ctx context.Context, obj metav1.Object, rev revision) (metav1.Object, error) {
	if d, ok := obj.(*appsv1.Deployment); ok {
		patch, err := deploymentRollbackPatch(d, rev.rs)
		if err != nil {
			return nil, err
		}
		return r.patch(ctx, types.JSONPatchType, patch)
	}
	// A ControllerRevision's data is the strategic merge patch that restores it.
	return r.patch(ctx, types.StrategicMergePatchType, rev.cr.Data.Raw)
}

// annotationsToKeep are the Deployment's own annotations, which a rollback
// keeps rather than copying them from the ReplicaSet (as kubectl does).
var annotationsToKeep = []string{
	corev1.LastAppliedConfigAnnotation,
	revisionAnnotation,
	"deployment.kubernetes.io/revision-history",
	"deployment.kubernetes.io/desired-replicas",
	"deployment.kubernetes.io/max-replicas",
	"deprecated.deployment.rollback.to",
}

// deploymentRollbackPatch is kubectl's: a JSON patch that replaces the
// template with the ReplicaSet's (without its pod-template-hash label) and the
// annotations with the ReplicaSet's, keeping the Deployment's own.
func deploymentRollbackPatch(d *appsv1.Deployment, rs *appsv1.ReplicaSet) ([]byte, error) {
	tmpl := rs.Spec.Template.DeepCopy()
	delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	ann := map[string]string{}
	for _, k := range annotationsToKeep {
		if v, ok := d.Annotations[k]; ok {
			ann[k] = v
		}
	}
	for k, v := range rs.Annotations {
		if !slices.Contains(annotationsToKeep, k) {
			ann[k] = v
		}
	}
	return json.Marshal([]map[string]any{
		{"op": "replace", "path": "/spec/template", "value": tmpl},
		{"op": "replace", "path": "/metadata/annotations", "value": ann},
	})
}

func undoText(r ref, out RolloutOut) string {
	images := "images unchanged (" + strings.Join(out.ImagesAfter, ", ") + "): other parts of the template differ"
	if strings.Join(out.ImagesBefore, ",") != strings.Join(out.ImagesAfter, ",") {
		images = "images " + strings.Join(out.ImagesBefore, ", ") + " -> " + strings.Join(out.ImagesAfter, ", ")
	}
	return fmt.Sprintf("%s rolled back to the template of revision %d; %s. The controller now rolls it out (as a new, highest revision); "+
		"%s follows it.\n", r, out.ToRevision, images, statusCall(r))
}
