package helm

import (
	"bytes"
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/kube"
	"helm.sh/helm/v3/pkg/release"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/resource"
)

// preflight asks the apiserver, with dry-run requests through the caller's
// guarded client, whether each object rel would make or change, and each
// of previous's it would delete, may be: a create for a new object, a patch
// for an existing one, a delete for one that goes, as Helm itself sends.
// So a deny rule, the caller's RBAC or admission refuses the write before
// Helm applies any of it; Helm alone would apply the objects ahead of the
// refused one, leave them, and mark the release failed.
func preflight(cfg *action.Configuration, rel *release.Release, previous string) error {
	target, err := build(cfg, manifestOf(rel))
	if err != nil {
		return err
	}
	for _, info := range target {
		if err := tryApply(info); err != nil {
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
		_, err := resource.NewHelper(info.Client, info.Mapping).DryRun(true).Delete(info.Namespace, info.Name)
		if err != nil && !apierrors.IsNotFound(err) {
			return refusedBefore(info, "delete", err)
		}
	}
	return nil
}

// manifestOf is everything rel applies: its manifest and its hooks'.
func manifestOf(rel *release.Release) string {
	docs := []string{rel.Manifest}
	for _, h := range rel.Hooks {
		docs = append(docs, h.Manifest)
	}
	return strings.Join(docs, "\n---\n")
}

func build(cfg *action.Configuration, manifest string) (kube.ResourceList, error) {
	list, err := cfg.KubeClient.Build(bytes.NewBufferString(manifest), false)
	if err != nil {
		return nil, fmt.Errorf("reading the rendered manifest: %w", err)
	}
	return list, nil
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

func refusedBefore(info *resource.Info, what string, err error) error {
	return fmt.Errorf("nothing was applied: the dry run to %s %s %q was refused: %w", what, info.Mapping.GroupVersionKind.Kind, info.Name, err)
}
