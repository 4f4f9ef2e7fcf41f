package core

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

func TestResourcesDelete(t *testing.T) {
	ns := toolsettest.Namespace(t, "delete-test")
	for _, name := range []string{"dry", "gone", "fg"} {
		createConfigMap(t, ns, name)
	}
	s := toolsettest.Serve(t, New)

	var out DeleteOut
	text := s.OK(t, "resources_delete", map[string]any{"resource": "configmaps", "namespace": ns, "name": "dry", "dry_run": true}, &out)
	toolsettest.Want(t, text, "Dry run: nothing was changed", "would delete ConfigMap dry in namespace delete-test")
	if out.Status != "would delete" || !out.DryRun || !exists(t, ns, "dry") {
		t.Errorf("dry run: %+v, exists %v", out, exists(t, ns, "dry"))
	}

	text = s.OK(t, "resources_delete", map[string]any{"resource": "cm", "namespace": ns, "name": "gone", "grace_period_seconds": 0}, &out)
	toolsettest.Want(t, text, "ConfigMap gone in namespace delete-test deleted (propagation Background)")
	if out.Status != "deleted" || exists(t, ns, "gone") {
		t.Errorf("delete: %+v, exists %v", out, exists(t, ns, "gone"))
	}

	// No garbage collector runs in the test cluster, so a foreground delete
	// stays held by its finalizer: the answer must say so.
	text = s.OK(t, "resources_delete", map[string]any{"resource": "cm", "namespace": ns, "name": "fg", "propagation_policy": "foreground"}, &out)
	toolsettest.Want(t, text, "marked for deletion", "foregroundDeletion")
	if out.Status != "deleting" || len(out.Finalizers) != 1 {
		t.Errorf("foreground delete: %+v", out)
	}

	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"resource": "cm", "namespace": ns, "name": "gone"}, `configmaps "gone" not found in namespace "delete-test"`},
		{map[string]any{"resource": "cm", "namespace": ns, "name": "dry", "propagation_policy": "Later"}, `propagation_policy "Later"`},
		{map[string]any{"resource": "cm", "namespace": ns, "name": "dry", "grace_period_seconds": -1}, "grace_period_seconds -1"},
	} {
		toolsettest.Want(t, s.Fails(t, "resources_delete", tt.args), tt.want)
	}
	if !exists(t, ns, "dry") {
		t.Error("a refused delete removed the object")
	}
}

func createConfigMap(t *testing.T, ns, name string) {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"color": "blue"}}
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func exists(t *testing.T, ns, name string) bool {
	t.Helper()
	_, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}
