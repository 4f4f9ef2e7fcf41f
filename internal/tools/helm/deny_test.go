package helm

import (
	"path/filepath"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestDenyRulesHoldForCharts: a deny rule by kind and namespace refuses a
// release whose chart makes that kind, beneath Helm, and before Helm has
// applied anything: not the Secret ordered ahead of the refused ConfigMap
// on install, nor the ConfigMap change ahead of the refused Deployment on
// upgrade (Helm alone would apply those, leave them and mark the release
// failed). The dry run says so too, rather than planning what will fail.
func TestDenyRulesHoldForCharts(t *testing.T) {
	dir := chartDir(t)
	serve := func(ns string, rule policy.Rule) *toolsettest.Session {
		rule.Name, rule.Namespaces = "no-"+rule.Kinds[0], []string{ns}
		return toolsettest.ServeWith(t, toolsettest.Options{Policy: &policy.Config{Deny: []policy.Rule{rule}}}, options(Options{ChartDirs: []string{dir}}))
	}
	for _, verbs := range [][]string{nil, {"write"}} {
		ns := env.Namespace(t, "helm-deny")
		s := serve(ns, policy.Rule{Verbs: verbs, Kinds: []string{"ConfigMap"}})
		for _, dry := range []bool{true, false} {
			text := s.Fails(t, "helm_install", map[string]any{"namespace": ns, "name": "web", "chart": "demo", "dry_run": dry})
			toolsettest.Want(t, text, "kubemcp policy refused", "configmaps", `deny rule "no-ConfigMap"`)
			if verbs != nil && !dry { // refused by the preflight (a read-deny stops Helm's own lookup first)
				toolsettest.Want(t, text, "nothing was applied")
			}
		}
		toolsettest.Want(t, s.Fails(t, "helm_status", map[string]any{"namespace": ns, "name": "web"}), "not found")
		if _, err := env.Clientset("admin").CoreV1().Secrets(ns).Get(t.Context(), "web-login", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("verbs %v: the Secret ahead of the refused ConfigMap: %v, want not found", verbs, err)
		}
	}

	ns := env.Namespace(t, "helm-deny")
	s := serve(ns, policy.Rule{Verbs: []string{"create"}, Kinds: []string{"Deployment"}})
	s.OK(t, "helm_install", map[string]any{"namespace": ns, "name": "web", "chart": "demo"}, nil)
	upgrade := map[string]any{"namespace": ns, "name": "web", "chart": filepath.Join(dir, "demo-0.2.0.tgz"), "values": "deployment: true\n"}
	toolsettest.Want(t, s.Fails(t, "helm_upgrade", upgrade), "nothing was applied", "kubemcp policy refused", "deployments", `deny rule "no-Deployment"`)
	greeting(t, ns, "hello")
	var st Info
	s.OK(t, "helm_status", map[string]any{"namespace": ns, "name": "web"}, &st)
	if st.Revision != 1 || st.Status != "deployed" {
		t.Errorf("after the refused upgrade: revision %d %s, want 1 deployed", st.Revision, st.Status)
	}
}
