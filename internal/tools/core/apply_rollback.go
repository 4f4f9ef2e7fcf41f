package core

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
)

// rollbackTimeout bounds the deletes after a failure. They run even when the
// call's own context is done (the client gave up, the call timed out), since
// that is often what made applying fail.
const rollbackTimeout = 30 * time.Second

// applyAll applies the documents in order; checked is what preflight found
// of each, in the same order. It stops at the first failure: that object is
// "failed", with the explained error returned, and those after it "not
// attempted". created holds, by index, the UID of each object this call
// created.
func applyAll(ctx context.Context, docs []doc, checked []Applied, force bool) (out []Applied, created map[int]types.UID, err error) {
	created = map[int]types.UID{}
	for i, d := range docs {
		result, isNew, err := applyObject(ctx, d, force)
		if err != nil {
			failed := appliedOf(d, nil, "failed", "")
			err = explainApply(d, err)
			failed.Error = err.Error()
			return append(out, append([]Applied{failed}, notAttempted(docs[i+1:])...)...), created, err
		}
		if isNew {
			created[i] = result.GetUID()
		}
		out = append(out, appliedOf(d, result, action(isNew, checked[i].ResourceVersion, result), ""))
	}
	return out, created, nil
}

// applyObject server-side applies d and says whether that created the
// object: the apiserver answers 201 Created only then. That the dry run found
// no object is not enough, as another writer may have created it since.
func applyObject(ctx context.Context, d doc, force bool) (*unstructured.Unstructured, bool, error) {
	body, err := d.obj.MarshalJSON()
	if err != nil {
		return nil, false, err
	}
	var code int
	res := d.t.kc.Typed.CoreV1().RESTClient().Patch(types.ApplyPatchType).
		AbsPath(append(listPath(d.t), d.obj.GetName())...).
		VersionedParams(&metav1.PatchOptions{FieldManager: fieldManager, Force: &force}, scheme.ParameterCodec).
		SetHeader("Accept", "application/json"). // the typed client's default is protobuf
		Body(body).Do(ctx).StatusCode(&code)
	if err := res.Error(); err != nil { // Error, unlike Raw, decodes the apiserver's Status
		return nil, false, err
	}
	raw, err := res.Raw()
	if err != nil {
		return nil, false, err
	}
	result := &unstructured.Unstructured{}
	if err := result.UnmarshalJSON(raw); err != nil {
		return nil, false, fmt.Errorf("decoding the applied object: %w", err)
	}
	return result, code == http.StatusCreated, nil
}

// action says what applying did: created, else unchanged if the object kept
// the resourceVersion preflight read.
func action(created bool, liveVersion string, result *unstructured.Unstructured) string {
	switch {
	case created:
		return "created"
	case liveVersion == result.GetResourceVersion():
		return "unchanged"
	}
	return "configured"
}

func notAttempted(rest []doc) []Applied {
	out := []Applied{}
	for _, d := range rest {
		out = append(out, appliedOf(d, nil, "not attempted", ""))
	}
	return out
}

// rollBack deletes, last first, what this call created, each only while it
// is the object this call created (a UID precondition), and records on each
// what became of it. Objects that existed before keep their new state: their
// previous state is not known exactly enough to restore.
func rollBack(ctx context.Context, docs []doc, objs []Applied, created map[int]types.UID) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	for i := len(objs) - 1; i >= 0; i-- {
		if uid, ok := created[i]; ok {
			objs[i].Rollback = deleteCreated(ctx, docs[i], uid)
		}
	}
}

func deleteCreated(ctx context.Context, d doc, uid types.UID) string {
	name := d.obj.GetName()
	err := d.t.api().Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	switch {
	case apierrors.IsNotFound(err):
		return "already gone"
	case apierrors.IsConflict(err):
		return "not deleted: another object of this name replaced the one this call created"
	case err != nil:
		return "not deleted: " + d.t.explain(err, "delete", name).Error()
	}
	state, finalizers := deletionState(ctx, d.t, name)
	if len(finalizers) > 0 {
		state += " (waiting for finalizers " + strings.Join(finalizers, ", ") + ")"
	}
	return state
}

// stopped is the error of a call that failed at one document after
// applying those before it: its text is the whole account, document by
// document. cause is the failure, explained.
func stopped(docs []doc, objs []Applied, cause error) error {
	i := slices.IndexFunc(objs, func(a Applied) bool { return a.Action == "failed" })
	var b strings.Builder
	b.WriteString("Applied in order after the dry run, the documents came to:\n")
	configured := false
	for j, a := range objs {
		fmt.Fprintf(&b, "  %s: %s", docs[j].where, appliedLine(a))
		if a.Rollback != "" {
			fmt.Fprintf(&b, "; rolled back: %s", a.Rollback)
		}
		b.WriteString("\n")
		configured = configured || a.Action == "configured"
	}
	if configured {
		b.WriteString("Configured objects keep their new state; re-apply the previous manifest to undo.\n")
	}
	return fmt.Errorf("applying stopped at %s (%s): %w.\n%s", docs[i].where, docs[i].label(), cause, b.String())
}
