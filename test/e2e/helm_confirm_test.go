package e2e

import (
	"path/filepath"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestHelmWritesConfirmed: a policy.confirm rule naming helm_install,
// helm_upgrade and helm_uninstall in a namespace covers each: the first
// call answers with the dry-run plan and a token and changes nothing; the
// call presenting the token does it. helm_rollback, which the rule does not
// name, is not asked. The chart is the helm toolset's demo chart, read from
// helmChartDirs.
func TestHelmWritesConfirmed(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ns := env.Namespace(t, "helm-confirm")
	cfg := config.Default()
	cfg.Kubeconfig, cfg.Helm = env.Kubeconfig, true
	cfg.HelmChartDirs = []string{filepath.Join(root, "internal", "tools", "helm", "testdata")}
	cfg.Policy.Confirm = []policy.ConfirmRule{{Tools: []string{"helm_install", "helm_upgrade", "helm_uninstall"}, Namespaces: []string{ns}}}
	cs := connectServer(t, newServer(t, cfg), nil, nil) // cannot be asked: the token path
	greeting := func() string {
		cm, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), "web-greeting", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return cm.Data["greeting"]
	}
	confirmed := func(tool string, args map[string]any, plan, done string, before, after string) {
		t.Helper()
		got, _ := call(t, cs, tool, args)
		toolCase{tool: tool, isError: true, want: []string{"Confirmation required", plan}}.check(t, got)
		m := approvalRE.FindStringSubmatch(got.Text)
		if m == nil || greeting() != before {
			t.Fatalf("%s: want a token and greeting %q kept, got %q:\n%s", tool, before, greeting(), got.Text)
		}
		args["approval_token"] = m[1]
		got, _ = call(t, cs, tool, args)
		toolCase{tool: tool, want: []string{done}}.check(t, got)
		if greeting() != after {
			t.Fatalf("%s approved: greeting %q, want %q", tool, greeting(), after)
		}
	}
	release := func(extra map[string]any) map[string]any {
		args := map[string]any{"namespace": ns, "name": "web"}
		for k, v := range extra {
			args[k] = v
		}
		return args
	}

	confirmed("helm_install", release(map[string]any{"chart": "demo"}), `+  greeting: "hello"`, "installed: revision 1", "", "hello")
	confirmed("helm_upgrade", release(map[string]any{"chart": "demo", "values": "greeting: hola\n"}), `+  greeting: "hola"`, "upgraded: revision 2", "hello", "hola")
	got, _ := call(t, cs, "helm_rollback", release(nil))
	toolCase{tool: "helm_rollback", want: []string{"rolled back to revision 1"}}.check(t, got)
	confirmed("helm_uninstall", release(nil), `-  greeting: "hello"`, "uninstalled", "hello", "")
}
