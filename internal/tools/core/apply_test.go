package core

import (
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27.3
`

func configMapYAML(name, color string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  color: %s\n", name, color)
}

// TestApplyCreateUpdateDryRun applies a manifest of two documents, changes
// one, then dry-runs a further change: the diff shows the changed line and
// the cluster keeps the applied value.
func TestApplyCreateUpdateDryRun(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-cycle")
	s := toolsettest.Serve(t, New)
	apply := func(manifest string, dryRun bool) (string, ApplyOut) {
		var out ApplyOut
		text := s.OK(t, "resources_apply", map[string]any{"manifest": manifest, "namespace": ns, "dry_run": dryRun}, &out)
		return text, out
	}
	text, out := apply(deploymentYAML+"---\n"+configMapYAML("settings", "blue"), false)
	toolsettest.Want(t, text, "Deployment web in namespace apply-cycle created", "ConfigMap settings in namespace apply-cycle created")
	if len(out.Objects) != 2 || out.Objects[1].Action != "created" || out.DryRun {
		t.Errorf("structured: %+v", out)
	}
	text, _ = apply(deploymentYAML+"---\n"+configMapYAML("settings", "green"), false)
	toolsettest.Want(t, text, "Deployment web in namespace apply-cycle unchanged", "ConfigMap settings in namespace apply-cycle configured")
	if got := configMapColor(t, ns, "settings"); got != "green" {
		t.Fatalf("color = %q after the update", got)
	}

	text, out = apply(configMapYAML("settings", "red"), true)
	toolsettest.Want(t, text, "Dry run: nothing was changed", "would configure", "--- live\n+++ after\n", "-  color: green\n+  color: red\n")
	if len(out.Objects) != 1 || !strings.Contains(out.Objects[0].Diff, "+  color: red") || !out.DryRun {
		t.Errorf("structured: %+v", out)
	}
	if got := configMapColor(t, ns, "settings"); got != "green" {
		t.Fatalf("dry run changed the object: color = %q", got)
	}
	text, _ = apply(configMapYAML("settings", "green"), true)
	toolsettest.Want(t, text, "ConfigMap settings in namespace apply-cycle unchanged")
}

// TestApplyAllOrNothing: whatever is wrong with the second document, the
// first is not applied, and the error names the document.
func TestApplyAllOrNothing(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-atomic")
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name   string
		second string
		want   []string
	}{
		{"bad YAML", "data: [unclosed\n", []string{"document 2", "not valid YAML"}},
		{"no kind", "metadata:\n  name: x\n", []string{"document 2", "'Kind' is missing"}},
		{"no name", "apiVersion: v1\nkind: ConfigMap\n", []string{"document 2", "metadata.name is required"}},
		{"unknown kind", "apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: x\n", []string{"document 2", `no resource called "v1 Gizmo"`}},
		{"invalid for the apiserver", strings.Replace(deploymentYAML, "replicas: 1", "replicas: -1", 1), []string{"document 2", "checking every document by a dry run", "spec.replicas", "greater than or equal to 0"}},
		{"invalid for the CRD schema", "apiVersion: example.kubemcp.io/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: -4\n", []string{"document 2", "spec.size"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := fmt.Sprintf("atomic-%d", i)
			text := s.Fails(t, "resources_apply", map[string]any{"manifest": configMapYAML(first, "blue") + "---\n" + tt.second, "namespace": ns})
			toolsettest.Want(t, text, append([]string{"nothing was applied"}, tt.want...)...)
			if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), first, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("document 1 was applied (err %v)", err)
			}
		})
	}
	toolsettest.Want(t, s.Fails(t, "resources_apply", map[string]any{"manifest": "# only a comment\n---\n"}), "no objects")
}

// TestApplyNamespaceInManifest applies a Namespace and an object in it: the
// object cannot be dry-run before its namespace exists, and is applied after it.
func TestApplyNamespaceInManifest(t *testing.T) {
	manifest := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apply-newns\n---\n" +
		strings.Replace(configMapYAML("inside", "blue"), "metadata:\n", "metadata:\n  namespace: apply-newns\n", 1)
	text := toolsettest.Serve(t, New).OK(t, "resources_apply", map[string]any{"manifest": manifest}, nil)
	toolsettest.Want(t, text, "Namespace apply-newns created", "ConfigMap inside in namespace apply-newns created")
	if got := configMapColor(t, "apply-newns", "inside"); got != "blue" {
		t.Errorf("color = %q", got)
	}
}

// TestApplyConflictAndForce: fields another manager owns are not taken
// without force.
func TestApplyConflictAndForce(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-conflict")
	cm := applycorev1.ConfigMap("owned", ns).WithData(map[string]string{"color": "blue"})
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Apply(t.Context(), cm, metav1.ApplyOptions{FieldManager: "someone-else"}); err != nil {
		t.Fatal(err)
	}
	s := toolsettest.Serve(t, New)
	args := map[string]any{"manifest": configMapYAML("owned", "red"), "namespace": ns}
	toolsettest.Want(t, s.Fails(t, "resources_apply", args), "conflict", "someone-else", "force: true")
	args["force"] = true
	toolsettest.Want(t, s.OK(t, "resources_apply", args, nil), "configured")
	if got := configMapColor(t, ns, "owned"); got != "red" {
		t.Errorf("color = %q after a forced apply", got)
	}
}

// TestApplySecretDiffRedacted dry-runs a change of the planted Secret's
// password: the diff says it changes and shows neither value.
func TestApplySecretDiffRedacted(t *testing.T) {
	manifest := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: shop\nstringData:\n  password: another-value-of-27-bytes!!\n", testenv.SecretName)
	text := toolsettest.Serve(t, New).OK(t, "resources_apply", map[string]any{"manifest": manifest, "dry_run": true, "force": true}, nil)
	toolsettest.Want(t, text, "+  password: '<redacted: 27 bytes, changed>'", "-  password: '<redacted: 27 bytes>'")
	toolsettest.WantNone(t, text, "another-value")
}

func configMapColor(t *testing.T, ns, name string) string {
	t.Helper()
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm.Data["color"]
}

// TestApplyList applies a v1 List (as kubectl get -o yaml writes one), JSON
// being YAML: each item is an object of its own.
func TestApplyList(t *testing.T) {
	ns := toolsettest.Namespace(t, "apply-list")
	manifest := `{"apiVersion":"v1","kind":"List","items":[
  {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one"},"data":{"color":"blue"}},
  {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"two"},"data":{"color":"teal"}}]}`
	var out ApplyOut
	toolsettest.Want(t, toolsettest.Serve(t, New).OK(t, "resources_apply", map[string]any{"manifest": manifest, "namespace": ns}, &out),
		"ConfigMap one in namespace apply-list created", "ConfigMap two in namespace apply-list created")
	if configMapColor(t, ns, "two") != "teal" || len(out.Objects) != 2 {
		t.Errorf("objects: %+v", out.Objects)
	}
	bad := strings.Replace(manifest, `"name":"two"`, `"generateName":"two-"`, 1)
	toolsettest.Want(t, toolsettest.Serve(t, New).Fails(t, "resources_apply", map[string]any{"manifest": bad, "namespace": ns}), "document 1, item 2", "metadata.name is required")
}
