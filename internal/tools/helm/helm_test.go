package helm

import (
	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestReleaseLifecycle installs the demo chart from a chart repository the
// test serves, reads the release every way, upgrades it to the next chart
// version, rolls it back and uninstalls it, against the real apiserver: each
// write's dry run is a plan that changes nothing, and the objects appear,
// change and go. No answer holds the chart's password, given or default.
func TestReleaseLifecycle(t *testing.T) {
	url, ns := chartRepo(t), env.Namespace(t, "helm")
	s := toolsettest.Serve(t, options(Options{}))
	rel := map[string]any{"namespace": ns, "name": "web"}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{"namespace": ns, "name": "web", "repo": url, "chart": "demo"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	noAnswerHolds := func(text string) {
		t.Helper()
		for _, secret := range []string{"chart-default-password", "given-password"} {
			if strings.Contains(text, secret) || strings.Contains(text, base64.StdEncoding.EncodeToString([]byte(secret))) {
				t.Fatalf("an answer holds %q:\n%s", secret, text)
			}
		}
	}

	var plan Change
	text := s.OK(t, "helm_install", with(map[string]any{"version": "0.1.0", "dry_run": true, "values": "password: given-password\n"}), &plan)
	noAnswerHolds(text)
	if !plan.DryRun || !strings.Contains(plan.Plan, `+  greeting: "hello"`) || !strings.Contains(plan.Plan, "<redacted") {
		t.Fatalf("install plan: want the rendered ConfigMap and the Secret redacted:\n%s", text)
	}
	greeting(t, ns, "") // the dry run created nothing

	noAnswerHolds(s.OK(t, "helm_install", with(map[string]any{"version": "0.1.0", "values": "password: given-password\n"}), nil))
	greeting(t, ns, "hello")
	var list Releases
	s.OK(t, "helm_list", map[string]any{"namespace": ns}, &list)
	if len(list.Releases) != 1 || list.Releases[0].Chart != "demo-0.1.0" || list.Releases[0].Status != "deployed" {
		t.Fatalf("helm_list: %+v", list.Releases)
	}
	toolsettest.Want(t, s.OK(t, "helm_status", rel, nil), "web says hello")
	noAnswerHolds(s.OK(t, "helm_values", map[string]any{"namespace": ns, "name": "web", "all": true}, nil))
	manifest := s.OK(t, "helm_manifest", rel, nil)
	toolsettest.Want(t, manifest, "kind: ConfigMap")
	noAnswerHolds(manifest)

	text = s.OK(t, "helm_upgrade", with(map[string]any{"version": "0.2.0", "dry_run": true}), &plan)
	if !strings.Contains(plan.Plan, `-  greeting: "hello"`) || !strings.Contains(plan.Plan, `+  greeting: "bonjour"`) || plan.Revision != 1 {
		t.Fatalf("upgrade plan: want hello -> bonjour from revision 1:\n%s", text)
	}
	greeting(t, ns, "hello")
	s.OK(t, "helm_upgrade", with(map[string]any{"version": "0.2.0"}), nil)
	greeting(t, ns, "bonjour")

	s.OK(t, "helm_rollback", map[string]any{"namespace": ns, "name": "web", "revision": 1, "dry_run": true}, &plan)
	if !strings.Contains(plan.Plan, `+  greeting: "hello"`) {
		t.Fatalf("rollback plan: want bonjour -> hello:\n%s", plan.Plan)
	}
	greeting(t, ns, "bonjour")
	s.OK(t, "helm_rollback", map[string]any{"namespace": ns, "name": "web", "revision": 1}, nil)
	greeting(t, ns, "hello")
	var hist History
	s.OK(t, "helm_history", rel, &hist)
	if len(hist.Revisions) != 3 || hist.Revisions[2].Chart != "demo-0.1.0" || hist.Revisions[1].Chart != "demo-0.2.0" {
		t.Fatalf("helm_history: %+v", hist.Revisions)
	}

	s.OK(t, "helm_uninstall", map[string]any{"namespace": ns, "name": "web", "dry_run": true}, &plan)
	greeting(t, ns, "hello")
	s.OK(t, "helm_uninstall", rel, nil)
	greeting(t, ns, "")
	toolsettest.Want(t, s.Fails(t, "helm_status", rel), "not found", "helm_list")
}

// greeting checks the release's ConfigMap: want "" means it must not exist.
func greeting(t *testing.T, ns, want string) {
	t.Helper()
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(context.Background(), "web-greeting", metav1.GetOptions{})
	got := ""
	if err == nil {
		got = cm.Data["greeting"]
	}
	if got != want {
		t.Fatalf("ConfigMap web-greeting: greeting %q, want %q (%v)", got, want, err)
	}
}

// TestChartsOnlyFromTheNetwork: without helmChartDirs, a chart named by a
// path, or with no repo, is refused before anything is read.
func TestChartsOnlyFromTheNetwork(t *testing.T) {
	s := toolsettest.Serve(t, options(Options{}))
	ns := env.Namespace(t, "helm")
	for _, args := range []map[string]any{
		{"chart": "./testdata/demo"},
		{"chart": "testdata", "repo": "https://charts.example.com"},
		{"chart": "demo", "repo": "file:///etc"},
	} {
		args["namespace"], args["name"] = ns, "x"
		toolsettest.Want(t, s.Fails(t, "helm_install", args), "chart")
	}
}

// TestWithoutRBAC: alice, granted nothing, is refused by the apiserver, as
// herself: Helm reads its release Secrets with her client.
func TestWithoutRBAC(t *testing.T) {
	url, ns := chartRepo(t), env.Namespace(t, "helm")
	s := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, options(Options{}))
	toolsettest.Want(t, s.Fails(t, "helm_list", map[string]any{"namespace": ns}), "forbidden", "alice")
	toolsettest.Want(t, s.Fails(t, "helm_install", map[string]any{"namespace": ns, "name": "web", "repo": url, "chart": "demo"}), "forbidden")
}

// TestReadOnlyHidesWrites: with read-only, only the four reads are served.
func TestReadOnlyHidesWrites(t *testing.T) {
	tools, err := toolset.Select([]toolset.Toolset{New(toolset.Deps{}, Options{})}, toolset.Filter{ReadOnly: true, OptIn: []string{"helm"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools {
		names = append(names, tl.Meta.Name)
	}
	slices.Sort(names)
	if want := []string{"helm_history", "helm_list", "helm_manifest", "helm_status", "helm_values"}; !slices.Equal(names, want) {
		t.Errorf("read-only serves %v, want %v", names, want)
	}
	if tools, _ := toolset.Select([]toolset.Toolset{New(toolset.Deps{}, Options{})}, toolset.Filter{}); len(tools) != 0 {
		t.Errorf("helm served without being asked for: %d tools", len(tools))
	}
}

// TestWait: a release whose objects are ready at once answers that they
// were; one whose Deployment never gets a pod (this cluster runs no
// controllers) fails after wait_seconds with what to do, Helm having marked
// it failed; an uninstall that waits answers when its objects are gone; and
// wait_seconds past its range is refused before anything is done.
func TestWait(t *testing.T) {
	url, ns := chartRepo(t), env.Namespace(t, "helm-wait")
	s := toolsettest.Serve(t, options(Options{}))
	install := func(name string, extra map[string]any) map[string]any {
		m := map[string]any{"namespace": ns, "name": name, "repo": url, "chart": "demo", "version": "0.1.0"}
		maps.Copy(m, extra)
		return m
	}
	toolsettest.Want(t, s.OK(t, "helm_install", install("ready", map[string]any{"wait_seconds": 20}), nil), "installed", "Its objects were ready.")

	text := s.Fails(t, "helm_install", install("stuck", map[string]any{"wait_seconds": 2, "values": "deployment: true\n"}))
	toolsettest.Want(t, text, "not ready within 2s", "marked the release failed", "helm_status", "helm_uninstall")
	var st Info
	s.OK(t, "helm_status", map[string]any{"namespace": ns, "name": "stuck"}, &st)
	if st.Status != "failed" {
		t.Errorf("the release that was not ready in time: status %q, want failed", st.Status)
	}
	if _, err := env.Clientset("admin").AppsV1().Deployments(ns).Get(t.Context(), "stuck-app", metav1.GetOptions{}); err != nil {
		t.Errorf("the failed release's Deployment is not left as it was: %v", err)
	}

	toolsettest.Want(t, s.OK(t, "helm_uninstall", map[string]any{"namespace": ns, "name": "ready", "wait_seconds": 20}, nil), "uninstalled", "Its objects are gone.")
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps(ns).Get(t.Context(), "ready-greeting", metav1.GetOptions{}); err == nil {
		t.Error("the uninstall that waited for its objects to go left its ConfigMap")
	}

	text = s.Fails(t, "helm_install", install("never", map[string]any{"wait_seconds": 301}))
	toolsettest.Want(t, text, "wait_seconds 301: want 0 (do not wait) to 300")
	toolsettest.Want(t, s.Fails(t, "helm_status", map[string]any{"namespace": ns, "name": "never"}), "not found")
}
