package helm

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// writeChart writes the chart directory dir/name, version 0.1.0, with files
// (paths inside the chart) holding the given text.
func writeChart(t *testing.T, dir, name string, files map[string]string) {
	t.Helper()
	files["Chart.yaml"] = "apiVersion: v2\nname: " + name + "\nversion: 0.1.0\n"
	for p, text := range files {
		p = filepath.Join(dir, name, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.helm.kubemcp.test
spec:
  group: helm.kubemcp.test
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

// TestChartsMakingWhatTheirObjectsNeed: the preflight refuses nothing Helm
// itself does, against the real apiserver: a chart whose crds/ holds the
// CRD of its own custom resource plans and installs, the resource made;
// so does one whose ConfigMap lives in a Namespace it makes.
func TestChartsMakingWhatTheirObjectsNeed(t *testing.T) {
	dir, ns := t.TempDir(), env.Namespace(t, "helm-needs")
	own := ns + "-own"
	t.Cleanup(func() {
		_ = env.Clientset("admin").CoreV1().Namespaces().Delete(context.Background(), own, metav1.DeleteOptions{})
	})
	widgets := schema.GroupVersionResource{Group: "helm.kubemcp.test", Version: "v1", Resource: "widgets"}
	for _, c := range []struct {
		chart string
		files map[string]string
		made  func() error
	}{
		{"widgets", map[string]string{
			"crds/widgets.yaml":     widgetCRD,
			"templates/widget.yaml": "apiVersion: helm.kubemcp.test/v1\nkind: Widget\nmetadata: {name: gear}\nspec: {teeth: 12}\n",
		}, func() error {
			_, err := dynamic.NewForConfigOrDie(env.RESTConfig("admin")).Resource(widgets).Namespace(ns).Get(t.Context(), "gear", metav1.GetOptions{})
			return err
		}},
		{"spaced", map[string]string{
			"templates/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + own + "}\n",
			"templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside, namespace: " + own + "}\ndata: {a: b}\n",
		}, func() error {
			_, err := env.Clientset("admin").CoreV1().ConfigMaps(own).Get(t.Context(), "inside", metav1.GetOptions{})
			return err
		}},
	} {
		t.Run(c.chart, func(t *testing.T) {
			writeChart(t, dir, c.chart, c.files)
			s := toolsettest.Serve(t, options(Options{ChartDirs: []string{dir}}))
			args := map[string]any{"namespace": ns, "name": c.chart, "chart": c.chart, "dry_run": true}
			toolsettest.Want(t, s.OK(t, "helm_install", args, nil), "would be installed")
			args["dry_run"] = false
			toolsettest.Want(t, s.OK(t, "helm_install", args, nil), "installed", "revision 1, deployed")
			if err := c.made(); err != nil {
				t.Errorf("what the chart makes: %v", err)
			}
		})
	}
}

// TestPreflightLeavesWhatHelmLeaves: the preflight dry-runs only what Helm
// sends. A test hook, which only helm test applies, does not meet the
// deny rule on ServiceAccounts at install; an object
// helm.sh/resource-policy: keep holds is not deleted by the upgrade that
// drops it, so the deny rule on deleting ConfigMaps does not refuse that
// upgrade, and it stays.
func TestPreflightLeavesWhatHelmLeaves(t *testing.T) {
	dir := t.TempDir()
	writeChart(t, dir, "tested", map[string]string{
		"templates/test.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: probe\n  annotations: {helm.sh/hook: test}\n",
	})
	writeChart(t, dir, "kept", map[string]string{
		"templates/kept.yaml": "{{ if .Values.kept }}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\n  annotations: {helm.sh/resource-policy: keep}\n{{ end }}\n",
		"values.yaml":         "kept: true\n",
	})
	serve := func(ns string, rule policy.Rule) *toolsettest.Session {
		rule.Name, rule.Namespaces = "no-"+rule.Kinds[0], []string{ns}
		return toolsettest.ServeWith(t, toolsettest.Options{Policy: &policy.Config{Deny: []policy.Rule{rule}}}, options(Options{ChartDirs: []string{dir}}))
	}

	t.Run("test hook", func(t *testing.T) {
		ns := env.Namespace(t, "helm-tested")
		s := serve(ns, policy.Rule{Verbs: []string{"write"}, Kinds: []string{"ServiceAccount"}})
		toolsettest.Want(t, s.OK(t, "helm_install", map[string]any{"namespace": ns, "name": "tested", "chart": "tested"}, nil), "installed", "revision 1, deployed")
		if _, err := env.Clientset("admin").CoreV1().ServiceAccounts(ns).Get(t.Context(), "probe", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the test hook's ServiceAccount: %v, want not found", err)
		}
	})
	t.Run("keep", func(t *testing.T) {
		ns := env.Namespace(t, "helm-kept")
		s := serve(ns, policy.Rule{Verbs: []string{"delete"}, Kinds: []string{"ConfigMap"}})
		args := map[string]any{"namespace": ns, "name": "kept", "chart": "kept"}
		toolsettest.Want(t, s.OK(t, "helm_install", args, nil), "installed", "revision 1, deployed")
		args["values"] = "kept: false\n"
		toolsettest.Want(t, s.OK(t, "helm_upgrade", args, nil), "upgraded", "revision 2, deployed")
		if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), "kept", metav1.GetOptions{}); err != nil {
			t.Errorf("the ConfigMap helm.sh/resource-policy: keep holds: %v", err)
		}
	})
}
