package nodes

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
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

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

// serve serves the nodes toolset in memory for kubeconfig, with pol enforced
// beneath the clients (nil: no policy), and connects a real client.
func serve(t *testing.T, kubeconfig string, pol *policy.Config) *mcp.ClientSession {
	t.Helper()
	mgr, err := clusters.New(clusters.Options{Kubeconfig: kubeconfig, Client: kube.Options{Policy: pol}})
	if err != nil {
		t.Fatal(err)
	}
	server := mcpserver.New(mcpserver.Options{Tools: New(toolset.Deps{Clusters: mgr}).Tools()})
	ct, st := mcp.NewInMemoryTransports()
	ctx := context.Background()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "nodes-test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func admin(t *testing.T) *mcp.ClientSession { return serve(t, env.Kubeconfig, nil) }

func admins() kubernetes.Interface { return env.Clientset("admin") }

type result struct {
	Text    string
	IsError bool
	Raw     json.RawMessage
}

func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
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

func (r result) decode(t *testing.T, out any) {
	t.Helper()
	if r.IsError || r.Raw == nil {
		t.Fatalf("want a structured result, got isError=%v: %s", r.IsError, r.Text)
	}
	if err := json.Unmarshal(r.Raw, out); err != nil {
		t.Fatalf("decoding %s: %v", r.Raw, err)
	}
}

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

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testName is t.Name() as a Kubernetes name.
func testName(t *testing.T, prefix string) string {
	name := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	return prefix + name[:min(len(name), 50)]
}

// namespace creates a namespace of the test's own.
func namespace(t *testing.T) string {
	t.Helper()
	name := testName(t, "nd-")
	_, err := admins().CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	must(t, err)
	return name
}

// node registers a Node of the test's own and writes its status as a
// kubelet would: Ready unless conditions say otherwise.
func node(t *testing.T, name string, labels map[string]string, taints []corev1.Taint, conditions ...corev1.NodeCondition) *corev1.Node {
	t.Helper()
	ctx := context.Background()
	n, err := admins().CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
	}, metav1.CreateOptions{})
	must(t, err)
	t.Cleanup(func() { _ = admins().CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	if len(conditions) == 0 {
		conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}}
	}
	res := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
	n.Status = corev1.NodeStatus{Capacity: res, Allocatable: res, Conditions: conditions,
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.1.2.3"}},
		NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "v1.34.4"}}
	n, err = admins().CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
	must(t, err)
	return n
}

func getNode(t *testing.T, name string) *corev1.Node {
	t.Helper()
	n, err := admins().CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	must(t, err)
	return n
}
