package e2e

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// result is what any client saw of one tool call.
type result struct {
	Text    string
	IsError bool
}

// toolCase is one tool call and what its answer must and must not contain. The
// same table runs through every client, so every client proves the same facts
// about the seeded cluster.
type toolCase struct {
	name    string
	tool    string
	args    map[string]any
	isError bool
	want    []string
	notWant []string
}

func cases() []toolCase {
	secretB64 := base64.StdEncoding.EncodeToString([]byte(testenv.PlantedSecret))
	return []toolCase{
		{name: "namespaces", tool: "namespaces_list",
			want: []string{"NAME", "STATUS", testenv.NamespaceShop, testenv.NamespacePayments, testenv.NamespaceMonitoring, "kube-system", "Active"}},
		{name: "pods in trouble", tool: "pods_list", args: map[string]any{"namespace": testenv.NamespacePayments},
			want:    []string{testenv.PodCrashLoop, "CrashLoopBackOff", testenv.PodImagePull, "ImagePullBackOff", "READY", "RESTARTS"},
			notWant: []string{"NAMESPACE", testenv.NamespaceShop}},
		{name: "pods all namespaces by label", tool: "pods_list", args: map[string]any{"label_selector": "app=" + testenv.DeploymentFrontend},
			want:    append([]string{"NAMESPACE", "Running", testenv.NodeName}, testenv.FrontendPods()...),
			notWant: []string{testenv.PodCrashLoop}},
		{name: "unschedulable and oomkilled", tool: "pods_list", args: map[string]any{"namespace": testenv.NamespaceMonitoring},
			want: []string{testenv.PodUnschedulable, "Unschedulable", testenv.PodOOMKilled}},
		{name: "no pods", tool: "pods_list", args: map[string]any{"namespace": testenv.NamespaceShop, "label_selector": "app=nothing-here"},
			want: []string{"No pods", "namespaces_list"}},
		{name: "bad selector", tool: "pods_list", args: map[string]any{"label_selector": "app in (("}, isError: true,
			want: []string{"invalid"}},
		{name: "deployment by short name", tool: "resources_get", args: map[string]any{"resource": "deploy", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend},
			want: []string{"kind: Deployment", "name: " + testenv.DeploymentFrontend}, notWant: []string{"managedFields"}},
		{name: "custom resource by kind", tool: "resources_get", args: map[string]any{"api_version": "example.kubemcp.io/v1", "kind": "Widget", "namespace": testenv.NamespaceShop, "name": testenv.WidgetName},
			want: []string{"kind: Widget", testenv.WidgetName, "size"}},
		{name: "custom resource as json", tool: "resources_get", args: map[string]any{"resource": "widgets", "namespace": testenv.NamespaceShop, "name": testenv.WidgetName, "output": "json"},
			want: []string{`"kind": "Widget"`}},
		{name: "secret redacted", tool: "resources_get", args: map[string]any{"resource": "secret", "namespace": testenv.NamespaceShop, "name": testenv.SecretName},
			want: []string{"<redacted"}, notWant: []string{testenv.PlantedSecret, secretB64}},
		{name: "cluster-scoped node", tool: "resources_get", args: map[string]any{"resource": "nodes", "name": testenv.NodeName},
			want: []string{"kind: Node", "127.0.0.1"}},
		{name: "unknown kind suggests", tool: "resources_get", args: map[string]any{"resource": "deploymnets", "name": "x"}, isError: true,
			want: []string{"deploymnets", "closest matches", "deployments"}},
		{name: "not found says how to list", tool: "resources_get", args: map[string]any{"resource": "pods", "namespace": testenv.NamespaceShop, "name": "nope"}, isError: true,
			want: []string{`pods "nope" not found`, `resources_list {"namespace":"shop","resource":"pods"}`}},
		{name: "name missing", tool: "resources_get", args: map[string]any{"resource": "pods"}, isError: true,
			want: []string{"missing properties", "name"}},
		{name: "name empty", tool: "resources_get", args: map[string]any{"resource": "pods", "name": ""}, isError: true,
			want: []string{"name is required", "resources_list"}},
		{name: "bad output", tool: "resources_get", args: map[string]any{"resource": "pods", "name": "x", "output": "xml"}, isError: true,
			want: []string{"yaml or json"}},
	}
}

// check asserts what one client saw for c.
func (c toolCase) check(t *testing.T, got result) {
	t.Helper()
	if got.IsError != c.isError {
		t.Errorf("%s: isError = %v, want %v; text:\n%s", c.tool, got.IsError, c.isError, got.Text)
	}
	checkText(t, c.tool+": the answer", got.Text, c.want, c.notWant)
}

// checkText fails the test for each of want that text lacks and each of
// notWant it holds; what names the text in the messages.
func checkText(t *testing.T, what, text string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
	for _, nw := range notWant {
		if strings.Contains(text, nw) {
			t.Errorf("%s holds %q:\n%s", what, nw, text)
		}
	}
}
