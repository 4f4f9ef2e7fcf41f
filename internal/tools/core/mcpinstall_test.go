package core

import (
	"context"
	"encoding/base64"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubemcp/kubemcp/internal/operator"
	"github.com/kubemcp/kubemcp/internal/toolset"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

const argoToken = "argocd-token-7f3a9c2e1b"

// TestMCPInstall: the dry run plans every object and changes nothing, the
// apiserver accepting each by a server-side apply dry run; the install creates them
// all in a namespace it creates, the Deployment hardened and the MCPServer
// pointing at the Service; the token shows in no answer.
func TestMCPInstall(t *testing.T) {
	env.InstallChartCRD(t)
	ns := toolsettest.Name(t, "")
	cs := env.Clientset("admin")
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	s := toolsettest.Serve(t, NewInstaller)
	args := map[string]any{"namespace": ns, "mcp_token": argoToken, "dry_run": true}

	var plan ApplyOut
	text := s.OK(t, "mcp_install", args, &plan)
	want := []string{"Namespace", "Secret", "Secret", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service", "NetworkPolicy", "MCPServer"}
	var kinds []string
	for _, o := range plan.Objects {
		kinds = append(kinds, o.Kind)
	}
	if !plan.DryRun || !slices.Equal(kinds, want) {
		t.Fatalf("plan: dry run %v, kinds %v; want %v", plan.DryRun, kinds, want)
	}
	toolsettest.Want(t, text, "Dry run: nothing was changed", "would create")
	inb := inbound(MCPInstallIn{Server: "argocd", Namespace: ns, MCPToken: argoToken})
	toolsettest.WantNone(t, text, argoToken, base64.StdEncoding.EncodeToString([]byte(argoToken)), inb)
	if _, err := cs.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{}); err == nil {
		t.Fatal("the dry run created the namespace")
	}
	// Into a namespace that exists, the apiserver checks every object by a
	// server-side apply dry run (in a new one, only the namespace can be).
	existing := toolsettest.Namespace(t, ns+"-existing")
	text = s.OK(t, "mcp_install", map[string]any{"namespace": existing, "mcp_token": argoToken, "dry_run": true}, &plan)
	toolsettest.Want(t, text, "The apiserver accepted every object (10)", "Deployment argocd-mcp in namespace "+existing+" would create")
	toolsettest.WantNone(t, text, "checked only when", argoToken, base64.StdEncoding.EncodeToString([]byte(argoToken)),
		inbound(MCPInstallIn{Server: "argocd", Namespace: existing, MCPToken: argoToken}))
	if _, err := cs.AppsV1().Deployments(existing).Get(context.Background(), "argocd-mcp", metav1.GetOptions{}); err == nil {
		t.Fatal("the dry run created the Deployment")
	}

	delete(args, "dry_run")
	text = s.OK(t, "mcp_install", args, &plan)
	toolsettest.Want(t, text, "Deployment argocd-mcp in namespace "+ns+" created", "MCPServer argocd in namespace "+ns+" created", "argocd__<tool>")
	toolsettest.WantNone(t, text, argoToken, inb)

	secret, err := cs.CoreV1().Secrets(ns).Get(context.Background(), "argocd-mcp", metav1.GetOptions{})
	if err != nil || string(secret.Data["token"]) != argoToken {
		t.Fatalf("the token Secret: %v", err)
	}
	dep, err := cs.AppsV1().Deployments(ns).Get(context.Background(), "argocd-mcp", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod, c := dep.Spec.Template.Spec, dep.Spec.Template.Spec.Containers[0]
	if !*pod.SecurityContext.RunAsNonRoot || *c.SecurityContext.AllowPrivilegeEscalation || c.ReadinessProbe == nil || c.LivenessProbe == nil ||
		c.Resources.Limits.Memory().IsZero() || *pod.AutomountServiceAccountToken || !tokenFromSecret(c.Env, "argocd-mcp") {
		t.Errorf("the Deployment is not hardened as it should be: %+v", dep.Spec.Template.Spec)
	}
	mcps, err := dynamic.NewForConfigOrDie(env.RESTConfig("admin")).Resource(operator.GVR).Namespace(ns).Get(context.Background(), "argocd", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc := mcps.Object["spec"].(map[string]any)["service"].(map[string]any); svc["name"] != "argocd-mcp" || svc["path"] != "/mcp" {
		t.Errorf("the MCPServer does not point at the Service: %v", mcps.Object["spec"])
	}

	again := s.OK(t, "mcp_install", args, &plan)
	toolsettest.Want(t, again, "Deployment argocd-mcp in namespace "+ns+" unchanged")
}

func tokenFromSecret(env []corev1.EnvVar, secret string) bool {
	return slices.ContainsFunc(env, func(e corev1.EnvVar) bool {
		return e.Name == "ARGOCD_API_TOKEN" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef.Name == secret
	})
}

// TestMCPInstallRefusals: an unknown server, a bad namespace and an empty
// token are refused, all at once, before anything is applied; read-only
// mode does not offer the tool.
func TestMCPInstallRefusals(t *testing.T) {
	s := toolsettest.Serve(t, NewInstaller)
	text := s.Fails(t, "mcp_install", map[string]any{"server": "jenkins", "namespace": "Bad_NS", "mcp_token": " "})
	toolsettest.Want(t, text, `server "jenkins" is not in kubemcp's catalog; it has: argocd`, `namespace "Bad_NS"`, "mcp_token is empty")
	tools, err := toolset.Select([]toolset.Toolset{NewInstaller(toolset.Deps{})}, toolset.Filter{OptIn: []string{"install"}, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(tools, func(t toolset.Tool) bool { return t.Meta.Name == "mcp_install" }) {
		t.Error("read-only mode offers mcp_install")
	}
}
