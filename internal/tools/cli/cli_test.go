package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e }))
}

// built are the binaries built from the module proxy with the cluster (never
// the machine's own): test/cluster/build.sh kubectl helm, which make test runs.
var built = []string{"kubectl", "helm"}

func binPath(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(os.Getenv("KUBEMCP_BIN_DIR"), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("these tests need %s built from the module proxy in $KUBEMCP_BIN_DIR (run test/cluster/build.sh kubectl helm, as make test does): %v", name, err)
	}
	return p
}

// serve serves the CLI toolset in memory with the given policy beneath the
// clients and the given CLI mode; kubectl and helm are found, nothing else.
func serve(t *testing.T, rules policy.Config, readOnly bool) *toolsettest.Session {
	t.Helper()
	return serveAs(t, "", rules, readOnly)
}

// serveAs is serve as a seeded user ("" for the admin).
func serveAs(t *testing.T, user string, rules policy.Config, readOnly bool) *toolsettest.Session {
	t.Helper()
	paths := map[string]string{}
	for _, name := range built {
		paths[name] = binPath(t, name)
	}
	return toolsettest.ServeWith(t, toolsettest.Options{User: user, Policy: &rules}, func(deps toolset.Deps) *CLI {
		return New(deps, Options{ReadOnly: readOnly, LookPath: func(name string) (string, error) {
			if p, ok := paths[name]; ok {
				return p, nil
			}
			return "", exec.ErrNotFound
		}})
	})
}

// run calls kubectl; its structured result comes with errors too.
func run(t *testing.T, cs *toolsettest.Session, in map[string]any) (Result, bool, string) {
	t.Helper()
	return runTool(t, cs, "kubectl", in)
}

func runTool(t *testing.T, cs *toolsettest.Session, tool string, in map[string]any) (Result, bool, string) {
	t.Helper()
	r := cs.Call(t, tool, in)
	var out Result
	if err := json.Unmarshal(r.Structured, &out); err != nil {
		t.Fatalf("structured content %s: %v", r.Structured, err)
	}
	return out, r.IsError, r.Text
}

func TestOnlyInstalledToolsRegistered(t *testing.T) {
	cs := serve(t, policy.Config{}, true)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if !tool.Annotations.ReadOnlyHint {
			t.Errorf("%s is not read-only in read-only mode", tool.Name)
		}
	}
	if slices.Sort(names); strings.Join(names, ",") != "helm,kubectl" {
		t.Fatalf("tools %v, want kubectl and helm only (istioctl and argocd are not installed)", names)
	}
}

// TestHelmAgainstRealCluster runs helm built from the module proxy: it works
// through kubemcp's proxy, and the policy holds for it (helm keeps releases
// in Secrets, so a deny rule on Secrets stops helm list).
func TestHelmAgainstRealCluster(t *testing.T) {
	cs := serve(t, policy.Config{}, true)
	out, isError, text := runTool(t, cs, "helm", map[string]any{"args": []string{"list", "-A"}})
	if isError || out.ExitCode != 0 || !strings.Contains(text, "NAME") {
		t.Fatalf("helm list: %+v\n%s", out.Error, text)
	}
	out, isError, text = runTool(t, cs, "helm", map[string]any{"args": []string{"status", "nope"}, "namespace": "shop"})
	if !isError || out.Error.Code != codeExecution || !strings.Contains(text, "not found") {
		t.Fatalf("helm status of a missing release: %+v\n%s", out.Error, text)
	}
	out, isError, text = runTool(t, cs, "helm", map[string]any{"args": []string{"install", "x", "oci://registry.invalid/chart"}})
	if !isError || out.Error.Code != codeValidation || !strings.Contains(text, "read-only") {
		t.Fatalf("helm install in read-only mode: %+v\n%s", out.Error, text)
	}
	denying := serve(t, policy.Config{Deny: []policy.Rule{{Name: "no-secrets", Kinds: []string{"Secret"}}}}, true)
	out, isError, text = runTool(t, denying, "helm", map[string]any{"args": []string{"list", "-A"}})
	if !isError || out.Error.Code != codeAuth || !strings.Contains(text, `"no-secrets"`) {
		t.Fatalf("helm list under a Secrets deny rule: %+v\n%s", out.Error, text)
	}
}

// pipeJWT looks like a token; head echoes it on stderr as an invalid count.
const pipeJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"

func TestKubectlAgainstRealCluster(t *testing.T) {
	cs := serve(t, policy.Config{}, false)
	tests := []struct {
		name     string
		in       map[string]any
		isError  bool
		code     string
		want     []string
		notWant  []string
		exitCode int
	}{
		{name: "get with namespace argument", in: map[string]any{"args": []string{"get", "pods"}, "namespace": "payments"},
			want: []string{testenv.PodCrashLoop, "CrashLoopBackOff"}, notWant: []string{"frontend"}},
		{name: "pipe chain", in: map[string]any{"args": []string{"get", "pods", "-A", "--no-headers"},
			"pipe": []map[string]any{{"command": "grep", "args": []string{"BackOff"}}, {"command": "wc", "args": []string{"-l"}}}},
			want: []string{"2"}},
		{name: "grep without match is not an error", in: map[string]any{"args": []string{"get", "ns"},
			"pipe": []map[string]any{{"command": "grep", "args": []string{"no-such-namespace"}}}}},
		{name: "get with -n", in: map[string]any{"args": []string{"get", "pods", "-n", testenv.NamespacePayments}},
			want: []string{testenv.PodCrashLoop, "CrashLoopBackOff"}, notWant: []string{"frontend"}},
		{name: "-n and another namespace argument", in: map[string]any{"args": []string{"get", "pods", "-n", testenv.NamespacePayments}, "namespace": "shop"},
			isError: true, code: codeValidation, want: []string{`-n "payments" and the namespace argument "shop" conflict`}},
		{name: "validation", in: map[string]any{"args": []string{"get", "pods", "--kubeconfig=/root/.kube/config"}},
			isError: true, code: codeValidation, want: []string{"Command is restricted for security reasons", "context argument"}},
		{name: "config view refused", in: map[string]any{"args": []string{"config", "view", "--raw"}},
			isError: true, code: codeValidation, want: []string{"not allowed"}},
		{name: "unknown context", in: map[string]any{"args": []string{"get", "pods"}, "context": "prod"},
			isError: true, code: codeValidation, want: []string{"Context not found in kubeconfig. Available contexts: [" + testenv.KubeContext + "]"}},
		{name: "not found is an execution error", in: map[string]any{"args": []string{"get", "pod", "nope"}, "namespace": "shop"},
			isError: true, code: codeExecution, want: []string{`"nope" not found`}, exitCode: 1},
		{name: "apply from stdin", in: map[string]any{"args": []string{"apply", "-f", "-"}, "namespace": "shop",
			"stdin": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-cli\ndata:\n  k: v\n"},
			want: []string{"configmap/from-cli created"}},
		{name: "timeout", in: map[string]any{"args": []string{"wait", "--for=condition=Ready", "pod/" + testenv.PodCrashLoop, "--timeout=60s"},
			"namespace": "payments", "timeout_seconds": 2},
			isError: true, code: codeTimeout, want: []string{"Command timed out after 2 seconds."}},
		{name: "unknown pipe tool", in: map[string]any{"args": []string{"get", "ns"}, "pipe": []map[string]any{{"command": "sh"}}},
			isError: true, code: codeValidation, want: []string{"Tool not found. Available tools:"}},
		{name: "a pipe stage's stderr is redacted", in: map[string]any{"args": []string{"get", "ns"},
			"pipe": []map[string]any{{"command": "head", "args": []string{"-n", pipeJWT}}}},
			isError: true, code: codeExecution, want: []string{"<redacted token>"}, notWant: []string{pipeJWT}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, isError, text := run(t, cs, tt.in)
			if isError != tt.isError {
				t.Fatalf("isError %v, want %v: %s", isError, tt.isError, text)
			}
			if tt.isError && (out.Error == nil || out.Error.Code != tt.code || out.Status != "error") {
				t.Fatalf("structured error %+v, want code %s", out.Error, tt.code)
			}
			if tt.exitCode != 0 && out.ExitCode != tt.exitCode {
				t.Errorf("exit code %d, want %d", out.ExitCode, tt.exitCode)
			}
			toolsettest.Want(t, text, tt.want...)
			toolsettest.WantNone(t, text, tt.notWant...)
		})
	}
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps("shop").Get(context.Background(), "from-cli", metav1.GetOptions{}); err != nil {
		t.Errorf("apply did not create the ConfigMap: %v", err)
	}
}

// TestNamespaceFlagReachesTheCluster: -n reaches the cluster as the namespace
// argument does. alice may list pods in one namespace only, so the cluster's
// own answer to auth can-i says which namespace kubectl asked about.
func TestNamespaceFlagReachesTheCluster(t *testing.T) {
	ns := env.Namespace(t, "cli-ns")
	alice := rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice"}
	listPods := rbacv1.PolicyRule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	if err := env.Grant(context.Background(), ns, "list-pods", alice, listPods); err != nil {
		t.Fatal(err)
	}
	cs := serveAs(t, "alice", policy.Config{}, true)
	for _, args := range [][]string{{"auth", "can-i", "list", "pods", "-n", ns}, {"auth", "can-i", "list", "pods", "--namespace=" + ns}} {
		if out, isError, text := run(t, cs, map[string]any{"args": args}); isError || strings.TrimSpace(out.Output) != "yes" {
			t.Errorf("%q: %+v\n%s", args, out.Error, text)
		}
	}
	// kubectl auth can-i answers no with exit code 1.
	if out, isError, text := run(t, cs, map[string]any{"args": []string{"auth", "can-i", "list", "pods", "-n", "payments"}}); !isError || out.ExitCode != 1 || !strings.Contains(text, "exited with code 1: no") {
		t.Errorf("can-i in a namespace alice may not list: %+v\n%s", out.Error, text)
	}
	if out, isError, text := run(t, cs, map[string]any{"args": []string{"get", "pods", "-n", ns}}); isError || !strings.Contains(text, "No resources found in "+ns) {
		t.Errorf("get pods -n %s: %+v\n%s", ns, out.Error, text)
	}
}

// TestPolicyHoldsForWhateverKubectlSends: the CLI rules allow the command, but
// the policy beneath (read-only, a deny rule) refuses what kubectl sends, and
// nothing reaches the cluster. This is what makes the CLI safe even where the
// rules above miss something.
func TestPolicyHoldsForWhateverKubectlSends(t *testing.T) {
	ctx := context.Background()
	t.Run("read-only policy, write-mode rules", func(t *testing.T) {
		cs := serve(t, policy.Config{ReadOnly: true}, false)
		out, isError, text := run(t, cs, map[string]any{"args": []string{"delete", "pod", testenv.FrontendPods()[0]}, "namespace": "shop"})
		if !isError || out.Error.Code != codeAuth || !strings.Contains(text, "read-only") {
			t.Fatalf("want an AUTH_ERROR naming read-only mode, got %+v\n%s", out.Error, text)
		}
		if _, err := env.Clientset("admin").CoreV1().Pods("shop").Get(ctx, testenv.FrontendPods()[0], metav1.GetOptions{}); err != nil {
			t.Fatalf("the pod is gone: %v", err)
		}
	})
	t.Run("deny rule", func(t *testing.T) {
		cs := serve(t, policy.Config{Deny: []policy.Rule{{Name: "no-configmaps", Kinds: []string{"ConfigMap"}}}}, true)
		out, isError, text := run(t, cs, map[string]any{"args": []string{"get", "cm", "-A"}})
		if !isError || out.Error.Code != codeAuth || !strings.Contains(text, `"no-configmaps"`) {
			t.Fatalf("want the rule named, got %+v\n%s", out.Error, text)
		}
	})
	t.Run("kubectl sees no credentials", func(t *testing.T) {
		// The only kubeconfig kubectl gets points at kubemcp's proxy with a
		// one-time token; the admin token of the real kubeconfig never leaves.
		cs := serve(t, policy.Config{}, true)
		_, _, text := run(t, cs, map[string]any{"args": []string{"get", "pods", "-v=9"}, "namespace": "shop"})
		if strings.Contains(text, env.Users["admin"].Token) || strings.Contains(text, strings.TrimPrefix(env.Server, "https://")) {
			t.Fatalf("kubectl's verbose output shows the real server or token:\n%s", text)
		}
	})
}
