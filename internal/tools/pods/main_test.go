package pods

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/policy"
	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Options{Seed: true}, func(e *testenv.Env) { env = e }))
}

// serve serves the pods toolset in memory for kubeconfig, with pol enforced
// beneath the clients (nil: none), and connects a real MCP client.
func serve(t *testing.T, kubeconfig string, pol *policy.Config) *mcp.ClientSession {
	t.Helper()
	mgr, err := clusters.New(clusters.Options{Kubeconfig: kubeconfig, Client: kube.Options{Policy: pol}})
	if err != nil {
		t.Fatal(err)
	}
	server := mcpserver.New(mcpserver.Options{Tools: New(toolset.Deps{Clusters: mgr}).Tools()})
	ct, st := mcp.NewInMemoryTransports()
	if _, err := server.Connect(t.Context(), st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "pods-test", Version: "v0"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func admin(t *testing.T) *mcp.ClientSession { return serve(t, env.Kubeconfig, nil) }
func alice(t *testing.T) *mcp.ClientSession { return serve(t, env.Users["alice"].Kubeconfig, nil) }

// result is what a tool call answered.
type result struct {
	Text    string
	IsError bool
	Raw     json.RawMessage // structuredContent
}

func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", tool, err)
	}
	var r result
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			r.Text += tc.Text
		}
	}
	r.IsError = res.IsError
	if res.StructuredContent != nil {
		r.Raw, _ = json.Marshal(res.StructuredContent)
	}
	return r
}

// decode reads the structured content into out; it fails on an error result.
func (r result) decode(t *testing.T, out any) {
	t.Helper()
	if r.IsError || r.Raw == nil {
		t.Fatalf("want a structured result, got isError=%v: %s", r.IsError, r.Text)
	}
	if err := json.Unmarshal(r.Raw, out); err != nil {
		t.Fatalf("decoding %s: %v", r.Raw, err)
	}
}

// expect checks isError and that the text holds every want.
func (r result) expect(t *testing.T, isError bool, want ...string) {
	t.Helper()
	if r.IsError != isError {
		t.Fatalf("isError=%v, want %v:\n%s", r.IsError, isError, r.Text)
	}
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("answer lacks %q:\n%s", w, r.Text)
		}
	}
}

// lacks checks that the text holds none of unwanted.
func (r result) lacks(t *testing.T, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(r.Text, u) {
			t.Errorf("answer has %q:\n%s", u, r.Text)
		}
	}
}

// namespace creates a namespace of the test's own, so that tests that change
// the cluster cannot disturb each other.
func namespace(t *testing.T) string {
	t.Helper()
	name := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	name = "pods-" + name[:min(len(name), 50)]
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := env.Clientset("admin").CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return name
}

// runningPod creates a pod bound to the env's node with a Running status and
// the given containers, as a kubelet would report it.
func runningPod(t *testing.T, ns, name string, labels map[string]string, owner *metav1.OwnerReference, containers ...string) *corev1.Pod {
	t.Helper()
	api := env.Clientset("admin").CoreV1().Pods(ns)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}, Spec: corev1.PodSpec{NodeName: testenv.NodeName}}
	if owner != nil {
		pod.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	for _, c := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c, Image: "busybox:1.37"})
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{Name: c, Image: "busybox:1.37", Ready: true,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}})
	}
	status := pod.Status
	created, err := api.Create(t.Context(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status = status
	created.Status.Phase = corev1.PodRunning
	if created, err = api.UpdateStatus(t.Context(), created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return created
}
