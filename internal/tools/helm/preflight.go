package helm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/kube"
	"helm.sh/helm/v3/pkg/release"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/resource"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// preflight asks the apiserver, with dry-run requests through the caller's
// guarded client, whether each object rel would make or change, and each
// of previous's it would delete, may be: a create for a new object, a patch
// for an existing one, a delete for one that goes, as Helm itself sends;
// rel's hooks count when they run on one of events. So a deny rule, the
// caller's RBAC or admission refuses the write before Helm applies any of
// it; Helm alone would apply the objects ahead of the refused one, leave
// them, and mark the release failed.
//
// It must never refuse what Helm would do: an object of a kind the
// apiserver does not know yet (a custom resource of a CRD in the chart's
// crds/, which Helm installs first), and one whose dry run fails otherwise
// than by a refusal (in a namespace, or bound to a Role, the chart creates
// ahead of it), are left to Helm, whose requests pass the same policy
// beneath it.
func preflight(cfg *action.Configuration, rel *release.Release, previous string, events ...release.HookEvent) error {
	target, err := build(cfg, manifestOf(rel, events))
	if err != nil {
		return err
	}
	for _, info := range target {
		if err := tryApply(info); refused(err) {
			return refusedBefore(info, "change", err)
		}
	}
	if previous == "" {
		return nil
	}
	old, err := build(cfg, previous)
	if err != nil {
		return err
	}
	for _, info := range old.Difference(target) {
		if err := tryDelete(info); refused(err) {
			return refusedBefore(info, "delete", err)
		}
	}
	return nil
}

// manifestOf is everything rel applies: its manifest and the hooks that run
// on one of events (never its tests, which only helm test runs).
func manifestOf(rel *release.Release, events []release.HookEvent) string {
	docs := []string{rel.Manifest}
	for _, h := range rel.Hooks {
		if slices.ContainsFunc(h.Events, func(e release.HookEvent) bool { return slices.Contains(events, e) }) {
			docs = append(docs, h.Manifest)
		}
	}
	return strings.Join(docs, "\n---\n")
}

func build(cfg *action.Configuration, manifest string) (kube.ResourceList, error) {
	list, err := planClient{cfg.KubeClient}.Build(bytes.NewBufferString(manifest), false)
	if err != nil {
		return nil, fmt.Errorf("reading the rendered manifest: %w", err)
	}
	return list, nil
}

// planning is cfg for Helm's own dry runs, which read the rendered manifest
// with planClient.
func planning(cfg *action.Configuration) *action.Configuration {
	plan := *cfg
	plan.KubeClient = planClient{cfg.KubeClient}
	return &plan
}

// planClient is Helm's client whose Build leaves out the objects of kinds
// the apiserver does not know yet. Helm installs a chart's crds/ only in a
// real run, so its dry run, and the preflight, cannot map the chart's own
// custom resources; a kind still unknown in the real run fails Helm's Build
// there before anything is applied.
type planClient struct{ kube.Interface }

func (c planClient) Build(r io.Reader, validate bool) (kube.ResourceList, error) {
	list, err := c.Interface.Build(r, validate)
	if err != nil && onlyUnknownKinds(err) {
		return list, nil
	}
	return list, err
}

// onlyUnknownKinds reports whether every error the builder gathered, which
// goes on past a document it cannot read, is a kind the apiserver lacks.
func onlyUnknownKinds(err error) bool {
	var agg utilerrors.Aggregate
	if !errors.As(err, &agg) {
		return meta.IsNoMatchError(err)
	}
	for _, e := range agg.Errors() {
		if !meta.IsNoMatchError(e) {
			return false
		}
	}
	return true
}

// tryApply dry-runs what Helm will send for info: a create if it is new,
// else a patch (an empty one: what is asked is whether it may be patched).
func tryApply(info *resource.Info) error {
	h := resource.NewHelper(info.Client, info.Mapping).DryRun(true)
	_, err := h.Get(info.Namespace, info.Name)
	switch {
	case apierrors.IsNotFound(err):
		_, err = h.Create(info.Namespace, true, info.Object)
	case err == nil:
		_, err = h.Patch(info.Namespace, info.Name, types.MergePatchType, []byte("{}"), nil)
	}
	return err
}

// tryDelete dry-runs Helm's delete of an object the release no longer
// renders; as Helm, it leaves one that is gone or unreadable, or that
// helm.sh/resource-policy: keep holds.
func tryDelete(info *resource.Info) error {
	h := resource.NewHelper(info.Client, info.Mapping).DryRun(true)
	live, err := h.Get(info.Namespace, info.Name)
	if err != nil {
		return nil
	}
	if a, _ := meta.NewAccessor().Annotations(live); a[kube.ResourcePolicyAnno] == kube.KeepPolicy {
		return nil
	}
	_, err = h.Delete(info.Namespace, info.Name)
	return err
}

// refused reports whether err is a refusal: kubemcp's policy, the caller's
// RBAC, or admission (a webhook's denial is 400 or above, Forbidden or
// Invalid from a ValidatingAdmissionPolicy). Anything else, such as a
// namespace not made yet, is Helm's to meet.
func refused(err error) bool {
	var denied *policy.DeniedError
	return errors.As(err, &denied) || apierrors.IsForbidden(err) || apierrors.IsInvalid(err) || apierrors.IsBadRequest(err)
}

func refusedBefore(info *resource.Info, what string, err error) error {
	return fmt.Errorf("nothing was applied: the dry run to %s %s %q was refused: %w", what, info.Mapping.GroupVersionKind.Kind, info.Name, err)
}
