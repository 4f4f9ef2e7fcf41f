package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/confirm"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

var approvalRE = regexp.MustCompile(`approval_token "([A-Z0-9]+)"`)

// configMap creates ConfigMap ns/name, deleted when the test ends.
func configMap(t *testing.T, ns, name string) {
	t.Helper()
	c := env.Clientset("admin").CoreV1().ConfigMaps(ns)
	if _, err := c.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

func exists(t *testing.T, name string) bool {
	t.Helper()
	_, err := env.Clientset("admin").CoreV1().ConfigMaps("shop").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// TestPlanThenApplyOverHTTP runs a real kubemcp whose config file asks for
// confirmation of deletes in shop, through a 2026-07-28 (stateless) client,
// which cannot be asked: the first call answers with the dry run and a token,
// nothing is deleted; the second, presenting the token, deletes.
func TestPlanThenApplyOverHTTP(t *testing.T) {
	configMap(t, "shop", "confirm-http")
	cfgFile := filepath.Join(t.TempDir(), "kubemcp.yaml")
	os.WriteFile(cfgFile, []byte("policy:\n  confirm:\n  - tools: [resources_delete]\n    namespaces: [shop]\n"), 0o600)
	url := startHTTPWith(t, env.Kubeconfig, "--config", cfgFile)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: url}, nil)
	args := map[string]any{"resource": "configmaps", "namespace": "shop", "name": "confirm-http"}

	got, _ := call(t, cs, "resources_delete", args)
	m := approvalRE.FindStringSubmatch(got.Text)
	toolCase{tool: "resources_delete", isError: true, want: []string{"Confirmation required", "would delete", "confirm-http"}}.check(t, got)
	if m == nil || !exists(t, "confirm-http") {
		t.Fatalf("want a token and the object kept:\n%s", got.Text)
	}
	args["approval_token"] = m[1]
	got, _ = call(t, cs, "resources_delete", args)
	toolCase{tool: "resources_delete", want: []string{"confirm-http"}}.check(t, got)
	if exists(t, "confirm-http") {
		t.Fatal("the approved delete did not happen")
	}
}

// TestPlanThenApplyByElicitation: a client that supports elicitation is asked,
// and what it answers decides; an approval voided by another writer is refused.
func TestPlanThenApplyByElicitation(t *testing.T) {
	cfg := config.Default()
	cfg.Kubeconfig = env.Kubeconfig
	cfg.Policy.Confirm = []policy.ConfirmRule{{Tools: []string{"resources_delete", "resources_patch"}, Namespaces: []string{"shop"}}}
	srv := newServer(t, cfg)
	answer := "decline"
	cs := connectServer(t, srv, nil, nil) // cannot be asked: the token path
	client := mcp.NewClient(&mcp.Implementation{Name: "asks"}, &mcp.ClientOptions{ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		return &mcp.ElicitResult{Action: answer, Content: map[string]any{"approve": answer == "accept"}}, nil
	}})
	asks := connectServer(t, srv, client, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})

	configMap(t, "shop", "confirm-ask")
	args := map[string]any{"resource": "configmaps", "namespace": "shop", "name": "confirm-ask"}
	got, _ := call(t, asks, "resources_delete", args)
	toolCase{tool: "resources_delete", isError: true, want: []string{"declined"}}.check(t, got)
	if !exists(t, "confirm-ask") {
		t.Fatal("a declined delete happened")
	}
	answer = "accept"
	got, _ = call(t, asks, "resources_delete", args)
	if got.IsError || exists(t, "confirm-ask") {
		t.Fatalf("an accepted delete did not happen:\n%s", got.Text)
	}

	// Token path (this client cannot be asked), and someone edits the object
	// between the approval and its use.
	configMap(t, "shop", "confirm-race")
	patch := map[string]any{"resource": "configmaps", "namespace": "shop", "name": "confirm-race", "patch": `{"data":{"k":"mine"}}`}
	got, _ = call(t, cs, "resources_patch", patch)
	patch["approval_token"] = approvalRE.FindStringSubmatch(got.Text)[1]
	if _, err := env.Clientset("admin").CoreV1().ConfigMaps("shop").Patch(context.Background(), "confirm-race", types.MergePatchType, []byte(`{"data":{"other":"x"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ = call(t, cs, "resources_patch", patch)
	toolCase{tool: "resources_patch", isError: true, want: []string{"changed since the approval", "approval_token"}}.check(t, got)
}

// TestConfirmRulesSeeThroughSpelling: a rule naming kinds and a namespace
// holds however a call spells the kind, when the call names no namespace and
// the context's is the rule's, and for tools that act on one kind without
// naming it. Each call must stop at "Confirmation required" with the object
// still there.
func TestConfirmRulesSeeThroughSpelling(t *testing.T) {
	kubeconfig, err := clientcmd.LoadFromFile(env.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig.Contexts[kubeconfig.CurrentContext].Namespace = "shop"
	cfg := config.Default()
	cfg.Kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kubeconfig, cfg.Kubeconfig); err != nil {
		t.Fatal(err)
	}
	cfg.Policy.Confirm = []policy.ConfirmRule{{Kinds: []string{"ConfigMap", "Pod"}, Namespaces: []string{"shop"}}}
	cfg.CLI = true
	t.Setenv("PATH", os.Getenv("KUBEMCP_BIN_DIR")+":"+os.Getenv("PATH")) // the module-proxy kubectl
	cs := connectConfig(t, cfg)
	configMap(t, "shop", "spelled")
	pods := env.Clientset("admin").CoreV1().Pods("shop")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "confirm-pod"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	if _, err := pods.Create(context.Background(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pods.Delete(context.Background(), pod.Name, metav1.DeleteOptions{}) })
	for _, c := range []struct {
		name, tool string
		args       map[string]any
	}{
		{"short name, the context's namespace", "resources_delete", map[string]any{"resource": "cm", "name": "spelled"}},
		{"plural", "resources_delete", map[string]any{"resource": "configmaps", "namespace": "shop", "name": "spelled"}},
		{"kind in lower case", "resources_patch", map[string]any{"api_version": "v1", "kind": "configmap", "name": "spelled", "patch": `{"data":{"k":"x"}}`}},
		{"a manifest without a namespace", "resources_apply", map[string]any{"manifest": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: spelled\ndata:\n  other: \"y\"\n"}},
		{"a tool that acts on pods", "pods_delete", map[string]any{"name": "confirm-pod"}},
		{"kubectl -n", "kubectl", map[string]any{"args": []string{"delete", "cm", "spelled", "-n", "shop"}}},
		{"kubectl --namespace=", "kubectl", map[string]any{"args": []string{"delete", "cm", "spelled", "--namespace=shop"}}},
		{"kubectl in the context's namespace", "kubectl", map[string]any{"args": []string{"delete", "pod", "confirm-pod"}}},
		{"kubectl -A", "kubectl", map[string]any{"args": []string{"delete", "cm", "-A", "--all"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := call(t, cs, c.tool, c.args)
			toolCase{tool: c.tool, isError: true, want: []string{"Confirmation required"}}.check(t, got)
		})
	}
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps("shop").Get(context.Background(), "spelled", metav1.GetOptions{})
	if err != nil || cm.Data["k"] != "v" || cm.Data["other"] != "" {
		t.Errorf("the ConfigMap changed: %v %v", cm.Data, err)
	}
	if _, err := pods.Get(context.Background(), pod.Name, metav1.GetOptions{}); err != nil {
		t.Errorf("the pod: %v", err)
	}
}

// TestPlanApprovedOnAnotherReplica runs two kubemcp processes reading one
// approval key file, as replicas behind a Service would: a plan made on A is
// approved on B, which applies it; the same token replayed on A is refused,
// because the apply changed the object's resourceVersion, and on B because B
// used it. A tool without a dry run gets no token at all from them.
func TestPlanApprovedOnAnotherReplica(t *testing.T) {
	configMap(t, "shop", "confirm-replicas")
	dir := t.TempDir()
	cfgFile, keyFile := filepath.Join(dir, "kubemcp.yaml"), filepath.Join(dir, "approval-keys")
	os.WriteFile(cfgFile, []byte("policy:\n  confirm:\n  - namespaces: [shop]\n"), 0o600)
	os.WriteFile(keyFile, []byte(rand.Text()+rand.Text()+"\n"), 0o600)
	replica := func() *mcp.ClientSession {
		url := startHTTPWith(t, env.Kubeconfig, "--config", cfgFile, "--approval-key-file", keyFile)
		return connect(t, &mcp.StreamableClientTransport{Endpoint: url}, nil)
	}
	a, b := replica(), replica()
	patch := map[string]any{"resource": "configmaps", "namespace": "shop", "name": "confirm-replicas", "patch": `{"data":{"k":"approved"}}`}

	got, _ := call(t, a, "resources_patch", patch)
	m := approvalRE.FindStringSubmatch(got.Text)
	if m == nil {
		t.Fatalf("A gave no token:\n%s", got.Text)
	}
	patch["approval_token"] = m[1]
	got, _ = call(t, b, "resources_patch", patch)
	toolCase{tool: "resources_patch", want: []string{"confirm-replicas"}}.check(t, got)
	if v := configMapData(t, "confirm-replicas"); v != "approved" {
		t.Fatalf("B's approved patch did not happen: k=%q", v)
	}
	got, _ = call(t, a, "resources_patch", patch)
	toolCase{tool: "resources_patch", isError: true, want: []string{"changed since the approval"}}.check(t, got)
	got, _ = call(t, b, "resources_patch", patch)
	toolCase{tool: "resources_patch", isError: true, want: []string{"already used"}}.check(t, got)

	scale := map[string]any{"kind": "deployment", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend, "replicas": 5}
	got, _ = call(t, a, "workloads_scale", scale)
	toolCase{tool: "workloads_scale", isError: true, want: []string{"no dry run", "elicitation"}}.check(t, got)
	if approvalRE.MatchString(got.Text) {
		t.Fatalf("a token for a call with no state, which another replica could replay:\n%s", got.Text)
	}
}

func configMapData(t *testing.T, name string) string {
	t.Helper()
	cm, err := env.Clientset("admin").CoreV1().ConfigMaps("shop").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm.Data["k"]
}

// TestPlanAskedBetweenCalls: a client of the 2026-07-28 era that can elicit
// is asked between calls, over HTTP to replicas sharing the approval key:
// the question one replica asks is answered on another, and the change
// happens once; a call with no dry run (scale), refused a token on shared
// keys, is asked the person the same way.
func TestPlanAskedBetweenCalls(t *testing.T) {
	configMap(t, "shop", "confirm-asked")
	dir := t.TempDir()
	cfgFile, keyFile := filepath.Join(dir, "kubemcp.yaml"), filepath.Join(dir, "approval-keys")
	os.WriteFile(cfgFile, []byte("policy:\n  confirm:\n  - namespaces: [shop]\n"), 0o600)
	os.WriteFile(keyFile, []byte(rand.Text()+rand.Text()+"\n"), 0o600)
	// This client answers the rounds itself, so that each goes to the
	// replica the test chooses.
	client := mcp.NewClient(&mcp.Implementation{Name: "rounds"}, &mcp.ClientOptions{
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return nil, errors.New("asked by the test")
		},
		MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true},
	})
	replica := func() *mcp.ClientSession {
		url := startHTTPWith(t, env.Kubeconfig, "--config", cfgFile, "--approval-key-file", keyFile)
		return connectWith(t, client, &mcp.StreamableClientTransport{Endpoint: url}, &mcp.ClientSessionOptions{ProtocolVersion: "2026-07-28"})
	}
	a, b := replica(), replica()
	yes := mcp.InputResponseMap{confirm.InputKey: &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}}
	rounds := func(tool string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		asked, err := a.CallTool(testContext(t), &mcp.CallToolParams{Name: tool, Arguments: args})
		if err != nil {
			t.Fatal(err)
		}
		q, _ := asked.InputRequests[confirm.InputKey].(*mcp.ElicitParams)
		if !asked.NeedsInput() || q == nil || !strings.Contains(q.Message, tool) {
			t.Fatalf("%s: want the person asked, got %+v", tool, asked)
		}
		res, err := b.CallTool(testContext(t), &mcp.CallToolParams{Name: tool, Arguments: args, InputResponses: yes, RequestState: asked.RequestState})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	patch := map[string]any{"resource": "configmaps", "namespace": "shop", "name": "confirm-asked", "patch": `{"data":{"k":"asked"}}`}
	if res := rounds("resources_patch", patch); res.IsError || configMapData(t, "confirm-asked") != "asked" {
		t.Fatalf("the answered patch did not happen: %s", mcpserver.ResultText(res))
	}
	// To the 3 replicas it has: the seeded world stays as it was.
	scale := map[string]any{"kind": "deployment", "namespace": testenv.NamespaceShop, "name": testenv.DeploymentFrontend, "replicas": 3}
	if res := rounds("workloads_scale", scale); res.IsError {
		t.Fatalf("the answered scale did not happen: %s", mcpserver.ResultText(res))
	}
}
