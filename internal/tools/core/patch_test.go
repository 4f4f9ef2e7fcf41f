package core

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestResourcesPatch patches objects of a test namespace with each patch type.
func TestResourcesPatch(t *testing.T) {
	ns := toolsettest.Namespace(t, "patch-types")
	seedPatchObjects(t, ns)
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"merge on a custom resource", map[string]any{"resource": "widgets", "name": "w", "patch": `{"spec":{"size":5}}`},
			[]string{"Widget w in namespace patch-types patched", "-  size: 1\n+  size: 5"}},
		{"merge as YAML", map[string]any{"resource": "cm", "name": "cfg", "patch": "data:\n  color: green\n"},
			[]string{"-  color: blue\n+  color: green"}},
		{"json patch", map[string]any{"resource": "configmaps", "name": "cfg", "type": "json", "patch": `[{"op":"add","path":"/data/size","value":"L"}]`},
			[]string{"+  size: L"}},
		{"strategic merges containers by name", map[string]any{"api_version": "apps/v1", "kind": "Deployment", "name": "web", "type": "strategic",
			"patch": `{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28.0"}]}}}}`},
			[]string{"-      - image: nginx:1.27.3\n+      - image: nginx:1.28.0"}},
		{"no change", map[string]any{"resource": "cm", "name": "cfg", "patch": `{"data":{"size":"L"}}`},
			[]string{"ConfigMap cfg in namespace patch-types unchanged"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.args["namespace"] = ns
			var out PatchOut
			toolsettest.Want(t, s.OK(t, "resources_patch", tt.args, &out), tt.want...)
			if out.Name != tt.args["name"] || out.DryRun {
				t.Errorf("structured: %+v", out)
			}
		})
	}
	if got := configMapColor(t, ns, "cfg"); got != "green" {
		t.Errorf("color = %q after the patches", got)
	}
	d, err := env.Clientset("admin").AppsV1().Deployments(ns).Get(t.Context(), "web", metav1.GetOptions{})
	if err != nil || len(d.Spec.Template.Spec.Containers) != 2 || d.Spec.Template.Spec.Containers[0].Image != "nginx:1.28.0" {
		t.Errorf("deployment after the strategic patch: %v %v", d.Spec.Template.Spec.Containers, err)
	}
}

func TestResourcesPatchDryRun(t *testing.T) {
	ns := toolsettest.Namespace(t, "patch-dry")
	seedPatchObjects(t, ns)
	var out PatchOut
	text := toolsettest.Serve(t, New).OK(t, "resources_patch", map[string]any{"resource": "cm", "namespace": ns, "name": "cfg", "patch": `{"data":{"color":"red"}}`, "dry_run": true}, &out)
	toolsettest.Want(t, text, "Dry run: nothing was changed", "+  color: red")
	if !out.DryRun || !out.Changed {
		t.Errorf("structured: %+v", out)
	}
	if got := configMapColor(t, ns, "cfg"); got != "blue" {
		t.Errorf("the dry run changed color to %q", got)
	}
}

func TestResourcesPatchErrors(t *testing.T) {
	ns := toolsettest.Namespace(t, "patch-errors")
	seedPatchObjects(t, ns)
	s := toolsettest.Serve(t, New)
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"strategic on a CRD", map[string]any{"resource": "widgets", "name": "w", "type": "strategic", "patch": `{"spec":{"size":2}}`},
			[]string{"strategic merge patch works only for built-in kinds", "widgets.example.kubemcp.io", "use type merge"}},
		{"json patch that is an object", map[string]any{"resource": "cm", "name": "cfg", "type": "json", "patch": `{"data":{}}`},
			[]string{"list of operations"}},
		{"unknown type", map[string]any{"resource": "cm", "name": "cfg", "type": "apply", "patch": `{}`}, []string{`type "apply"`}},
		{"not JSON", map[string]any{"resource": "cm", "name": "cfg", "patch": `{"data":`}, []string{"neither JSON nor YAML"}},
		{"failed test op", map[string]any{"resource": "cm", "name": "cfg", "type": "json", "patch": `[{"op":"test","path":"/data/color","value":"pink"}]`},
			[]string{"refused"}},
		{"invalid result", map[string]any{"resource": "widgets", "name": "w", "patch": `{"spec":{"size":-1}}`}, []string{"spec.size"}},
		{"not found", map[string]any{"resource": "cm", "name": "nope", "patch": `{}`}, []string{`configmaps "nope" not found`, "resources_list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.args["namespace"] = ns
			toolsettest.Want(t, s.Fails(t, "resources_patch", tt.args), tt.want...)
		})
	}
	if got := configMapColor(t, ns, "cfg"); got != "blue" {
		t.Errorf("a failed patch changed color to %q", got)
	}
}

// seedPatchObjects creates a ConfigMap cfg (color blue), a Deployment web
// (nginx:1.27.3) and a Widget w (size 1) in ns.
func seedPatchObjects(t *testing.T, ns string) {
	t.Helper()
	ctx, cs := t.Context(), env.Clientset("admin")
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg"}, Data: map[string]string{"color": "blue"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "web"}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To(int32(1)), Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27.3"}, {Name: "sidecar", Image: "busybox:1.37"}}}},
	}}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.kubemcp.io/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w"}, "spec": map[string]any{"size": int64(1)}}}
	// Apply, not create: the apiserver delays creates of a custom resource
	// whose CRD is less than 2s old (see testenv's createWidget).
	widgets := dynamic.NewForConfigOrDie(env.RESTConfig("admin")).Resource(testenv.WidgetGVR).Namespace(ns)
	if _, err := widgets.Apply(ctx, "w", w, metav1.ApplyOptions{FieldManager: "test", Force: true}); err != nil {
		t.Fatal(err)
	}
}
