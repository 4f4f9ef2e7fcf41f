package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/app"
	"github.com/kubemcp/kubemcp/internal/audit"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestReadOnlyHoldsBelowTheTools builds a client the way kubemcp does, with
// read-only on, and tries writes directly: the policy RoundTripper refuses
// them before they leave, and the apiserver shows nothing was changed.
func TestReadOnlyHoldsBelowTheTools(t *testing.T) {
	ctx := testContext(t)
	kc, err := kube.New(env.RESTConfig("admin"), kube.Options{Policy: &policy.Config{ReadOnly: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Typed.CoreV1().Pods(testenv.NamespaceShop).List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("read refused: %v", err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "written-in-read-only"}}
	writes := map[string]func() error{
		"create": func() error {
			_, err := kc.Typed.CoreV1().ConfigMaps(testenv.NamespaceShop).Create(ctx, cm, metav1.CreateOptions{})
			return err
		},
		"dry-run create": func() error {
			_, err := kc.Typed.CoreV1().ConfigMaps(testenv.NamespaceShop).Create(ctx, cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		},
		"delete": func() error {
			return kc.Typed.CoreV1().Secrets(testenv.NamespaceShop).Delete(ctx, testenv.SecretName, metav1.DeleteOptions{})
		},
		"delete namespace": func() error {
			return kc.Typed.CoreV1().Namespaces().Delete(ctx, testenv.NamespacePayments, metav1.DeleteOptions{})
		},
		"deletecollection": func() error {
			return kc.Typed.CoreV1().Pods(testenv.NamespaceShop).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		},
		"dynamic patch": func() error {
			_, err := kc.Dynamic.Resource(testenv.WidgetGVR).Namespace(testenv.NamespaceShop).Patch(ctx, testenv.WidgetName, "application/merge-patch+json", []byte(`{"spec":{"size":99}}`), metav1.PatchOptions{})
			return err
		},
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			var denied *policy.DeniedError
			if err := write(); !errors.As(err, &denied) {
				t.Fatalf("want a policy refusal, got %v", err)
			}
		})
	}
	admin := env.Clientset("admin")
	if _, err := admin.CoreV1().ConfigMaps(testenv.NamespaceShop).Get(ctx, cm.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the refused create reached the cluster: %v", err)
	}
	if _, err := admin.CoreV1().Secrets(testenv.NamespaceShop).Get(ctx, testenv.SecretName, metav1.GetOptions{}); err != nil {
		t.Errorf("the refused delete reached the cluster: %v", err)
	}
	pods, err := admin.CoreV1().Pods(testenv.NamespaceShop).List(ctx, metav1.ListOptions{})
	if err != nil || len(pods.Items) == 0 {
		t.Errorf("the refused deletecollection reached the cluster: %v, %d pods", err, len(pods.Items))
	}
}

// TestDenyRulesThroughTools configures deny rules as a platform team would and
// calls the tools: refusals name the rule, and what the rules leave alone works.
func TestDenyRulesThroughTools(t *testing.T) {
	cfg := config.Default()
	cfg.Kubeconfig = env.Kubeconfig
	cfg.Policy.Deny = []policy.Rule{
		{Name: "no-secrets", Kinds: []string{"Secret"}},
		{Name: "hide-payments", Namespaces: []string{testenv.NamespacePayments}},
	}
	cs := connectConfig(t, cfg)
	for _, c := range []toolCase{
		{name: "secret refused", tool: "resources_get", args: map[string]any{"resource": "secrets", "namespace": testenv.NamespaceShop, "name": testenv.SecretName},
			isError: true, want: []string{"kubemcp policy refused", `"no-secrets"`, "not Kubernetes RBAC"}, notWant: []string{testenv.PlantedSecret}},
		{name: "namespace refused", tool: "pods_list", args: map[string]any{"namespace": testenv.NamespacePayments},
			isError: true, want: []string{`"hide-payments"`, `namespace "payments"`}},
		{name: "all namespaces refused", tool: "pods_list",
			isError: true, want: []string{`"hide-payments"`, "all namespaces"}},
		{name: "other namespace allowed", tool: "pods_list", args: map[string]any{"namespace": testenv.NamespaceShop},
			want: testenv.FrontendPods()},
		{name: "configmap allowed", tool: "resources_get", args: map[string]any{"resource": "cm", "namespace": testenv.NamespaceShop, "name": testenv.ConfigMapName},
			want: []string{"kind: ConfigMap"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := call(t, cs, c.tool, c.args)
			c.check(t, got)
		})
	}
}

// TestReadOnlySurface: with read-only on, tools/list holds only read tools.
func TestReadOnlySurface(t *testing.T) {
	cfg := config.Default()
	cfg.Kubeconfig = env.Kubeconfig
	cfg.ReadOnly = true
	cs := connectConfig(t, cfg)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) == 0 {
		t.Fatal("no tools at all")
	}
	for _, tool := range res.Tools {
		if !tool.Annotations.ReadOnlyHint {
			t.Errorf("read-only server lists %s", tool.Name)
		}
	}
}

// TestSecretReveal: revealing takes both a per-call opt-in and a server that
// allows it; without either, values stay redacted or the call is refused. The
// audit log marks the one call that revealed values, and no other.
func TestSecretReveal(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(testenv.PlantedSecret))
	args := func(reveal bool) map[string]any {
		return map[string]any{"resource": "secrets", "namespace": testenv.NamespaceShop, "name": testenv.SecretName, "reveal_secret_values": reveal}
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := audit.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cfg := config.Default()
	cfg.Kubeconfig = env.Kubeconfig
	forbidding := connectAudited(t, cfg, log)
	got, _ := call(t, forbidding, "resources_get", args(true))
	toolCase{tool: "resources_get", isError: true, want: []string{"allowSecretReveal"}, notWant: []string{b64}}.check(t, got)

	cfg.AllowSecretReveal = true
	allowing := connectAudited(t, cfg, log)
	got, _ = call(t, allowing, "resources_get", args(false))
	toolCase{tool: "resources_get", want: []string{"<redacted"}, notWant: []string{b64}}.check(t, got)
	got, _ = call(t, allowing, "resources_get", args(true))
	toolCase{tool: "resources_get", want: []string{b64}, notWant: []string{"<redacted"}}.check(t, got)
	missing := args(true)
	missing["name"] = "no-such-secret"
	got, _ = call(t, allowing, "resources_get", missing)
	toolCase{tool: "resources_get", isError: true, want: []string{"not found"}}.check(t, got)

	lines := strings.Split(strings.TrimSpace(readFile(t, path)), "\n")
	for i, want := range []bool{false, false, true, false} {
		if i >= len(lines) || strings.Contains(lines[i], `"revealed":true`) != want {
			t.Errorf("audit line %d: want revealed %v:\n%s", i+1, want, strings.Join(lines, "\n"))
		}
	}
}

// connectAudited connects to a server that records its calls in log, as
// serve --audit-file does.
func connectAudited(t *testing.T, cfg config.Config, log *audit.Log) *mcp.ClientSession {
	t.Helper()
	srv, err := app.NewServer(cfg, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return connectServer(t, srv, nil, nil)
}
